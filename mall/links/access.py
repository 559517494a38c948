"""Who may see what on the creator's side: creators see only their own links and partnerships (else 404)."""

from functools import wraps

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from mall.extensions import db, login_manager
from mall.links.models import CreatorLink, CreatorPartnership


def creator_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_creator:
            if request.method != "GET":
                abort(403)
            flash("Join the creator programme to make links.")
            return redirect(url_for("links.join"))
        return view(*args, **kwargs)

    return wrapped


def own_link_or_404(link_id: int) -> CreatorLink:
    return _creators_own_or_404(CreatorLink, link_id)


def partnership_for_creator_or_404(partnership_id: int) -> CreatorPartnership:
    return _creators_own_or_404(CreatorPartnership, partnership_id)


def _creators_own_or_404(model, row_id: int):
    """A row of the signed-in creator's own (links and partnerships span brands); anyone else's is 404."""
    row = db.session.scalar(
        select(model).where(model.id == row_id, model.creator_id == current_user.id).execution_options(all_tenants=True)
    )
    if row is None:
        abort(404)
    return row
