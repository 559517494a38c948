"""Flask-Login wiring: who is signed in."""

from flask import flash, redirect, request, url_for

from mall.accounts.models import User
from mall.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


@login_manager.unauthorized_handler
def ask_to_log_in():
    if request.htmx:
        return "", 401, {"HX-Redirect": url_for("accounts.login")}
    flash("Please log in to continue.", "error")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
