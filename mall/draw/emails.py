"""The draw's emails, each written in its own transaction's outbox row and delivered by the outbox."""

from flask import render_template

from mall.draw.links import entry_link_token
from mall.draw.models import Draw, DrawEntry
from mall.outbox.models import OutboxEmail
from mall.urls import external_url


def confirm_email(entry: DrawEntry, draw: Draw) -> OutboxEmail:
    link = external_url("draw.confirm_page", token=entry_link_token("confirm", entry.id))
    return _email(entry, draw, "confirm", f"Confirm your entry: {draw.drop.title}", link=link)


def win_email(entry: DrawEntry, draw: Draw, price_cents: int) -> OutboxEmail:
    link = external_url("draw.win_page", token=entry_link_token("win", entry.id))
    return _email(entry, draw, f"win:{entry.win_hold_id}", f"You won the draw: {entry.variant.label}", link=link,
                  price_cents=price_cents)


def reserve_email(entry: DrawEntry, draw: Draw) -> OutboxEmail:
    return _email(entry, draw, "reserve", f"The draw for {draw.drop.title}: you are next in line #{entry.position}")


def lost_email(entry: DrawEntry, draw: Draw) -> OutboxEmail:
    return _email(entry, draw, "lost", f"The draw for {draw.drop.title} is over")


def _email(entry: DrawEntry, draw: Draw, kind: str, subject: str, **context) -> OutboxEmail:
    body = render_template(
        f"draw/email_{kind.partition(':')[0]}.txt", entry=entry, draw=draw, drop=draw.drop,
        entry_link=external_url("draw.entry_page", token=entry_link_token("entry", entry.id)),
        verify_link=external_url("draw.verification", drop_id=draw.drop_id), **context,
    )
    return OutboxEmail(to_address=entry.email, subject=subject[:200], body=body, dedupe_key=email_key(entry.id, kind))


def email_key(entry_id: int, kind: str) -> str:
    return f"draw-{kind}:{entry_id}"[:100]
