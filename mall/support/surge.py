"""Surge tools: tags, canned replies, one answer to every thread with a tag, and the brand-wide banner."""

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mall.accounts.models import User
from mall.clock import utcnow
from mall.support import emails
from mall.support.models import CannedReply, SupportBanner, SupportThread, ThreadStatus, ThreadTag
from mall.support.services import SupportRuleBroken, write_reply

BULK_LIMIT = 500
TAG_SUGGESTIONS = ("sold out", "hold expired", "where is my order")


def add_tag(session: Session, thread: SupportThread, name: str) -> bool:
    if any(tag.name == name for tag in thread.tags):
        return False
    session.add(ThreadTag(tenant_id=thread.tenant_id, thread_id=thread.id, name=name))
    session.commit()
    return True


def remove_tag(session: Session, thread: SupportThread, name: str) -> bool:
    removed = session.execute(
        delete(ThreadTag).where(ThreadTag.thread_id == thread.id, ThreadTag.name == name)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return bool(removed)


def tags_in_use(session: Session, tenant_id: int) -> list[tuple[str, int]]:
    """Each tag of the brand with how many unresolved threads carry it."""
    return session.execute(
        select(ThreadTag.name, func.count(ThreadTag.id))
        .join(SupportThread, SupportThread.id == ThreadTag.thread_id)
        .where(ThreadTag.tenant_id == tenant_id, SupportThread.status != ThreadStatus.RESOLVED.value)
        .group_by(ThreadTag.name)
        .order_by(ThreadTag.name)
    ).all()


def bulk_reply(session: Session, tenant_id: int, author: User, tag: str, canned: CannedReply, then: str) -> int:
    """Answers every unresolved thread of this brand carrying `tag`, each with its own placeholders; all or none."""
    threads = session.scalars(
        select(SupportThread)
        .where(
            SupportThread.tenant_id == tenant_id,
            SupportThread.status != ThreadStatus.RESOLVED.value,
            SupportThread.tags.any(ThreadTag.name == tag),
        )
        .order_by(SupportThread.id)
        .limit(BULK_LIMIT)
    ).all()
    if not threads:
        raise SupportRuleBroken(f"No open conversation is tagged “{tag}”.")
    now = utcnow()
    outgoing = [write_reply(session, thread, author, canned.body, then, now)[1] for thread in threads]
    emails.commit_and_send(session, outgoing)
    return len(threads)


def canned_replies(session: Session, tenant_id: int) -> list[CannedReply]:
    replies = select(CannedReply).where(CannedReply.tenant_id == tenant_id).order_by(CannedReply.title)
    return list(session.scalars(replies))


def save_canned_reply(
    session: Session, tenant_id: int, title: str, body: str, reply: CannedReply | None = None
) -> CannedReply:
    clash = session.scalar(
        select(CannedReply.id).where(CannedReply.tenant_id == tenant_id, func.lower(CannedReply.title) == title.lower())
    )
    if clash is not None and (reply is None or clash != reply.id):
        raise SupportRuleBroken("You already have a canned reply with that title.")
    if reply is None:
        reply = CannedReply(tenant_id=tenant_id)
        session.add(reply)
    reply.title, reply.body = title, body
    session.commit()
    return reply


def delete_canned_reply(session: Session, reply: CannedReply) -> None:
    session.delete(reply)
    session.commit()


def banner_for(session: Session, tenant_id: int) -> SupportBanner | None:
    return session.scalar(
        select(SupportBanner).where(SupportBanner.tenant_id == tenant_id).execution_options(all_tenants=True)
    )


def save_banner(session: Session, tenant_id: int, headline: str, faq: str) -> SupportBanner:
    banner = banner_for(session, tenant_id)
    if banner is None:
        banner = SupportBanner(tenant_id=tenant_id)
        session.add(banner)
    banner.headline, banner.faq, banner.updated_at = headline, faq, utcnow()
    session.commit()
    return banner
