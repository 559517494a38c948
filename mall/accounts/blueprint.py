"""Sign up, log in, log out."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from mall.accounts.forms import LoginForm, SignupForm
from mall.accounts.services import EmailTaken, authenticate, create_user, safe_next
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
