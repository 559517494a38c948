"""Creator links: the `/c/<code>` redirect, and the creator's own pages under /creators.

The brand's side (/brands/<slug>/creators) is a nested blueprint in brand_views.py.
"""

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from redis.exceptions import RedisError
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from mall.accounts.forms import SignupForm
from mall.accounts.services import EmailTaken, create_user
from mall.extensions import db, redis_client
from mall.links import attribution, brand_views, codes, services, stats
from mall.links.access import creator_required, own_link_or_404, partnership_for_creator_or_404
from mall.links.clicks import VISITOR_COOKIE, is_real_click, visitor_id
from mall.links.forms import ApplyForm, NewLinkForm
from mall.links.qr import qr_png, qr_svg
from mall.links.table import link_table
from tenants.models import Tenant

bp = Blueprint("links", __name__)
bp.register_blueprint(brand_views.bp)

ENDED = "That drop has ended — here is what else this brand has."
SOLD_OUT = "Every unit of that drop is sold or held right now — here is what else this brand has."
FALLBACK = "Every unit of that drop is sold or held right now."  # the drop page says what it offers instead, if anything
YEAR = 365 * 86400


# -- the redirect: never the database; Redis only for a link this process has not seen this second ----
@bp.get("/c/<code>")
def follow(code: str):
    code = code.lower()
    if not codes.looks_like_code(code):
        return _unknown_link()
    agent = request.headers.get("User-Agent", "")
    counted = is_real_click(request.method, agent)
    visitor, new_visitor = visitor_id(request.cookies.get(VISITOR_COOKIE, ""), request.remote_addr or "", agent)
    now = time.time()
    try:
        followed = link_table().follow(code, visitor, now, counted)
    except RedisError:
        return _try_again_soon()
    if followed.state == "unknown":
        return _unknown_link()
    if followed.state == "cold":
        _warm_link_table()
        return _try_again_soon()
    location = followed.path
    if followed.state == "fallback":
        flash(FALLBACK)  # the drop page offers the fallback item (and says what came of the hero)
    elif followed.state != "ok":
        flash(ENDED if followed.state == "over" else SOLD_OUT)
        location = followed.brand_path
    response = current_app.response_class(status=302, headers={"Location": location, "Cache-Control": "no-store"})
    if counted and followed.earning:
        value = attribution.attribution_cookie(followed.link_id, int(now), followed.window_seconds)
        _cookie(response, attribution.ATTRIBUTION_COOKIE, value, followed.window_seconds)
    if counted and new_visitor:
        _cookie(response, VISITOR_COOKIE, visitor, YEAR)
    return response


def _cookie(response, name: str, value: str, max_age: int) -> None:
    # Our values are digits, dots and hex, so nothing needs quoting: a plain header skips dump_cookie's cost.
    secure = "; Secure" if current_app.config.get("SESSION_COOKIE_SECURE") else ""
    response.headers.add("Set-Cookie", f"{name}={value}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Lax{secure}")


def _unknown_link():
    return render_template("links/unknown_link.html"), 404


def _try_again_soon():
    return render_template("links/try_again.html"), 503, {"Retry-After": "5", "Cache-Control": "no-store"}


def _warm_link_table() -> None:
    """Redis lost the table (a restart): one click asks a worker to rebuild it, the rest wait for it."""
    from mall.jobs.queues import enqueue
    from mall.links.jobs import sync_link_table

    try:
        if redis_client().set("fm:links:warming", "1", nx=True, ex=30):
            enqueue("high", sync_link_table)
    except RedisError:
        pass


# -- joining the programme --------------------------------------------------------------------------------
@bp.route("/creators/join", methods=["GET", "POST"])
def join():
    if current_user.is_authenticated:
        return _become_creator()
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.name.data, form.email.data, form.password.data, is_creator=True)
        except EmailTaken:
            form.email.errors.append("An account with this email already exists. Log in instead?")
        else:
            login_user(user)
            flash(f"Welcome, {user.name}! Apply to a brand to start making links.", "success")
            return redirect(url_for("links.home"), 303)
    return render_template("links/join.html", form=form), 422 if form.is_submitted() else 200


def _become_creator():
    if current_user.is_creator:
        return redirect(url_for("links.home"))
    if request.method == "POST":  # CSRF is checked for every POST by CSRFProtect
        current_user.is_creator = True
        db.session.commit()
        flash("You are now a creator. Apply to a brand to start making links.", "success")
        return redirect(url_for("links.home"), 303)
    return render_template("links/join.html", form=None)


# -- the creator's dashboard ------------------------------------------------------------------------------
def _apply_form(submitted: bool = False) -> ApplyForm:
    form = ApplyForm() if submitted else ApplyForm(formdata=None)
    form.brand.choices = [SelectChoice("", "Choose a brand")] + [
        SelectChoice(b.slug, b.name) for b in services.brands_open_to(db.session, current_user)
    ]
    return form


