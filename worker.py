"""The job worker: `python worker.py` (or `python worker.py --burst` to drain the queues and exit).

Builds the app, works the `high`, `default` and `low` queues with RQ's scheduler, and runs the
periodic jobs of mall/schedule.py in a child process that stops with it. REDIS_URL and
DATABASE_URL are read like the web app reads them (embedded Redis when REDIS_URL is unset).
`--quiet` logs warnings and failures only (`python3 -m mall run` uses it).
`rq worker -w worker.MallWorker high default low` works too, without the periodic jobs.
"""

import argparse
import logging
import sys

from mall.jobs.worker import AppWorker, bind_app


class MallWorker(AppWorker):
    """The worker class for `rq worker -w`: builds the app once, before RQ forks its work horses."""

    def __init__(self, *args, **kwargs):
        from mall import create_app

        bind_app(create_app())
        super().__init__(*args, **kwargs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Flashmall's background jobs.")
    parser.add_argument("--burst", action="store_true", help="work until the queues are empty, then exit")
    parser.add_argument("--quiet", action="store_true", help="log warnings and failures only, not every job that ran")
    args = parser.parse_args(argv)

    from mall import create_app
    from mall.jobs.worker import QUIET, run_worker
    from mall.schedule import start_cron_process, stop_cron_process

    level = QUIET if args.quiet else logging.INFO
    app = create_app()
    # Periodic jobs belong to long-running workers; a burst only drains what is queued.
    cron = None if args.burst else start_cron_process(app.config["REDIS_URL"], level)
    try:
        run_worker(app, burst=args.burst, logging_level=level)
    finally:
        if cron is not None:
            stop_cron_process(cron)
    return 0


if __name__ == "__main__":
    sys.exit(main())
