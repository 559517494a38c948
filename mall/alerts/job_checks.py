"""Operator alerts for RQ jobs that failed (RQ's FailedJobRegistry on each named queue)."""

import re
from dataclasses import dataclass

from redis import Redis
from rq.job import Job

from mall.alerts.models import Kind, LinkKind, Severity
from mall.alerts.raising import Finding
from mall.jobs.queues import QUEUE_NAMES, get_queue

PER_QUEUE = 200  # the most recent failures; older ones are RQ's to expire
JOB_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


@dataclass(frozen=True)
class FailedJob:
    queue: str
    id: str
    function: str
    error: str  # the exception's last line


def failed_jobs(connection: Redis | None = None) -> list[FailedJob]:
    found = []
    for name in QUEUE_NAMES:
        queue = get_queue(name, connection)
        ids = [i for i in queue.failed_job_registry.get_job_ids(0, PER_QUEUE - 1, desc=True) if JOB_ID.match(i)]
        for job_id, job in zip(ids, Job.fetch_many(ids, connection=queue.connection)):
            if job is not None:
                found.append(FailedJob(name, job_id, _function(job), last_error_line(job)))
    return found


def failed_job(queue_name: str, job_id: str, connection: Redis | None = None) -> tuple[Job, str] | None:
    """The failed job and its traceback, only if it is in that queue's failed registry right now."""
    if queue_name not in QUEUE_NAMES or not JOB_ID.match(job_id):
        return None
    queue = get_queue(queue_name, connection)
    if job_id not in queue.failed_job_registry:
        return None
    job = Job.fetch_many([job_id], connection=queue.connection)[0]
    return (job, _traceback(job)) if job is not None else None


def _function(job: Job) -> str:
    try:
        return job.func_name
    except Exception:  # a job whose function no longer imports still deserves an alert
        return job.description or job.id


def _traceback(job: Job) -> str:
    result = job.latest_result()
    return (result.exc_string if result is not None else None) or job.exc_info or ""


def last_error_line(job: Job) -> str:
    lines = [line for line in _traceback(job).strip().splitlines() if line.strip()]
    return lines[-1].strip()[:200] if lines else "no error recorded"


def failed_job_findings(jobs: list[FailedJob]) -> list[Finding]:
    """One alert per function and queue while any of its failures stays in the registry: a periodic job
    failing every 15 s is one alert, not one per run. It links to the newest failure (jobs come newest first)."""
    grouped: dict[tuple[str, str], list[FailedJob]] = {}
    for job in jobs:
        grouped.setdefault((job.queue, job.function), []).append(job)
    findings = []
    for (queue, function), failures in sorted(grouped.items()):
        newest = failures[0]
        times = f" ({len(failures)} failures)" if len(failures) > 1 else ""
        findings.append(
            Finding(
                None, Kind.FAILED_JOB, Severity.WARNING, f"failed_job:{queue}:{function}"[:200],
                f"{function} failed on the {queue} queue{times}: {newest.error}", LinkKind.JOB,
                link_ref=f"{queue}/{newest.id}",
            )
        )
    return findings
