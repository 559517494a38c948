from datetime import datetime, timezone

import pytest
import time_machine

from mall.demo.seed import seed_demo

# Ahead of the real clock: Redis expires the stock engine's keys by its own clock, so the demo must not lie in its past.
START = datetime(2031, 5, 5, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def seeded(app_ctx):
    with time_machine.travel(START, tick=False) as traveller:
        lines = list(seed_demo())
        yield lines, traveller
