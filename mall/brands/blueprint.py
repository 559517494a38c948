"""A brand's overview, its team and its settings, under /brands/<slug>/."""

from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user

from mall.accounts.login import keep_this_browser_signed_in
from mall.brands.forms import BrandSettingsForm, InviteForm, RoleForm
from mall.brands.services import (
    TeamRuleBroken,
    brand_overview,
    change_role,
    invite_token,
    remove_member,
    team_of,
    update_brand_settings,
)
from mall.clock import utcnow
from mall.media import services as media
from mall.media.forms import receive_upload, upload_form
from mall.media.models import BrandImageSlot
from mall.request_checks import takes_upload
from tenants.dashboard import MANAGERS, brand_blueprint, requires_role
from tenants.models import Membership, Role
from tenants.scoping import get_for_tenant_or_404

bp = brand_blueprint("brands", __name__)


@bp.get("/")
def dashboard():
    overview = brand_overview(g.tenant, utcnow())
    return render_template("brands/dashboard.html", overview=overview, can_manage=g.membership.role in MANAGERS)


def _team_page(status=200, invite_form=None, invite_link=None, role_errors=None):
    is_owner = g.membership.role == Role.OWNER
    return render_template(
        "brands/members.html",
        team=team_of(g.tenant),
        is_owner=is_owner,
        invite_form=invite_form or (InviteForm(g.tenant, formdata=None) if is_owner else None),
        invite_link=invite_link,
        role_form_for=lambda member: RoleForm(formdata=None, role=member.role),
        role_errors=role_errors or {},
    ), status


@bp.get("/members")
def members():
    return _team_page()


@bp.post("/members/invite")
@requires_role(Role.OWNER)
def invite():
    form = InviteForm(g.tenant)
    if not form.validate_on_submit():
        return _team_page(422, invite_form=form)
    token = invite_token(g.tenant, form.email.data, form.role.data)
    link = url_for("onboarding.invite", token=token, _external=True)
    shown = {"url": link, "email": form.email.data, "role": form.role.data}
    return _team_page(invite_form=InviteForm(g.tenant, formdata=None), invite_link=shown)


@bp.post("/members/<id:membership_id>/role")
@requires_role(Role.OWNER)
def change_member_role(membership_id: int):
    member = get_for_tenant_or_404(Membership, membership_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _team_page(422, role_errors={member.id: "Choose owner, manager or support."})
    try:
        change_role(member, form.role.data)
    except TeamRuleBroken as problem:
        return _team_page(422, role_errors={member.id: str(problem)})
    flash(f"{member.user.name} is now {member.role}.", "success")
    return redirect(url_for("brands.members"), 303)


@bp.post("/members/<id:membership_id>/remove")
@requires_role(Role.OWNER)
def remove_team_member(membership_id: int):
    member = get_for_tenant_or_404(Membership, membership_id)
    user, leaving = member.user, member.user_id == current_user.id
    name = user.name
    try:
        remove_member(member)
    except TeamRuleBroken as problem:
        return _team_page(422, role_errors={member.id: str(problem)})
    if leaving:
        keep_this_browser_signed_in(user)  # leaving ends the other sessions, not this one
        flash(f"You left {g.tenant.name}.", "success")
        return redirect(url_for("storefront.home"), 303)
    flash(f"{name} was removed from the team.", "success")
    return redirect(url_for("brands.members"), 303)


@bp.route("/settings", methods=["GET", "POST"])
@requires_role(*MANAGERS)
def settings():
    form = BrandSettingsForm(obj=g.tenant)
    if form.validate_on_submit():
        update_brand_settings(g.tenant, form.tenant_values())
        flash("Brand settings saved.", "success")
        return redirect(url_for("brands.settings"), 303)
    return _settings_page(form, 422 if form.is_submitted() else 200)


def _settings_page(form, status=200, sent: dict | None = None):
    image_forms = {
        slot.value: upload_form(f"{slot.label} image file", prefix=slot.value, formdata=None) for slot in BrandImageSlot
    }
    image_forms.update(sent or {})
    images = media.brand_images(g.tenant.id)
    return render_template("brands/settings.html", form=form, images=images, image_forms=image_forms), status


@bp.post("/settings/images/<any(logo, banner):slot>")
@takes_upload
@requires_role(*MANAGERS)
def upload_brand_image(slot: str):
    slot = BrandImageSlot(slot)
    form = upload_form(f"{slot.label} image file", prefix=slot.value)
    status = receive_upload(form, lambda data: media.set_brand_image(g.tenant.id, slot, data))
    if status is None:
        flash(f"{slot.label} saved: shoppers see it on your shop page.", "success")
        return redirect(url_for("brands.settings", _anchor=f"brand-{slot.value}"), 303)
    return _settings_page(BrandSettingsForm(formdata=None, obj=g.tenant), status, sent={slot.value: form})


@bp.post("/settings/images/<any(logo, banner):slot>/remove")
@requires_role(*MANAGERS)
def remove_brand_image(slot: str):
    slot = BrandImageSlot(slot)
    if media.remove_brand_image(g.tenant.id, slot):
        flash(f"{slot.label} removed.", "success")
    return redirect(url_for("brands.settings"), 303)
