"""Support SLA breaches in the unified list: the support job records them (SlaAlert); alerts mirror the unresolved ones."""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mall.alerts.models import Kind, LinkKind, Severity
from mall.alerts.raising import Finding
from mall.support.models import SlaAlert, SlaCause, SupportThread, ThreadStatus


def sla_breaches(session: Session) -> list[Finding]:
    """Each SLA alert not dismissed whose thread still owes that target: no first reply yet, or not resolved."""
    rows = session.execute(
        select(SlaAlert.tenant_id, SlaAlert.thread_id, SlaAlert.cause, SupportThread.subject)
        .join(SupportThread, SupportThread.id == SlaAlert.thread_id)
        .where(
            SlaAlert.dismissed_at.is_(None),
            SupportThread.status != ThreadStatus.RESOLVED.value,
            or_(SlaAlert.cause != SlaCause.FIRST_RESPONSE.value, SupportThread.first_responded_at.is_(None)),
        )
        .execution_options(all_tenants=True)
    ).all()
    return [
        Finding(
            tenant_id, Kind.SLA_BREACH, Severity.WARNING, f"sla:thread:{thread_id}:{cause}",
            f"Missed the {'first response' if cause == SlaCause.FIRST_RESPONSE.value else 'resolution'} target: “{subject}”.",
            LinkKind.THREAD, thread_id,
        )
        for tenant_id, thread_id, cause, subject in rows
    ]
