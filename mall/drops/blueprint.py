from tenants.dashboard import brand_blueprint

bp = brand_blueprint("drops", __name__)


@bp.get("/drops")
def index():
    return "drops"
