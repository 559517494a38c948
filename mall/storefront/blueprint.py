from flask import Blueprint

bp = Blueprint("storefront", __name__)


@bp.get("/")
def home():
    return "home"


@bp.get("/shop/<slug>")
def brand(slug):
    return "brand"
