"""The surge benchmark (benchmarks/surge.py) and its helpers."""
