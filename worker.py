"""The job worker: `python worker.py` (or `python worker.py --burst` to drain the queues and exit).

Builds the app, works the `high`, `default` and `low` queues with RQ's scheduler, and runs the
periodic jobs of mall/jobs/schedule.py in a child process that stops with it. REDIS_URL and
DATABASE_URL are read like the web app reads them (embedded Redis when REDIS_URL is unset).
"""

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Flashmall's background jobs.")
    parser.add_argument("--burst", action="store_true", help="work until the queues are empty, then exit")
    args = parser.parse_args(argv)

    from mall import create_app
    from mall.jobs.schedule import start_cron_process, stop_cron_process
    from mall.jobs.worker import run_worker

    app = create_app()
    # Periodic jobs belong to long-running workers; a burst only drains what is queued.
    cron = None if args.burst else start_cron_process(app.config["REDIS_URL"])
    try:
        run_worker(app, burst=args.burst)
    finally:
        if cron is not None:
            stop_cron_process(cron)
    return 0


if __name__ == "__main__":
    sys.exit(main())
