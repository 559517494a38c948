"""What each speed-only piece of the app (mall/checkout/fast_paths.py) saves of its endpoint's CPU, in-process.

    .venv/bin/python benchmarks/speed_pieces.py [--rounds 7] [--requests 500]

Builds the app on a scratch SQLite file and an embedded Redis, seeds one live drop, then for each piece runs its
endpoint through app.test_client() with the piece and with the plain Flask/Jinja/WTForms way, in alternating
rounds, timing each request with time.process_time() (this process's CPU only: a noisy neighbour costs wall time,
not our CPU). Prints CPU µs/request per variant (median over rounds) and the saving in % of the endpoint's CPU.
A piece stays only if it saves at least 10% (issue #14, part 4). The pieces that did not (stamped macros,
context-free partials, a one-pass security-header hook) were measured by this script's first commit and removed.
"""

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import render_template  # noqa: E402
from flask_wtf import FlaskForm  # noqa: E402
from jinja2 import ChoiceLoader, DictLoader  # noqa: E402
from wtforms import IntegerField  # noqa: E402
from wtforms.validators import InputRequired, NumberRange  # noqa: E402

from benchmarks.stack import seed  # noqa: E402

ONLY = [""]  # --only
KEEP_AT = 10.0  # % of the endpoint's CPU a piece must save to stay
# The hold reply as an ordinary template, for the plain side only (served from a DictLoader in front of the app's).
PLAIN_HOLD_REPLY = "bench/hold_reply.html"
PLAIN_TEMPLATES = {
    PLAIN_HOLD_REPLY: '{% from "checkout/_hold_result.html" import held, refused %}'
    "{% if expires_ms %}{{ held(expires_ms|ms_iso, expires_ms|time_left('Hold expired')) }}"
    "{% else %}{{ refused(message) }}{% endif %}",
}


# -- the plain replacements ------------------------------------------------------------------------------------------
class PlainHoldForm(FlaskForm):
    class Meta:
        csrf = False  # the view checks its cart-bound token itself

    drop_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**63 - 1)])
    variant_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**63 - 1)])
    quantity = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=50)])


def plain_hold_choice(form):
    from mall.checkout.fast_paths import HoldChoice

    hold_form = PlainHoldForm(formdata=form)
    if not hold_form.validate():
        return None
    return HoldChoice(hold_form.drop_id.data, hold_form.variant_id.data, hold_form.quantity.data)


def plain_hold_reply(expires_ms: int | None, message: str = "") -> str:
    """The ordinary Flask way: render the reply template with a full template context (context processors run)."""
    return render_template(PLAIN_HOLD_REPLY, expires_ms=expires_ms, message=message)


# -- measuring -------------------------------------------------------------------------------------------------------
def cpu_per_request(client, send: Callable, requests: int) -> float:
    """CPU µs per request: `send(client)` returns a callable that makes the request (set-up stays untimed)."""
    spent = 0.0
    for _ in range(requests):
        request = send(client)
        started = time.process_time()
        response = request()
        spent += time.process_time() - started
        assert response.status_code < 500, response.status_code
    return spent / requests * 1e6


def swapped(module, name: str, replacement):
    """A context that puts `replacement` in place of module.name and puts the original back."""

    class Swap:
        def __enter__(self):
            self.original = getattr(module, name)
            setattr(module, name, replacement)

        def __exit__(self, *exc):
            setattr(module, name, self.original)

    return Swap()


