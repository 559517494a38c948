"""Which ways to pay the mall offers, and its fee: the operator's setting, with safe defaults until it is saved."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.payments.models import PaymentSettings
from mall.payments.providers import PaymentProvider, all_providers, default_offered


@dataclass(frozen=True)
class Offer:
    codes: list[str]
    mall_fee_bp: int


def current_offer(session: Session) -> Offer:
    row = session.scalar(select(PaymentSettings).order_by(PaymentSettings.id).limit(1))
    if row is None:
        return Offer(default_offered(), 0)
    return Offer([c for c in row.offered.split(",") if c], row.mall_fee_bp)


def offered_providers(session: Session) -> list[PaymentProvider]:
    """The ways to pay a shopper can choose now: offered by the operator and configured."""
    providers = all_providers()
    chosen = [providers[c] for c in current_offer(session).codes if c in providers and providers[c].available()]
    return chosen or [providers["pay_on_handover"]]


def save_offer(session: Session, codes: list[str], mall_fee_bp: int) -> None:
    row = session.scalar(select(PaymentSettings).order_by(PaymentSettings.id).limit(1))
    if row is None:
        row = PaymentSettings(offered="", mall_fee_bp=0)
        session.add(row)
    row.offered = ",".join(c for c in codes if c in all_providers())
    row.mall_fee_bp = mall_fee_bp
    session.commit()
