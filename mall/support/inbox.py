"""The brand inbox: which threads a filter shows, and the counts beside the filters."""

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from mall.support.models import PRIORITY_RANK, Priority, SlaAlert, SupportThread, ThreadStatus, ThreadTag
from mall.support.sla import due_soon_clause, overdue_clause

PAGE_SIZE = 100
STATUS_FILTERS = ("open", "pending", "snoozed", "resolved", "all")
WHO_FILTERS = ("", "mine", "unassigned")
SLA_FILTERS = ("", "due", "breached")
_PRIORITY_ORDER = case({p.value: rank for p, rank in PRIORITY_RANK.items()}, value=SupportThread.priority, else_=1)


@dataclass(frozen=True)
class InboxFilters:
    status: str = "open"
    who: str = ""
    priority: str = ""
    sla: str = ""
    tag: str = ""

    @classmethod
    def from_args(cls, args) -> "InboxFilters":
        """Unknown values fall back to the default rather than failing: these come from links people share."""

        def pick(name, allowed, default=""):
            value = args.get(name, default)
            return value if value in allowed else default

        return cls(
            status=pick("status", STATUS_FILTERS, "open"),
            who=pick("who", WHO_FILTERS),
            priority=pick("priority", ("", *(p.value for p in Priority))),
            sla=pick("sla", SLA_FILTERS),
            tag=(args.get("tag") or "").strip().lower()[:40],
        )

    def as_args(self, **changes) -> dict:
        return {k: v for k, v in {**asdict(self), **changes}.items() if v}


def list_threads(
    session: Session, tenant_id: int, user_id: int, filters: InboxFilters, now: datetime
) -> list[SupportThread]:
    stmt = (
        select(SupportThread)
        .where(SupportThread.tenant_id == tenant_id)
        .options(selectinload(SupportThread.assignee), selectinload(SupportThread.tags))
        .order_by(SupportThread.escalated.desc(), _PRIORITY_ORDER.desc(), SupportThread.last_message_at.desc())
        .limit(PAGE_SIZE)
    )
    if filters.status != "all":
        stmt = stmt.where(SupportThread.status == filters.status)
    if filters.who == "mine":
        stmt = stmt.where(SupportThread.assignee_id == user_id)
    elif filters.who == "unassigned":
        stmt = stmt.where(SupportThread.assignee_id.is_(None))
    if filters.priority:
        stmt = stmt.where(SupportThread.priority == filters.priority)
    if filters.sla == "due":
        stmt = stmt.where(due_soon_clause(now))
    elif filters.sla == "breached":
        stmt = stmt.where(overdue_clause(now))
    if filters.tag:
        stmt = stmt.where(SupportThread.tags.any(ThreadTag.name == filters.tag))
    return list(session.scalars(stmt))


def inbox_counts(session: Session, tenant_id: int, user_id: int, now: datetime) -> dict[str, int]:
    """Threads per status, plus the open work that is mine, unassigned, due soon or late."""
    by_status = dict(
        session.execute(
            select(SupportThread.status, func.count())
            .where(SupportThread.tenant_id == tenant_id)
            .group_by(SupportThread.status)
        ).all()
    )
    counts = {status.value: by_status.get(status.value, 0) for status in ThreadStatus}
    counts["all"] = sum(by_status.values())
    unresolved = (SupportThread.tenant_id == tenant_id, SupportThread.status != ThreadStatus.RESOLVED.value)
    for name, clause in (
        ("mine", SupportThread.assignee_id == user_id),
        ("unassigned", SupportThread.assignee_id.is_(None)),
        ("due", due_soon_clause(now)),
        ("breached", overdue_clause(now)),
    ):
        counts[name] = session.scalar(select(func.count()).select_from(SupportThread).where(*unresolved, clause))
    return counts


def open_count(session: Session, tenant_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(SupportThread).where(
            SupportThread.tenant_id == tenant_id, SupportThread.status == ThreadStatus.OPEN.value
        )
    )


def active_alerts(session: Session, tenant_id: int) -> list[SlaAlert]:
    return list(
        session.scalars(
            select(SlaAlert)
            .where(SlaAlert.tenant_id == tenant_id, SlaAlert.dismissed_at.is_(None))
            .options(selectinload(SlaAlert.thread))
            .order_by(SlaAlert.raised_at.desc())
            .limit(20)
        )
    )
