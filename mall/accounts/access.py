"""Who may see the mall operator's pages: any blueprint of them uses `operators_only` as its before_request."""

from flask import abort
from flask_login import current_user

from mall.extensions import login_manager


def operators_only():
    """Signed-out visitors are sent to log in; anyone else but an operator never learns the page exists (404)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_operator:
        abort(404)
