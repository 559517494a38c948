"""Helpers the monitor and report templates use to show figures (passed in explicitly, so a region rendered
once for every tab needs nothing from the request that asked for it)."""

from datetime import datetime

from mall.monitor import charts
from mall.monitor.report import percent
from mall.templating import money
from mall.timefmt import duration


def minutes_text(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    if minutes < 1:
        return "under a minute"
    return duration(round(minutes) * 60)  # whole minutes, written as every duration in the mall


def tier_rows(tiers: list[dict]) -> list[tuple[str, int, str]]:
    """Revenue per tier for the bar chart, labelled by the tier's discount alone."""
    return [(t["label"].split(",")[0], t["revenue_cents"], "revenue") for t in tiers]


HELPERS = {
    "charts": charts,
    "percent": percent,
    "minutes_text": minutes_text,
    "money_text": money,
    "tier_rows": tier_rows,
    "from_iso": datetime.fromisoformat,
}
