from tenants.dashboard import brand_blueprint

bp = brand_blueprint("brands", __name__)


@bp.get("/")
def dashboard():
    return "dashboard"


@bp.get("/members")
def members():
    return "members"


@bp.get("/settings")
def settings():
    return "settings"
