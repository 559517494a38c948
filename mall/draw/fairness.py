"""The draw's fairness, in two small pure functions anyone can run: the seed's public hash and the draw's order.

Before entries close the drop page publishes seed_hash(seed); at the draw the seed is revealed, and the order of
the confirmed entries is draw_order(seed, entry_ids). Anyone can check both with Python's standard library alone.
"""

import hashlib
import inspect
import secrets


def new_seed() -> str:
    return secrets.token_hex(32)


def seed_hash(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def draw_order(seed: str, entry_ids: list[int]) -> list[int]:
    """The entries in the draw's order, first winner first: sorted by SHA-256 of "<seed>:<entry id>"."""
    return sorted(entry_ids, key=lambda entry_id: hashlib.sha256(f"{seed}:{entry_id}".encode()).hexdigest())


def recompute_snippet(seed: str, entry_ids: list[int]) -> str:
    """A standalone Python program that prints the seed's hash and the draw's order (shown on the verification page)."""
    return "\n".join([
        "import hashlib",
        "",
        "",
        inspect.getsource(seed_hash).rstrip(),
        "",
        "",
        inspect.getsource(draw_order).rstrip(),
        "",
        "",
        f"seed = {seed!r}",
        f"entry_ids = {sorted(entry_ids)!r}",
        "print(seed_hash(seed))",
        "print(draw_order(seed, entry_ids))",
        "",
    ])
