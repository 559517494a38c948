"""Short codes for `/c/<code>`: generated ones, and the rules a creator's custom slug must follow."""

import re
import secrets

# No 0/o, 1/l/i: codes get read off posters and typed by hand.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GENERATED_LENGTH = 7
MIN_SLUG, MAX_SLUG = 3, 40
CODE_SHAPE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")

RESERVED_CODES = frozenset(
    {
        "admin", "api", "app", "brand", "brands", "c", "cart", "checkout", "creator", "creators", "dashboard",
        "drop", "drops", "edit", "flashmall", "healthz", "help", "join", "link", "links", "login", "logout",
        "mall", "new", "null", "operator", "orders", "qr", "settings", "shop", "signup", "static", "support",
        "undefined", "www",
    }
)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(GENERATED_LENGTH))


def normalise(code: str) -> str:
    return (code or "").strip().lower()


def looks_like_code(code: str) -> bool:
    """Cheap shape check before any lookup: anything else cannot be a link of ours."""
    return len(code) <= MAX_SLUG and CODE_SHAPE.fullmatch(code) is not None


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot be a custom code, in the creator's words; None when it is fine (collisions aside)."""
    if len(slug) < MIN_SLUG or len(slug) > MAX_SLUG:
        return f"Use {MIN_SLUG} to {MAX_SLUG} characters."
    if not CODE_SHAPE.fullmatch(slug):
        return "Use only lowercase letters, digits and hyphens, starting and ending with a letter or digit."
    if "--" in slug:
        return "Use single hyphens between words."
    if slug in RESERVED_CODES:
        return "That word is reserved by Flashmall. Choose another."
    return None
