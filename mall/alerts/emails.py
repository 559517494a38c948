"""Alert emails: written in the same transaction that raises the alert, so each alert is emailed once."""

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.accounts.models import User
from mall.alerts.links import cause_url
from mall.alerts.models import Alert, Severity
from mall.alerts.thresholds import thresholds_for
from mall.outbox.delivery import queue_delivery
from mall.outbox.models import OutboxEmail
from mall.urls import external_url
from tenants.models import Membership, Role

RECIPIENT_ROLES = {"owners": (Role.OWNER.value,), "managers": (Role.OWNER.value, Role.MANAGER.value)}


def dedupe_key(alert: Alert, user_id: int) -> str:
    return f"alert:{alert.id}:{user_id}"


def recipients(session: Session, alert: Alert) -> list[User]:
    """Brand alerts: the roles the brand chose, if it emails this severity. Operator alerts: operators, when severe."""
    if alert.tenant_id is None:
        if alert.severity != Severity.SEVERE.value:
            return []
        return list(session.scalars(select(User).where(User.is_operator.is_(True)).order_by(User.id)))
    thresholds = thresholds_for(session, [alert.tenant_id])[alert.tenant_id]
    if not thresholds.emails(alert.severity):
        return []
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == alert.tenant_id, Membership.role.in_(RECIPIENT_ROLES[thresholds.email_to]))
            .order_by(User.id)
        )
    )


def alerts_url(alert: Alert) -> str:
    if alert.tenant is None:
        return external_url("operator_alerts.index")
    return external_url("alerts.index", slug=alert.tenant.slug)


def write_alert_emails(session: Session, alerts: list[Alert]) -> list[str]:
    """Outbox rows for freshly raised alerts (not yet committed); returns their keys for delivery after commit."""
    keys = []
    for alert in alerts:
        people = recipients(session, alert)
        if not people:
            continue
        where = alert.tenant.name if alert.tenant is not None else "Flashmall operator"
        subject = f"[{alert.severity}] {alert.kind_label} — {where}"
        body = render_template(
            "alerts/email_alert.txt", alert=alert, where=where,
            link=cause_url(alert, external=True), alerts_link=alerts_url(alert),
        )
        for person in people:
            key = dedupe_key(alert, person.id)
            session.add(OutboxEmail(to_address=person.email, subject=subject[:200], body=body, dedupe_key=key))
            keys.append(key)
    session.flush()
    return keys


def queue_alert_emails(keys: list[str]) -> None:
    for key in keys:
        queue_delivery(key)
