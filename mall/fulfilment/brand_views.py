"""A brand's view of the parcels that carry its lines (other brands' items stay out of sight)."""

from flask import g, request

from mall.extensions import db
from mall.fulfilment import services
from mall.fulfilment.models import STATUS_LABELS
from mall.rendering import render_page
from tenants.dashboard import brand_blueprint

bp = brand_blueprint("parcels", __name__)


@bp.get("/parcels")
def index():
    wanted = request.args.get("status", "")
    wanted = wanted if wanted in {s.value for s in STATUS_LABELS} else ""
    rows = services.brand_parcels(db.session, g.tenant.id, wanted)
    return render_page(
        "fulfilment/brand_parcels.html", block="results", rows=rows, wanted=wanted, statuses=STATUS_LABELS
    )
