"""Start a brand, or join one from an invite link: the pages a signed-in person uses before any dashboard."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mall.brands.forms import NewBrandForm
from mall.brands.services import (
    InviteForSomeoneElse,
    InviteInvalid,
    SlugTaken,
    accept_invite,
    create_brand,
    membership_of,
    read_invite,
)
from mall.extensions import login_manager
from tenants.lookups import my_brands

bp = Blueprint("onboarding", __name__)
bp.add_app_template_global(my_brands)  # the switcher in base.html


@bp.route("/brands/new", methods=["GET", "POST"])
@login_required
def new_brand():
    form = NewBrandForm()
    if form.validate_on_submit():
        try:
            tenant = create_brand(current_user, form.name.data, form.slug.data, form.colour.data, form.tagline.data)
        except SlugTaken:
            form.slug.errors.append("Another brand already uses this address. Choose another.")
        else:
            flash(f"{tenant.name} is open for business. Add your first product next.", "success")
            return redirect(url_for("brands.dashboard", slug=tenant.slug), 303)
    return render_template("brands/new_brand.html", form=form), (422 if form.is_submitted() else 200)


@bp.route("/invites/<token>", methods=["GET", "POST"])
def invite(token: str):
    try:
        invitation = read_invite(token)
    except InviteInvalid as problem:
        return render_template("brands/invite_invalid.html", message=str(problem)), 400
    if not current_user.is_authenticated:
        if request.method == "POST":
            return login_manager.unauthorized()
        return render_template("brands/invite.html", invite=invitation, here=request.path)
    if request.method == "GET":
        member = membership_of(invitation.tenant, current_user)
        status = 200 if member or current_user.email.lower() == invitation.email else 403
        return render_template("brands/invite.html", invite=invitation, member=member, here=request.path), status
    try:
        accept_invite(invitation, current_user)
    except InviteForSomeoneElse:
        return render_template("brands/invite.html", invite=invitation, member=None, here=request.path), 403
    flash(f"You joined {invitation.tenant.name}.", "success")
    return redirect(url_for("brands.dashboard", slug=invitation.tenant.slug), 303)
