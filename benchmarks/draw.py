"""How long a draw's job takes with many entrants: the draw itself (order, winners' holds and emails, the reserve
emails) and a later round that passes unbought wins on (the job runs every 15 s).

    .venv/bin/python benchmarks/draw.py [--entrants 5000] [--units 50]

On a scratch SQLite file and an embedded Redis, or on DATABASE_URL and REDIS_URL when set (their data is
dropped: never point it at a database you keep). Prints wall and CPU seconds per step and checks the books:
units held == winners, no unit held twice, the order recomputes from the seed.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _timed(label: str, step):
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    print(f"{label:<44} {time.perf_counter() - wall:7.2f} s wall {time.process_time() - cpu:7.2f} s CPU")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entrants", type=int, default=5000)
    parser.add_argument("--units", type=int, default=50)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="draw-bench-"))
    database = os.environ.get("DATABASE_URL", f"sqlite:///{scratch / 'mall.db'}")
    redis_url, server = os.environ.get("REDIS_URL"), None
    if not redis_url:
        from mall.redis_setup import embedded_redis, redis_url_for

        server = embedded_redis(scratch / "redis.db")
        redis_url = redis_url_for(server)
    from flask_migrate import upgrade
    from sqlalchemy import insert, select, text

    from mall import create_app
    from mall.extensions import db, redis_client

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database.replace("postgresql://", "postgresql+psycopg://", 1),
        "REDIS_URL": redis_url, "SECRET_KEY": "bench", "TESTING": True,
    })
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        redis_client().flushdb()
        upgrade(revision="heads")
        _run(args, db, insert, select, timedelta)
    if server is not None:
        server.shutdown()


def _run(args, db, insert, select, timedelta) -> None:
    from mall.catalog.models import Product, Variant
    from mall.clock import utcnow
    from mall.draw import services
    from mall.draw.drawing import run_draws
    from mall.draw.fairness import draw_order
    from mall.draw.models import DrawEntry
    from mall.drops.models import Drop, DropItem
    from mall.hubs.models import Hub
    from mall.stock.access import stock_engine
    from mall.stock.availability import variant_availability
    from mall.stock.models import StockLevel
    from tenants.models import Tenant

    brand = Tenant(slug="bench", name="Bench Brand")
    db.session.add(brand)
    db.session.flush()
    hub = Hub(code="MH-1", name="Hub", kind="micro_hub", address="1 St", latitude=51.5,
              longitude=-0.1, throughput_per_hour=100)
    product = Product(tenant_id=brand.id, name="Jumper")
    db.session.add_all([hub, product])
    db.session.flush()
    variant = Variant(tenant_id=brand.id, product_id=product.id, sku="J-1", price_cents=5000)
    db.session.add(variant)
    db.session.flush()
    db.session.add(StockLevel(tenant_id=brand.id, variant_id=variant.id, hub_id=hub.id, on_hand=args.units))
    now = utcnow().replace(microsecond=0)
    drop = Drop(tenant_id=brand.id, title="Bench draw", description="", starts_at=now + timedelta(hours=1),
                ends_at=now + timedelta(hours=3), hold_minutes=10, per_shopper_limit=1, status="scheduled",
                admission_mode="draw")
    db.session.add(drop)
    db.session.flush()
    db.session.add(DropItem(tenant_id=brand.id, drop_id=drop.id, variant_id=variant.id, position=0))
    db.session.commit()
    draw = services.save_draw(db.session, drop, services.DrawSettings(
        now + timedelta(minutes=5), now + timedelta(minutes=50), 15), now)
    rows = [
        {"tenant_id": brand.id, "draw_id": draw.id, "drop_id": drop.id, "variant_id": variant.id,
         "email": f"s{i}@example.com", "cart_token": f"cart-{i}", "ip_address": f"10.{i // 65536}.{i // 256 % 256}.{i % 256}",
         "delivery_address": f"{i} Long Lane", "postcode": "N1 1AA", "address_key": f"{i} long lane|N11AA",
         "created_at": now, "confirmed_at": now, "state": "confirmed", "backfill": False}
        for i in range(args.entrants)
    ]
    db.session.execute(insert(DrawEntry), rows)
    db.session.commit()
    draw.entries_open_at = utcnow() - timedelta(minutes=5)
    drop.starts_at = draw.entries_close_at = utcnow() - timedelta(seconds=1)  # entries closed, the drop live
    db.session.commit()
    engine = stock_engine()
    engine.forget_drop(drop.id)
    print(f"{args.entrants} confirmed entrants, {args.units} units, on {db.engine.dialect.name}")
    first = _timed("draw: order, winners' holds, all emails", lambda: run_draws(db.session, engine, utcnow()))
    again = _timed("a later round (nothing lapsed)", lambda: run_draws(db.session, engine, utcnow()))
    db.session.expire_all()
    ids = db.session.scalars(select(DrawEntry.id).order_by(DrawEntry.position)).all()
    (units,) = variant_availability(db.session, engine, [variant.id]).values()
    winners = db.session.scalars(select(DrawEntry.win_hold_id).where(DrawEntry.state == "won")).all()
    print(f"won {first.won}, then {again.won}; units free {units.free}, held {units.held}, sold {units.sold}; "
          f"distinct holds {len(set(winners))}; order recomputes: {ids == draw_order(draw.seed, list(ids))}")


if __name__ == "__main__":
    main()
