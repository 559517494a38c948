from flask import Blueprint

bp = Blueprint("accounts", __name__)


@bp.get("/signup")
def signup():
    return "signup"


@bp.get("/login")
def login():
    return "login"


@bp.post("/logout")
def logout():
    return "logout"


@bp.get("/brands/new")
def new_brand():
    return "new brand"
