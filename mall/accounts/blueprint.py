"""Sign up, log in, log out, start a brand, and join one from an invite link."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from mall.accounts.forms import LoginForm, SignupForm
from mall.accounts.services import EmailTaken, authenticate, create_user, safe_next
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
from mall.extensions import db, limiter, login_manager
from mall.fulfilment.services import hubs_for
from mall.templating import my_brands

bp = Blueprint("accounts", __name__)

LOGIN_FAILED = "Email or password is wrong."


def _next_url() -> str | None:
    return safe_next(request.args.get("next"))


def _landing_for(user) -> str:
    brands = my_brands()
    if brands:
        return url_for("brands.dashboard", slug=brands[0][0].slug)
    if user.is_operator:
        return url_for("operator.hubs")
    if user.is_creator:
        return url_for("links.home")
    if hubs_for(db.session, user):
        return url_for("fulfilment.hubs.index")
    return url_for("storefront.home")


def _status(form) -> int:
    return 422 if form.is_submitted() else 200


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], methods=["POST"])
def signup():
    next_url = _next_url()
    if current_user.is_authenticated:
        return redirect(next_url or url_for("accounts.new_brand"))
    form = SignupForm(email=request.args.get("email", "")[:254])
    if form.validate_on_submit():
        try:
            user = create_user(form.name.data, form.email.data, form.password.data)
        except EmailTaken:
            form.email.errors.append("An account with this email already exists. Log in instead?")
        else:
            login_user(user)
            flash(f"Welcome to Flashmall, {user.name}!", "success")
            return redirect(next_url or url_for("accounts.new_brand"), 303)
    return render_template("accounts/signup.html", form=form, next_url=next_url), _status(form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    next_url = _next_url()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or _landing_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            flash(f"Welcome back, {user.name}.", "success")
            return redirect(next_url or _landing_for(user), 303)
        form.form_errors.append(LOGIN_FAILED)
    return render_template("accounts/login.html", form=form, next_url=next_url), _status(form)


@bp.post("/logout")
def logout():
    logout_user()
    flash("You are logged out.", "success")
    return redirect(url_for("storefront.home"), 303)


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
    return render_template("accounts/new_brand.html", form=form), _status(form)


@bp.route("/invites/<token>", methods=["GET", "POST"])
def invite(token: str):
    try:
        invitation = read_invite(token)
    except InviteInvalid as problem:
        return render_template("accounts/invite_invalid.html", message=str(problem)), 400
    if not current_user.is_authenticated:
        if request.method == "POST":
            return login_manager.unauthorized()
        return render_template("accounts/invite.html", invite=invitation, here=request.path)
    if request.method == "GET":
        member = membership_of(invitation.tenant, current_user)
        status = 200 if member or current_user.email.lower() == invitation.email else 403
        return render_template("accounts/invite.html", invite=invitation, member=member, here=request.path), status
    try:
        accept_invite(invitation, current_user)
    except InviteForSomeoneElse:
        return render_template("accounts/invite.html", invite=invitation, member=None, here=request.path), 403
    flash(f"You joined {invitation.tenant.name}.", "success")
    return redirect(url_for("brands.dashboard", slug=invitation.tenant.slug), 303)
