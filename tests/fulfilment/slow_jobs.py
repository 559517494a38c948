"""A job a worker can be killed in the middle of: the first attempt hangs, a retry goes straight through."""

import os
import time

from mall.extensions import redis_client
from mall.fulfilment.jobs import commit_parcel_etas


def commit_etas_after_a_hang(parcel_ids: list[int], marker: str) -> int:
    if redis_client().set(marker, os.getpid(), nx=True):  # the first attempt tells the test which process runs it
        time.sleep(600)
    return commit_parcel_etas(parcel_ids)
