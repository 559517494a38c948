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
    link = db.session.scalar(
        select(CreatorLink)
        .where(CreatorLink.id == link_id, CreatorLink.creator_id == current_user.id)
        .execution_options(all_tenants=True)
    )
    if link is None:
        abort(404)
    return link


def partnership_for_creator_or_404(partnership_id: int) -> CreatorPartnership:
    row = db.session.scalar(
        select(CreatorPartnership)
        .where(CreatorPartnership.id == partnership_id, CreatorPartnership.creator_id == current_user.id)
        .execution_options(all_tenants=True)
    )
    if row is None:
        abort(404)
    return row
