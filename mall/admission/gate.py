"""The one check the hold path makes while a drop's line is on: does this cart carry a valid admission?

Its cost on every add-to-cart: one Redis GET of the drop's gate record (written by services.publish, read from the
database only when Redis has none) and, for a queued drop, one HMAC. `benchmarks/admission.py` measures it."""

from dataclasses import dataclass

from flask import url_for
from werkzeug.datastructures import ImmutableMultiDict

from mall.admission.line import key, now_ms
from mall.admission.tokens import admission_is_valid, cookie_name
from mall.extensions import redis_client

OPEN = "open"


@dataclass(frozen=True)
class Gate:
    """A drop's entry rule now: open, or queued (with the brand's slug for the line's address, the fallback variant
    that anyone in line may hold once the drop is sold out, and whether it is)."""

    queued: bool
    slug: str = ""
    fallback_id: int = 0
    sold_out: bool = False

    def record(self) -> str:
        return f"queue|{self.slug}|{self.fallback_id}|{int(self.sold_out)}" if self.queued else OPEN


OPEN_GATE = Gate(False)


def parse_gate(value) -> Gate | None:
    if value is None:
        return None
    text = value.decode() if isinstance(value, bytes) else value
    if text == OPEN:
        return OPEN_GATE
    _, slug, fallback, sold_out = text.split("|")
    return Gate(True, slug, int(fallback), sold_out == "1")


def gate_of(drop_id: int) -> Gate:
    gate = parse_gate(redis_client().get(key(drop_id, "gate")))
    if gate is None:
        from mall.admission.services import publish_gate_from_database  # only when Redis lost the record

        gate = publish_gate_from_database(drop_id)
    return gate


@dataclass(frozen=True)
class HoldCheck:
    refusal: str = ""  # the message when refused
    line_url: str = ""
    admitted: bool = False  # the hold rides on an admission (used once it succeeds)

    @property
    def refused(self) -> bool:
        return bool(self.refusal)


ALLOWED = HoldCheck()


def check_hold(drop_id: int, variant_id: int, cart: str | None, cookies: ImmutableMultiDict) -> HoldCheck:
    """May this cart hold this variant of the drop now? Open drops: yes. Queued: with a valid admission, or the
    fallback item once the drop is sold out (the line has nothing else to wait for)."""
    gate = gate_of(drop_id)
    if not gate.queued:
        return ALLOWED
    if admission_is_valid(drop_id, cart, cookies.get(cookie_name(drop_id)), now_ms()):
        return HoldCheck(admitted=True)
    if gate.sold_out and variant_id == gate.fallback_id:
        return ALLOWED
    url = url_for("admission.line", slug=gate.slug, drop_id=drop_id)
    return HoldCheck(
        "This drop lets shoppers in from a line as its stock allows, and it is not your turn yet (or your turn "
        "ended). Wait in the line: you can add to cart when it lets you in.",
        url,
    )
