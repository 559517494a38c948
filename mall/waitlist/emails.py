"""The offer email: written in the offer's own transaction, delivered by the outbox."""

from flask import render_template

from mall.drops.models import Drop
from mall.outbox.models import OutboxEmail
from mall.urls import external_url
from mall.waitlist.links import offer_token
from mall.waitlist.models import WaitlistEntry


def offer_email_key(entry_id: int, hold_id: str) -> str:
    return f"waitlist-offer:{entry_id}:{hold_id}"


def offer_email(entry: WaitlistEntry, drop: Drop, hold_id: str, price_cents: int) -> OutboxEmail:
    link = external_url("waitlist.open_offer", token=offer_token(entry.id, hold_id))
    body = render_template(
        "waitlist/email_offer.txt", entry=entry, drop=drop, price_cents=price_cents, link=link
    )
    return OutboxEmail(
        to_address=entry.email,
        subject=f"A unit came back for you: {entry.variant.label}"[:200],
        body=body,
        dedupe_key=offer_email_key(entry.id, hold_id),
    )
