"""The add-to-cart POST's speed-only pieces: the only ones in the mall that save at least 10% of their endpoint's CPU.

Measured by `.venv/bin/python benchmarks/speed_pieces.py` (in-process CPU µs per request, piece vs the plain way,
alternating rounds of 500 requests; three runs on the granian tree, 7, 9 and 9 rounds):

- `hold_choice`, reading three integers without a form object, against a FlaskForm with IntegerFields:
  584 vs 681, 616 vs 693 and 574 vs 650 µs per hold: 14.3%, 11.1% and 11.6% of the hold's CPU.
- `hold_reply`, the reply fragment as a macro (Flask's `get_template_attribute`: no template context, so no user is
  loaded) against `render_template` of the same macros, about 70-110 µs a reply: a refused hold (sold out, over
  the limit) 20.7%, 19.8% and 19.3% of its CPU; a held one 12.6%, 9.1% and 9.4% (at the line: the saving is the
  same, a held request does more work).

- `skips_rate_limiter`, Flask-Limiter's public `request_filter` answering True for the add-to-cart POST, against
  `limiter.exempt` alone (which Flask-Limiter honours only after resolving every limit for the view): 1,840 vs
  2,065 µs per held hold, 10.9% (median of 11 rounds, per-round range -6.0 to +19.3%, measured while six test runs
  shared the 2 cores; a 5-round run beside it gave 9.5%). At the line: it stays because it is Flask-Limiter's own
  documented switch, not a reach into its internals. `--only skips` runs just this row.

Everything else that existed for speed (stamped macros, context-free partials, a one-pass security-header hook)
saved under 10% and is gone.
"""

from dataclasses import dataclass

from flask import get_template_attribute, request
from werkzeug.datastructures import MultiDict

from mall.ids import is_row_id
from mall.timefmt import ms_iso, time_left

HOLD_REPLY = "checkout/_hold_result.html"
COUNTS_ITS_OWN_TRIES = frozenset({"checkout.hold"})  # endpoints whose tries the engine's Lua counts


@dataclass(frozen=True)
class HoldChoice:
    drop_id: int
    variant_id: int
    quantity: int


def hold_choice(form: MultiDict) -> HoldChoice | None:
    """The add-to-cart POST (drop, item, 1..50 units), or None when it is not one; the view checks its token."""
    try:
        choice = HoldChoice(int(form["drop_id"]), int(form["variant_id"]), int(form["quantity"]))
    except (KeyError, ValueError):
        return None
    if is_row_id(choice.drop_id) and is_row_id(choice.variant_id) and 1 <= choice.quantity <= 50:
        return choice
    return None


def hold_reply(expires_ms: int | None, message: str = "", line_url: str = "") -> str:
    """The htmx reply to an add-to-cart: held until `expires_ms` (epoch ms), or refused with `message` (and a link
    back to the drop's line when it refused for want of an admission)."""
    if expires_ms is not None:
        return get_template_attribute(HOLD_REPLY, "held")(ms_iso(expires_ms), time_left(expires_ms, "Hold expired"))
    return get_template_attribute(HOLD_REPLY, "refused")(message, line_url)


def skips_rate_limiter() -> bool:
    """Registered with `limiter.request_filter`: the add-to-cart POST counts its tries per cart and per IP inside the
    engine's Lua call, so Flask-Limiter skips it before resolving any limit."""
    return request.endpoint in COUNTS_ITS_OWN_TRIES
