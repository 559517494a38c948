"""The line page's figures for one shopper, from the published view, the shopper's place and the engine's units."""

from dataclasses import dataclass
from functools import cached_property
from datetime import UTC, datetime
from types import SimpleNamespace

from mall.admission.line import RATE_MINUTES, Snapshot, now_ms
from mall.drops.selling import SellState, headline, stock_state
from mall.stock.availability import Availability
from mall.stock.replies import DropUnitsNow
from mall.timefmt import duration


def _moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class LinePage:
    view: dict
    snapshot: Snapshot
    state: SellState
    units_left: int
    held: int
    now_ms: int

    @cached_property
    def drop(self):
        v = self.view
        return SimpleNamespace(id=v["drop_id"], title=v["title"], per_shopper_limit=v["per_shopper_limit"],
                               waitlist_offer_minutes=v["waitlist_offer_minutes"], starts_at=_moment(v["starts_ms"]),
                               ends_at=_moment(v["ends_ms"]))

    @property
    def place(self):
        return self.snapshot.place

    @cached_property
    def phase(self) -> str:
        """What the shopper sees first: ended, sold_out, admitted, in_line, pre_queue, upcoming (no place yet),
        join (no place, live), open (the drop needs no line)."""
        if self.state == SellState.ENDED:
            return "ended"
        if self.state == SellState.SOLD_OUT:
            return "sold_out"
        if not self.view["queued"]:
            return "open"
        if self.place.admitted_until:
            return "admitted"
        if self.place.ahead is not None:
            return "in_line"
        if self.place.pre_queue:
            return "pre_queue"
        return "upcoming" if self.state == SellState.UPCOMING else "join"

    @property
    def over(self) -> bool:
        """Nothing more will change: polling may stop. A sell-out counts once the published view (with its fallback
        offer) says so too: until the next tick publishes it, the page keeps asking."""
        return self.phase == "ended" or (self.phase == "sold_out" and self.view["state"] == "sold_out")

    @property
    def headline(self) -> str:
        return headline(self.state, self.units_left, self.held, None, self.view["cancelled"])

    @property
    def admitted_until(self) -> datetime | None:
        until = self.place.admitted_until
        return _moment(until) if until else None

    @property
    def estimated_wait(self) -> str:
        ahead = self.place.ahead or 0
        if ahead == 0:
            return "any moment now"
        per_minute = self.snapshot.admitted_lately / RATE_MINUTES
        if per_minute <= 0:
            return "not known yet: nobody has been let in in the last few minutes (units must come back first)"
        return "about " + duration(60 * ahead / per_minute)

    def heroes(self):
        """(item, hero) pairs as storefront/_not_buyable.html draws them."""
        item = SimpleNamespace(state=str(self.state), headline=self.headline)
        for hero in self.view["heroes"]:
            yield item, SimpleNamespace(variant=SimpleNamespace(id=hero["variant_id"]), label=hero["label"],
                                        list_price_cents=hero["list_price_cents"])

    @property
    def fallback(self):
        offer = self.view["fallback"]
        if not offer:
            return None
        return SimpleNamespace(variant=SimpleNamespace(id=offer["variant_id"], label=offer["label"]), **{
            k: offer[k] for k in ("free", "price_cents", "list_price_cents", "percent_off")})


def line_page(view: dict, snapshot: Snapshot, units: DropUnitsNow | None, *, now: int | None = None) -> LinePage:
    now = now or now_ms()
    if view["cancelled"] or now >= view["ends_ms"]:
        state = SellState.ENDED
    elif now < view["starts_ms"]:
        state = SellState.UPCOMING
    elif units is None:
        state = SellState(view["state"])
    else:
        state = stock_state(Availability(free=units.free, held=units.held))  # the sell state's own rule
    free, held = (units.free, units.held) if units else (view["free"], view["held"])
    return LinePage(view, snapshot, state, free, held, now)
