"""`flask --app mall ...` commands."""

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Create (or refresh) the demo mall: brands, hubs, drops and logins."""
        from mall.demo.seed import seed_demo

        for line in seed_demo():
            click.echo(line)

    @app.cli.command("refresh-drops")
    def refresh_drops_command():
        """Store each drop's status now: scheduled -> live -> ended (the worker does this every 30 s)."""
        from mall.drops.jobs import refresh_drop_statuses

        counts = refresh_drop_statuses()
        click.echo(f"Drops gone live: {counts['live']}; drops ended: {counts['ended']}.")

    @app.cli.command("stock-check")
    def stock_check_command():
        """Check on_hand = available + held + sold for every variant at every hub; exit 1 on any break."""
        from mall.extensions import db, redis_client
        from mall.stock.ledger import check_invariant

        rows = check_invariant(db.session, redis_client())
        broken = [row for row in rows if not row.ok]
        for row in broken:
            click.echo(
                f"BROKEN variant {row.variant_id} at hub {row.hub_id}: on_hand {row.on_hand} != "
                f"available {row.available} + held {row.held} + sold {row.sold} (in checkout: {row.claimed})"
            )
        click.echo(f"Checked {len(rows)} stock rows: {len(rows) - len(broken)} balance, {len(broken)} broken.")
        if broken:
            raise SystemExit(1)
