"""How long the demo seed takes: a fresh database, then a second run over it.

    .venv/bin/python benchmarks/demo_seed.py          # SQLite + an embedded Redis in a scratch folder
    DATABASE_URL=postgresql://... REDIS_URL=redis://.../n .venv/bin/python benchmarks/demo_seed.py

With DATABASE_URL the database is emptied first (use a scratch database); with REDIS_URL that Redis
database is flushed. Prints the seconds of each run and the rows the second run changed (none).
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    import os

    from flask_migrate import upgrade
    from sqlalchemy import text

    from mall import create_app
    from mall.extensions import db, redis_client

    scratch = Path(tempfile.mkdtemp(prefix="fm-seed-bench-"))
    server = None
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        from mall.redis_setup import embedded_redis, redis_url_for

        server = embedded_redis(scratch / "redis.db")
        redis_url = redis_url_for(server)
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{scratch / 'mall.db'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database.replace("postgresql://", "postgresql+psycopg://", 1), "REDIS_URL": redis_url}
    )
    try:
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
            redis_client().flushdb()
            upgrade(revision="heads")
            from mall.demo.seed import seed_demo

            for run in ("fresh", "again"):
                started = time.perf_counter()
                list(seed_demo())
                print(f"{run}: {time.perf_counter() - started:.2f} s", flush=True)
    finally:
        if server is not None:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