def _home(apply_form=None, status=200):
    links = services.creator_links(db.session, current_user)
    results = stats.link_results(db.session, [link.id for link in links])
    return render_template(
        "links/creator_home.html",
        partnerships=services.creator_partnerships(db.session, current_user),
        links=links,
        results=results,
        overall=stats.total(results),
        apply_form=apply_form or _apply_form(),
    ), status


@bp.get("/creators")
@creator_required
def home():
    return _home()


@bp.post("/creators/apply")
@creator_required
def apply():
    form = _apply_form(submitted=True)
    tenant = form.validate_on_submit() and db.session.scalar(select(Tenant).where(Tenant.slug == form.brand.data))
    if not tenant:
        form.brand.errors = ["Choose a brand to apply to."]
        return _home(form, 422)
    try:
        services.apply_to_brand(db.session, current_user, tenant)
    except services.ProgrammeRuleBroken as problem:
        form.brand.errors = [str(problem)]
        return _home(form, 409)
    flash(f"You applied to {tenant.name}. You can make links once they approve you.", "success")
    return redirect(url_for("links.home"), 303)


@bp.post("/creators/partnerships/<id:partnership_id>/<any(accept, decline):answer>")
@creator_required
def answer(partnership_id: int, answer: str):
    row = partnership_for_creator_or_404(partnership_id)
    try:
        services.answer_invitation(db.session, row, accept=answer == "accept")
    except services.ProgrammeRuleBroken as problem:
        flash(str(problem), "error")
        return redirect(url_for("links.home"), 303)
    flash(f"You joined {row.tenant.name}'s programme." if answer == "accept" else "Invitation declined.", "success")
    return redirect(url_for("links.home"), 303)


def _link_form() -> NewLinkForm:
    form = NewLinkForm()
    approved = [p for p in services.creator_partnerships(db.session, current_user) if p.status == services.S.APPROVED]
    drops = services.linkable_drops(db.session, [p.tenant_id for p in approved])
    choices = []
    for p in approved:
        brand = p.tenant.name
        choices.append(SelectChoice(f"b:{p.tenant_id}", f"{brand} — brand page", optgroup=brand))
        choices += [
            SelectChoice(f"d:{p.tenant_id}:{d.id}", f"Drop: {d.title}", optgroup=brand)
            for d in drops
            if d.tenant_id == p.tenant_id
        ]
    form.target.choices = choices or [SelectChoice("", "No brand has approved you yet")]
    return form


@bp.route("/creators/links/new", methods=["GET", "POST"])
@creator_required
def new_link():
    form = _link_form()
    if form.validate_on_submit():
        tenant_id, drop_id = form.destination()
        try:
            link = services.create_link(db.session, current_user, tenant_id, drop_id, form.code.data or "")
        except services.ProgrammeRuleBroken as problem:
            form.target.errors = [str(problem)]
        except services.CodeTaken:
            form.code.errors = ["Another link already uses that name. Choose another."]
        else:
            flash("Your link is ready. Share it, print its QR code, and watch the results here.", "success")
            return redirect(url_for("links.link", link_id=link.id), 303)
    return render_template("links/new_link.html", form=form), 422 if form.is_submitted() else 200


@bp.get("/creators/links/<id:link_id>")
@creator_required
def link(link_id: int):
    row = own_link_or_404(link_id)
    return render_template(
        "links/link.html",
        link=row,
        share_url=url_for("links.follow", code=row.code, _external=True),
        results=stats.link_results(db.session, [row.id])[row.id],
        days=stats.daily(db.session, row.id),
    )


@bp.get("/creators/links/<id:link_id>/qr.<any(svg, png):kind>")
@creator_required
def qr(link_id: int, kind: str):
    row = own_link_or_404(link_id)
    url = url_for("links.follow", code=row.code, _external=True)
    body, mimetype = (qr_svg(url), "image/svg+xml") if kind == "svg" else (qr_png(url), "image/png")
    headers = {"Cache-Control": "private, max-age=300"}
    if request.args.get("download"):
        headers["Content-Disposition"] = f'attachment; filename="flashmall-{row.code}.{kind}"'
    return current_app.response_class(body, mimetype=mimetype, headers=headers)


# -- commands -------------------------------------------------------------------------------------------
@bp.cli.command("sync")
def sync_command():
    """Rebuild the redirect table in Redis from the database."""
    from mall.links.jobs import sync_link_table

    print(f"Creator links in the redirect table: {sync_link_table()}.")


@bp.cli.command("flush")
def flush_command():
    """Move counted clicks from Redis into hourly buckets now (the worker does it every few seconds)."""
    from mall.links.jobs import flush_link_clicks

    result = flush_link_clicks()
    print(f"Clicks moved to the database: {result['clicks']}.")
