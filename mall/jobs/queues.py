"""The named RQ queues and the one way to put a job on them."""

from collections.abc import Callable

from redis import Redis
from rq import Queue
from rq.job import Job

# Job timeouts in seconds: shoppers wait on `high`, nobody waits on `low`.
JOB_TIMEOUTS = {"high": 60, "default": 180, "low": 900}
QUEUE_NAMES = tuple(JOB_TIMEOUTS)  # the worker listens in this order of priority


def get_queue(name: str, connection: Redis | None = None) -> Queue:
    if name not in JOB_TIMEOUTS:
        raise ValueError(f"unknown queue {name!r}; use one of {', '.join(QUEUE_NAMES)}")
    if connection is None:
        from mall.extensions import redis_client

        connection = redis_client()
    return Queue(name, connection=connection, default_timeout=JOB_TIMEOUTS[name])


def enqueue(queue_name: str, func: Callable, *args, **kwargs) -> Job:
    """Queue `func(*args, **kwargs)`; RQ options such as `job_timeout` or `job_id` pass through."""
    return get_queue(queue_name).enqueue(func, *args, **kwargs)
