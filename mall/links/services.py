"""The creator programme: brands invite or approve creators on their terms; approved creators make links."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mall.accounts.models import User
from mall.accounts.services import find_user_by_email
from mall.clock import utcnow
from mall.drops.models import Drop, DropStatus
from mall.drops.pricing import effective_status
from mall.extensions import redis_client
from mall.links import codes
from mall.links.models import CreatorLink, CreatorPartnership, LinkTarget, PartnershipStatus
from mall.links.redirects import publish_links
from tenants.models import Tenant

DEFAULT_COMMISSION_BP = 1000
DEFAULT_WINDOW_HOURS = 24
LINKABLE = (DropStatus.SCHEDULED, DropStatus.LIVE)
S = PartnershipStatus


class ProgrammeRuleBroken(ValueError):
    """A programme step that does not fit where the partnership stands; the message is for people."""


class CodeTaken(ValueError):
    """Another link already uses this code."""


def partnership(session: Session, tenant_id: int, creator_id: int) -> CreatorPartnership | None:
    return session.scalar(
        select(CreatorPartnership)
        .where(CreatorPartnership.tenant_id == tenant_id, CreatorPartnership.creator_id == creator_id)
        .execution_options(all_tenants=True)
    )


def _save(session: Session, row: CreatorPartnership, status: PartnershipStatus, **terms) -> CreatorPartnership:
    row.status = status.value
    for name, value in terms.items():
        setattr(row, name, value)
    if status in (S.APPROVED, S.DECLINED, S.ENDED):
        row.decided_at = utcnow()
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # a second click or another member got there first
        session.rollback()
        raise ProgrammeRuleBroken("That partnership changed a moment ago. Reload the page and try again.") from None
    _republish(session, row)
    return row


def _republish(session: Session, row: CreatorPartnership) -> None:
    publish_links(
        session, redis_client(), CreatorLink.tenant_id == row.tenant_id, CreatorLink.creator_id == row.creator_id
    )


# -- the brand's side -----------------------------------------------------------------------------------
def invite_creator(
    session: Session, tenant: Tenant, email: str, commission_bp: int, window_hours: int
) -> CreatorPartnership:
    creator = find_user_by_email(email)
    if creator is None or not creator.is_creator:
        raise ProgrammeRuleBroken(
            "No creator account uses that email yet. Ask them to join at /creators/join, then invite them."
        )
    row = partnership(session, tenant.id, creator.id)
    terms = {"commission_bp": commission_bp, "window_hours": window_hours}
    if row is None:
        return _save(session, CreatorPartnership(tenant_id=tenant.id, creator_id=creator.id), S.INVITED, **terms)
    if row.status == S.APPROVED:
        raise ProgrammeRuleBroken(f"{creator.name} is already in your creator programme.")
    if row.status == S.APPLIED:
        return _save(session, row, S.APPROVED, **terms)  # they asked first: inviting them is saying yes
    return _save(session, row, S.INVITED, **terms)


def applications_waiting(session: Session, tenant_id: int) -> int:
    """Creators who applied to the brand and have no answer yet."""
    return session.scalar(
        select(func.count()).select_from(CreatorPartnership)
        .where(CreatorPartnership.tenant_id == tenant_id, CreatorPartnership.status == S.APPLIED)
    ) or 0


def decide_application(
    session: Session, row: CreatorPartnership, approve: bool, commission_bp: int, window_hours: int
) -> CreatorPartnership:
    if row.status != S.APPLIED:
        raise ProgrammeRuleBroken("There is no open application from this creator.")
    if approve:
        return _save(session, row, S.APPROVED, commission_bp=commission_bp, window_hours=window_hours)
    return _save(session, row, S.DECLINED)


def change_terms(
    session: Session, row: CreatorPartnership, commission_bp: int, window_hours: int
) -> CreatorPartnership:
    """New terms apply to orders placed from now on; orders already credited keep their rate."""
    if row.status not in (S.APPROVED, S.INVITED):
        raise ProgrammeRuleBroken("Only a current creator's or an invitation's terms can change.")
    return _save(session, row, S(row.status), commission_bp=commission_bp, window_hours=window_hours)


def end_partnership(session: Session, row: CreatorPartnership) -> CreatorPartnership:
    """Their links keep working for shoppers but stop counting and earning."""
    if row.status not in (S.APPROVED, S.INVITED):
        raise ProgrammeRuleBroken("This creator is not in your programme.")
    return _save(session, row, S.ENDED)


# -- the creator's side ---------------------------------------------------------------------------------
def apply_to_brand(session: Session, creator: User, tenant: Tenant) -> CreatorPartnership:
    row = partnership(session, tenant.id, creator.id)
    if row is None:
        row = CreatorPartnership(
            tenant_id=tenant.id, creator_id=creator.id, commission_bp=DEFAULT_COMMISSION_BP, window_hours=DEFAULT_WINDOW_HOURS
        )
        return _save(session, row, S.APPLIED)
    if row.status == S.APPROVED:
        raise ProgrammeRuleBroken(f"You are already in {tenant.name}'s programme.")
    if row.status == S.APPLIED:
        raise ProgrammeRuleBroken(f"You already applied to {tenant.name}; they have not answered yet.")
    if row.status == S.INVITED:
        raise ProgrammeRuleBroken(f"{tenant.name} already invited you: accept the invitation above.")
    return _save(session, row, S.APPLIED)


def answer_invitation(session: Session, row: CreatorPartnership, accept: bool) -> CreatorPartnership:
    if row.status != S.INVITED:
        raise ProgrammeRuleBroken("That invitation is no longer open.")
    return _save(session, row, S.APPROVED if accept else S.DECLINED)


def creator_partnerships(session: Session, creator: User) -> list[CreatorPartnership]:
    return list(
        session.scalars(
            select(CreatorPartnership)
            .join(Tenant, Tenant.id == CreatorPartnership.tenant_id)
            .where(CreatorPartnership.creator_id == creator.id)
            .order_by(Tenant.name)
            .execution_options(all_tenants=True)
        )
    )


def brands_open_to(session: Session, creator: User) -> list[Tenant]:
    """Brands the creator has no current or pending partnership with."""
    busy = select(CreatorPartnership.tenant_id).where(
        CreatorPartnership.creator_id == creator.id,
        CreatorPartnership.status.in_([S.APPROVED.value, S.APPLIED.value, S.INVITED.value]),
    )
    return list(session.scalars(select(Tenant).where(Tenant.id.not_in(busy)).order_by(Tenant.name)))


# -- links ----------------------------------------------------------------------------------------------
def linkable_drops(session: Session, tenant_ids: list[int]) -> list[Drop]:
    """Drops a creator may point a link at: scheduled or live, in the brands that approved them."""
    now = utcnow()
    drops = session.scalars(
        select(Drop)
        .where(
            Drop.tenant_id.in_(tenant_ids),
            Drop.status.in_([DropStatus.SCHEDULED.value, DropStatus.LIVE.value]),
            Drop.ends_at > now,
        )
        .order_by(Drop.starts_at)
        .execution_options(all_tenants=True)
    )
    return [drop for drop in drops if effective_status(drop, now) in LINKABLE]


def create_link(
    session: Session, creator: User, tenant_id: int, drop_id: int | None, custom_code: str = ""
) -> CreatorLink:
    row = partnership(session, tenant_id, creator.id)
    if row is None or row.status != S.APPROVED:
        raise ProgrammeRuleBroken("You can only make links for brands that approved you.")
    if drop_id is not None:
        drop = session.scalar(
            select(Drop).where(Drop.id == drop_id, Drop.tenant_id == tenant_id).execution_options(all_tenants=True)
        )
        if drop is None or effective_status(drop, utcnow()) not in LINKABLE:
            raise ProgrammeRuleBroken("That drop is over or not open for links. Choose another.")
    tries = [custom_code] if custom_code else [codes.new_code() for _ in range(5)]
    for code in tries:
        link = CreatorLink(
            tenant_id=tenant_id, creator_id=creator.id, code=code, drop_id=drop_id,
            target=(LinkTarget.DROP if drop_id is not None else LinkTarget.BRAND).value,
        )
        session.add(link)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            continue
        publish_links(session, redis_client(), CreatorLink.id == link.id)
        return link
    raise CodeTaken(custom_code)


def code_taken(session: Session, code: str) -> bool:
    query = select(CreatorLink.id).where(CreatorLink.code == code).execution_options(all_tenants=True)
    return session.scalar(query) is not None


def creator_links(session: Session, creator: User) -> list[CreatorLink]:
    return list(
        session.scalars(
            select(CreatorLink)
            .where(CreatorLink.creator_id == creator.id)
            .order_by(CreatorLink.created_at.desc(), CreatorLink.id.desc())
            .execution_options(all_tenants=True)
        )
    )