def compare(label: str, client, send: Callable, plain_context: Callable, rounds: int, requests: int) -> dict | None:
    """Alternate rounds of piece and plain; the saving is (plain - piece) / plain of the endpoint's CPU."""
    if ONLY[0] not in label:
        return None
    piece, plain = [], []
    cpu_per_request(client, send, min(requests, 100))  # warm both: templates compiled, modules built
    with plain_context():
        cpu_per_request(client, send, min(requests, 100))
    for index in range(rounds):
        order = ("piece", "plain") if index % 2 == 0 else ("plain", "piece")
        for variant in order:
            if variant == "piece":
                piece.append(cpu_per_request(client, send, requests))
            else:
                with plain_context():
                    plain.append(cpu_per_request(client, send, requests))
    piece_us, plain_us = statistics.median(piece), statistics.median(plain)
    savings = [(b - a) / b * 100 for a, b in zip(piece, plain)]
    row = dict(label=label, piece=piece_us, plain=plain_us, saving=(plain_us - piece_us) / plain_us * 100,
               spread=(min(savings), max(savings)))
    verdict = "KEEP" if row["saving"] >= KEEP_AT else "remove"
    print(f"{label:<58} {piece_us:>9.0f} {plain_us:>9.0f} {row['saving']:>8.1f}%"
          f"   [{row['spread'][0]:+.1f} .. {row['spread'][1]:+.1f}]  {verdict}", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--only", default="", help="run only the pieces whose label contains this text")
    args = parser.parse_args()
    ONLY[0] = args.only

    from mall import create_app
    from mall.checkout import blueprint as checkout_views
    from mall.checkout import fast_paths
    from mall.checkout.access import CART_COOKIE, hold_token
    from mall.redis_setup import embedded_redis, redis_url_for

    scratch = Path(tempfile.mkdtemp(prefix="speed-pieces-"))
    server = embedded_redis(scratch / "redis.db")
    try:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch / 'mall.db'}",
            "REDIS_URL": redis_url_for(server),
            "SECRET_KEY": secrets.token_urlsafe(32),
            "SERVER_NAME": None,
            "HOLD_RATE_PER_CART": 10**9,
            "HOLD_RATE_PER_IP": 10**9,
        })
        with app.app_context():
            from flask_migrate import upgrade

            upgrade(revision="heads")
        app.jinja_env.loader = ChoiceLoader([DictLoader(PLAIN_TEMPLATES), app.jinja_env.loader])
        seeded = seed(app)
        client = app.test_client()
        with app.app_context():
            carts = [secrets.token_urlsafe(32) for _ in range(args.requests)]
            tokens = {cart: hold_token(cart) for cart in carts}

        def add_to_cart(htmx: bool, quantity: int = 1):
            turn = iter(range(10**9))

            def send(c):
                cart = carts[next(turn) % len(carts)]
                c.set_cookie(CART_COOKIE, cart)
                form = {"drop_id": seeded.drop_id, "variant_id": seeded.variant_id, "quantity": quantity,
                        "hold_token": tokens[cart]}
                headers = {"HX-Request": "true"} if htmx else {}
                return lambda: c.post("/cart/holds", data=form, headers=headers)

            return send

        print(f"CPU µs/request, median of {args.rounds} alternating rounds x {args.requests} requests "
              f"(app.test_client(), SQLite + embedded Redis); saving = (plain - piece) / plain")
        print(f"{'piece: endpoint (plain replacement)':<58} {'piece':>9} {'plain':>9} {'saving':>9}   "
              f"[per-round range]")
        r = args.rounds, args.requests
        compare("hold_reply: held hold, htmx (render_template)", client, add_to_cart(True),
                lambda: swapped(checkout_views, "hold_reply", plain_hold_reply), *r)
        compare("hold_reply: refused hold, htmx (render_template)", client, add_to_cart(True, quantity=99),
                lambda: swapped(checkout_views, "hold_reply", plain_hold_reply), *r)
        compare("hold_choice: held hold, htmx (a FlaskForm)", client, add_to_cart(True),
                lambda: swapped(checkout_views, "hold_choice", plain_hold_choice), *r)
        compare("skips_rate_limiter: held hold (limiter.exempt alone)", client, add_to_cart(True),
                lambda: swapped(fast_paths, "COUNTS_ITS_OWN_TRIES", frozenset()), *r)
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
