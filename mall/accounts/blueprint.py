"""Sign up, log in, log out."""

import time

from flask import Blueprint, Response, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_limiter import RequestLimit
from flask_login import current_user, login_required, login_user, logout_user

from mall.accounts.forms import ChangePasswordForm, LoginForm, SignupForm
from mall.accounts.login import keep_this_browser_signed_in
from mall.accounts.models import User
from mall.accounts.services import (
    EmailTaken,
    authenticate,
    change_password,
    create_user,
    end_every_session,
    normalise_email,
    safe_next,
)
from mall.extensions import db, limiter
from mall.fulfilment.services import hubs_for
from tenants.lookups import my_brands

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
        return redirect(next_url or url_for("onboarding.new_brand"))
    form = SignupForm(email=request.args.get("email", "")[:254])
    if form.validate_on_submit():
        try:
            user = create_user(form.name.data, form.email.data, form.password.data)
        except EmailTaken:
            form.email.errors.append("An account with this email already exists. Log in instead?")
        else:
            login_user(user)
            flash(f"Welcome to Flashmall, {user.name}!", "success")
            return redirect(next_url or url_for("onboarding.new_brand"), 303)
    return render_template("accounts/signup.html", form=form, next_url=next_url), _status(form)


def _submitted_account() -> str:
    """The per-account login throttle's key: the email as accounts are looked up, whatever IP it comes from."""
    return "login-account:" + normalise_email(request.form.get("email", ""))[:254]


def _login_throttled(limit: RequestLimit) -> Response:
    """The 429 for too many logins: the form again, email kept, saying when the limit lets the next one through."""
    wait = max(1, int(limit.reset_at - time.time()))  # as Flask-Limiter counts its Retry-After
    form = LoginForm()
    form.form_errors.append(f"Too many attempts to log in. Try again in {wait} second{'' if wait == 1 else 's'}.")
    page = render_template("accounts/login.html", form=form, next_url=_next_url())
    return make_response(page, 429, {"Retry-After": str(wait)})


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], on_breach=_login_throttled)
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"],
    methods=["POST"],
    key_func=_submitted_account,
    on_breach=_login_throttled,
)
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
    if current_user.is_authenticated:
        end_every_session(db.session.get(User, current_user.id))  # every browser, and any copy of this one's cookies
    logout_user()
    flash("You are logged out.", "success")
    return redirect(url_for("storefront.home"), 303)


@bp.route("/account", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        if change_password(user, form.current.data, form.password.data):
            keep_this_browser_signed_in(user)
            flash("Your password is changed. Every other browser is signed out.", "success")
            return redirect(url_for("accounts.account"), 303)
        form.current.errors.append("That is not your current password.")
    return render_template("accounts/account.html", form=form), _status(form)

