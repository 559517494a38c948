"""Where an alert points: a URL built from the ids stored on it, never from anything a person typed."""

from flask import url_for

from mall.alerts.models import Alert, LinkKind
from mall.extensions import db
from mall.hubs.models import Hub
from mall.urls import external_url

_BRAND_ENDPOINTS = {
    LinkKind.DROP.value: ("drops.detail", "drop_id"),
    LinkKind.VARIANT.value: ("catalog.variant_stock", "variant_id"),
    LinkKind.SUB_ORDER.value: ("orders.detail", "sub_order_id"),
    LinkKind.THREAD.value: ("support.inbox.thread", "thread_id"),
}


def cause_target(alert: Alert) -> tuple[str, dict] | None:
    """(endpoint, values) of what caused the alert, or None when it no longer exists."""
    if alert.link_kind in _BRAND_ENDPOINTS and alert.tenant is not None and alert.link_id:
        endpoint, name = _BRAND_ENDPOINTS[alert.link_kind]
        return endpoint, {"slug": alert.tenant.slug, name: alert.link_id}
    if alert.link_kind == LinkKind.HUB.value and alert.link_id:
        hub = db.session.get(Hub, alert.link_id)
        return ("fulfilment.hubs.picking", {"code": hub.code}) if hub is not None else None
    if alert.link_kind == LinkKind.JOB.value and "/" in alert.link_ref:
        queue, job_id = alert.link_ref.split("/", 1)
        return "operator_alerts.failed_job_page", {"queue": queue, "job_id": job_id}
    return None


def cause_url(alert: Alert, external: bool = False) -> str | None:
    target = cause_target(alert)
    if target is None:
        return None
    endpoint, values = target
    return external_url(endpoint, **values) if external else url_for(endpoint, **values)


def cause_label(alert: Alert) -> str:
    return {
        LinkKind.DROP.value: "Open the drop",
        LinkKind.VARIANT.value: "Stock of this item",
        LinkKind.SUB_ORDER.value: "Open the order",
        LinkKind.THREAD.value: "Open the conversation",
        LinkKind.HUB.value: "Hub picking list",
        LinkKind.JOB.value: "The failed job",
    }[alert.link_kind]
