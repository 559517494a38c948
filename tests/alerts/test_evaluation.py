"""One broken check does not silence the others, and the job still fails so someone sees it."""

import pytest

from mall.alerts import evaluate as evaluation
from mall.alerts import job_checks
from tests.alerts.conftest import alerts, evaluate


def test_a_broken_check_fails_the_run_after_the_others_raised_their_alerts(engine, scene, monkeypatch):
    for n in range(12):
        scene.hold(engine, f"big{n}", quantity=5, ip=f"203.0.113.{n}")

    def broken():
        raise ConnectionError("Redis went away")

    monkeypatch.setattr(job_checks, "failed_jobs", broken)
    with pytest.raises(evaluation.ChecksFailed, match="operator"):
        evaluate(engine)
    assert [a.kind for a in alerts()] == ["sold_out"]
