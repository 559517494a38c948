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
