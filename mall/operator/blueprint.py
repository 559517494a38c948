from flask import Blueprint

bp = Blueprint("operator", __name__, url_prefix="/operator")


@bp.get("/hubs")
def hubs():
    return "hubs"
