"""The shared stock engine: holds in Redis for speed, the database as the record and the last guard.

models.py the stock rows; engine.py holds (scripts.lua, records.py, replies.py); ledger.py sales in the database;
availability.py units free / held / sold for every feature; access.py the app's one engine. Nothing here imports a
feature: what a drop is (its terms, its items) comes from mall/drops/stock.py, handed over by the app factory.
"""
