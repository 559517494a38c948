"""Periodic jobs, enqueued by RQ's CronScheduler in a child process of `worker.py`.

The top of the job layers: it imports each feature's jobs; the queues and worker class below it
(`mall/jobs/`) import no feature."""

import logging
import multiprocessing
import os

from redis import Redis
from rq.cron import CronScheduler
from rq.exceptions import StopRequested

from mall.admission.jobs import admit_from_lines
from mall.alerts.jobs import evaluate_alerts
from mall.checkout.jobs import recover_stale_claims
from mall.draw.jobs import run_due_draws
from mall.drops.jobs import refresh_drop_statuses
from mall.fulfilment.jobs import settle_parcels
from mall.jobs.queues import JOB_TIMEOUTS
from mall.links.jobs import flush_link_clicks
from mall.monitor.jobs import build_due_reports, save_drop_activity
from mall.outbox.delivery import deliver_queued_emails
from mall.stock.jobs import sweep_expired_holds
from mall.support.jobs import check_support_deadlines
from mall.waitlist.jobs import offer_units_to_waitlist

# (function, queue, every N seconds)
PERIODIC_JOBS = [
    (refresh_drop_statuses, "default", 30),
    (sweep_expired_holds, "high", 15),
    (offer_units_to_waitlist, "high", 15),
    (run_due_draws, "high", 15),
    (admit_from_lines, "high", 2),  # the waiting rooms' admission tick
    (recover_stale_claims, "high", 15),
    (deliver_queued_emails, "low", 60),
    (check_support_deadlines, "default", 60),
    (flush_link_clicks, "default", 10),
    (save_drop_activity, "default", 60),
    (build_due_reports, "low", 60),
    (settle_parcels, "default", 60),
    (evaluate_alerts, "default", 15),
]


class MallCronScheduler(CronScheduler):
    """Stops by itself when the worker that started it is gone, so it is never orphaned."""

    def __init__(self, connection: Redis, parent_pid: int, **kwargs):
        super().__init__(connection, **kwargs)
        self.parent_pid = parent_pid
        for func, queue_name, seconds in PERIODIC_JOBS:
            self.register(func, queue_name, interval=seconds, job_timeout=JOB_TIMEOUTS[queue_name])

    def heartbeat(self) -> None:
        if os.getppid() != self.parent_pid:
            raise StopRequested()
        super().heartbeat()


def run_cron(redis_url: str, parent_pid: int, logging_level: int = logging.INFO) -> None:
    from mall.redis_setup import connect

    MallCronScheduler(connect(redis_url), parent_pid, logging_level=logging_level).start()


def start_cron_process(redis_url: str, logging_level: int = logging.INFO) -> multiprocessing.Process:
    # spawn: a clean interpreter that shares no sockets or embedded-Redis ownership with the worker
    process = multiprocessing.get_context("spawn").Process(
        target=run_cron, args=(redis_url, os.getpid(), logging_level), name="flashmall-cron", daemon=True
    )
    process.start()
    return process


def stop_cron_process(process: multiprocessing.Process, timeout: float = 10) -> None:
    if process.is_alive():
        process.terminate()
        process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join()
