"""Accounts: who may sign up, who is signed in, and where they may be sent next."""

from functools import lru_cache
from urllib.parse import unquote, urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mall.accounts.models import User
from mall.accounts.passwords import hash_password, needs_rehash, password_matches
from mall.extensions import db

MAX_NEXT_LENGTH = 2000


class EmailTaken(ValueError):
    """Someone already signed up with this email."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def email_taken(email: str) -> bool:
    return find_user_by_email(email) is not None


def create_user(name: str, email: str, password: str, is_creator: bool = False) -> User:
    """A new account; raises EmailTaken if the address is already in use (even by a racing signup)."""
    if email_taken(email):
        raise EmailTaken(email)
    user = User(
        name=name.strip(), email=normalise_email(email), password_hash=hash_password(password), is_creator=is_creator
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EmailTaken(email) from None
    return user


def end_every_session(user: User) -> None:
    """Sign `user` out of every browser: cookies issued before carry the old generation, which no longer loads."""
    user.session_generation = User.session_generation + 1  # counted in SQL, so two at once both count
    db.session.commit()


def change_password(user: User, current: str, new: str) -> bool:
    """Set a new password if `current` is right, ending every session; False (nothing changed) if it is wrong."""
    if not password_matches(user.password_hash, current):
        return False
    user.password_hash = hash_password(new)
    end_every_session(user)  # commits the new hash with it
    return True


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return hash_password("not-a-real-password")


def authenticate(email: str, password: str) -> User | None:
    """The user these credentials belong to, or None; unknown emails cost the same time as wrong passwords."""
    user = find_user_by_email(email)
    if user is None:
        password_matches(_decoy_hash(), password)
        return None
    if not password_matches(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def _is_local_path(candidate: str) -> bool:
    if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return False
    if "\\" in candidate or any(ord(ch) < 32 or ord(ch) == 127 for ch in candidate):
        return False
    parts = urlsplit(candidate)
    # A doubled slash in the path can turn into "//host" after a proxy or browser normalises it.
    return not parts.scheme and not parts.netloc and "//" not in parts.path


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: the one gate for redirects taken from a request."""
    if not target or not isinstance(target, str) or len(target) > MAX_NEXT_LENGTH:
        return None
    candidate = target
    # Check every decoding a browser or proxy might apply, so "%2F%2Fevil.com" cannot slip through.
    for _ in range(4):
        if not _is_local_path(candidate):
            return None
        decoded = unquote(candidate)
        if decoded == candidate:
            return target
        candidate = decoded
    return None
