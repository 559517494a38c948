"""The RQ worker of the mall: one app per worker process, one app context per job."""

import logging
import os

from flask import Flask
from rq import Worker
from rq.job import Job
from rq.logutils import setup_loghandlers

from mall.jobs.queues import QUEUE_NAMES, get_queue
from mall.redis_setup import connect

_app: Flask | None = None

# RQ's loggers: each job started and finished ("Job OK") is logged at INFO, warnings and failures above it.
JOB_LOGGERS = ("rq.worker", "rq.job", "rq.scheduler", "rq.cron")
QUIET = logging.WARNING  # `python3 -m mall run`: routine successes would push the demo logins off the terminal


def bind_app(app: Flask) -> Flask:
    """Make `app` the one every job of this process runs in."""
    global _app
    _app = app
    from mall.extensions import db

    with app.app_context():
        engines = list(db.engines.values())
    # A forked work horse must open its own database connections, never share the parent's.
    os.register_at_fork(after_in_child=lambda: [engine.dispose(close=False) for engine in engines])
    return app


def current_app_for_jobs() -> Flask:
    if _app is None:
        raise RuntimeError("no app bound for jobs: run `python worker.py` or `rq worker -w worker.MallWorker`")
    return _app


class AppJob(Job):
    """Runs the job function inside an application context."""

    def perform(self):
        with current_app_for_jobs().app_context():
            return super().perform()


class AppWorker(Worker):
    """Works the queues for the app bound with `bind_app` (the top-level `worker.py` builds it)."""

    job_class = AppJob

    def __init__(self, queues=QUEUE_NAMES, **kwargs):
        app = current_app_for_jobs()  # built once here, inherited by every work horse
        # Its own connection: RQ lengthens the socket timeout for its blocking pops.
        kwargs.setdefault("connection", connect(app.config["REDIS_URL"]))
        # `rq worker` passes its default Job class; jobs must still get their app context.
        job_class = kwargs.get("job_class")
        if not (isinstance(job_class, type) and issubclass(job_class, AppJob)):
            kwargs["job_class"] = AppJob
        connection = kwargs["connection"]
        queues = [get_queue(q, connection) if isinstance(q, str) else q for q in queues]
        super().__init__(queues, **kwargs)


def configure_job_logging(level: int = logging.INFO) -> None:
    """RQ's loggers at `level`, through RQ's own log set-up: QUIET keeps routine successes out, failures still show."""
    for name in JOB_LOGGERS:
        setup_loghandlers(level, name=name)


def run_worker(app: Flask, burst: bool = False, logging_level: int = logging.INFO) -> bool:
    """Work the queues (and RQ's scheduler for enqueue_at/enqueue_in) until stopped."""
    bind_app(app)
    configure_job_logging(logging_level)
    worker = AppWorker()
    return worker.work(burst=burst, with_scheduler=True, logging_level=logging_level)
