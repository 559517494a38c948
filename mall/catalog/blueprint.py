from tenants.dashboard import brand_blueprint

bp = brand_blueprint("catalog", __name__)


@bp.get("/products")
def products():
    return "products"


@bp.get("/stock")
def stock():
    return "stock"
