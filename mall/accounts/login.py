"""Flask-Login wiring: who is signed in."""

from flask import current_app, flash, redirect, request, url_for
from flask_login import login_user

from mall.accounts.models import User
from mall.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user a session or remember-me cookie names, unless their sessions were ended since it was issued."""
    account, _, generation = user_id.partition(":")
    if not (account.isdecimal() and generation.isdecimal()) or len(user_id) > 40:
        return None
    user = db.session.get(User, int(account))
    if user is None or user.session_generation != int(generation):
        return None
    return user


@login_manager.unauthorized_handler
def ask_to_log_in():
    if request.htmx:
        return "", 401, {"HX-Redirect": url_for("accounts.login")}
    flash("Please log in to continue.", "error")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def keep_this_browser_signed_in(user: User) -> None:
    """After `user`'s sessions were ended, issue this browser new cookies (and remember-me, if it had one)."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(user, remember=remembered)
