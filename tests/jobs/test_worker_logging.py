"""`python3 -m mall run` keeps the terminal readable: the worker logs no routine success, the web server one line a request."""

import logging
import subprocess
import sys

import pytest

from mall import dev
from mall.drops.jobs import refresh_drop_statuses
from mall.jobs.queues import enqueue
from mall.jobs.worker import JOB_LOGGERS, QUIET, configure_job_logging
from tests.jobs.test_drop_status_job import ROOT, worker_env


class Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def rq_log():
    """What RQ's loggers let through (a handler on each, whatever their propagation); their levels restored after."""
    kept, loggers = Kept(), [logging.getLogger(name) for name in JOB_LOGGERS]
    saved = [(logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.addHandler(kept)
        logger.disabled = False  # Alembic's log set-up in the migrations switches existing loggers off
    yield kept.messages
    for logger, (level, disabled) in zip(loggers, saved):
        logger.removeHandler(kept)
        logger.setLevel(level)
        logger.disabled = disabled


def test_quiet_job_logging_drops_routine_successes_and_keeps_failures(rq_log):
    configure_job_logging(QUIET)
    for name in JOB_LOGGERS:
        logging.getLogger(name).info("default: Job OK (demo)")
    logging.getLogger("rq.worker").warning("Moving job to FailedJobRegistry")
    configure_job_logging(logging.INFO)
    logging.getLogger("rq.worker").info("default: Job OK (after)")

    assert rq_log == ["Moving job to FailedJobRegistry", "default: Job OK (after)"]


def _burst(app, *flags: str) -> str:
    enqueue("default", refresh_drop_statuses)
    done = subprocess.run(
        [sys.executable, "worker.py", "--burst", *flags],
        cwd=ROOT, env=worker_env(app), capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.mark.worker
def test_the_quiet_worker_runs_jobs_without_a_line_per_job(app, app_ctx):
    assert "Job OK" in _burst(app)  # the ordinary worker says it

    quiet = _burst(app, "--quiet")

    assert "Job OK" not in quiet and "refresh_drop_statuses" not in quiet


def test_the_run_command_starts_the_quiet_worker_and_a_one_line_access_log():
    granian = dev._granian_command(5000)

    assert dev.WORKER_COMMAND[1:] == ["worker.py", "--quiet"]
    assert "--access-log" in granian
    fmt = granian[granian.index("--access-log-fmt") + 1]
    assert "\n" not in fmt and "%(method)s %(path)s" in fmt and "%(status)d" in fmt
