"""Geometry for the server-drawn SVG charts: bars per minute, funnels and money per tier. Pure Python."""

import math
from dataclasses import dataclass

PLOT_TOP, PLOT_HEIGHT = 8, 100  # the plot area inside the SVG, in view-box units
TICK_SPACE = 32
BAR_GAP = 1


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: str
    title: str
    label: str = ""
    value: int = 0


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    baseline: float
    top_value: int
    bars: list[Bar]
    ticks: list[Tick]

    @property
    def has_data(self) -> bool:
        return self.top_value > 0


def grouped_bars(labels: list[str], series: dict[str, list[int]], names: dict[str, str], width: float = 360,
                 min_slots: int = 15, max_ticks: int = 8) -> Chart:
    """One slot per label (at least `min_slots` wide, so a few minutes do not make giant bars), one bar per
    series inside it; about `max_ticks` labels under the axis, the last slot always labelled."""
    top = max((v for values in series.values() for v in values), default=0)
    scale = PLOT_HEIGHT / top if top else 0
    slot = width / max(len(labels), min_slots)
    bar_width = max(slot - 2 * BAR_GAP, 0.5) / max(len(series), 1)
    baseline = PLOT_TOP + PLOT_HEIGHT
    bars = []
    for i, label in enumerate(labels):
        for j, (key, values) in enumerate(series.items()):
            value = values[i]
            h = round(value * scale, 1)
            bars.append(Bar(round(i * slot + BAR_GAP + j * bar_width, 2), round(baseline - h, 1), round(bar_width, 2), h,
                            key, f"{label}: {value} {names[key]}"))
    every = max(1, -(-len(labels) // max_ticks), math.ceil(TICK_SPACE / slot))  # "12:34" needs ~30 units
    last = len(labels) - 1
    ticks = [Tick(round(i * slot + slot / 2, 2), label) for i, label in enumerate(labels) if (last - i) % every == 0]
    return Chart(width, baseline + 16, baseline, top, bars, ticks)


LABEL_WIDTH, VALUE_WIDTH = 120, 70


def horizontal_bars(rows: list[tuple[str, int, str]], bar_width: float = 240, row_height: float = 22, shown=None) -> Chart:
    """(label, value, series) rows as bars right of their labels, the longest filling `bar_width`: funnels, tiers.

    `shown(value)` is the text printed after each bar (the value itself by default)."""
    top = max((value for _, value, _ in rows), default=0)
    scale = bar_width / top if top else 0
    bars = [
        Bar(LABEL_WIDTH, i * row_height + 3, round(value * scale, 1), row_height - 8, series,
            f"{label}: {shown(value) if shown else value}", label, value)
        for i, (label, value, series) in enumerate(rows)
    ]
    return Chart(LABEL_WIDTH + bar_width + VALUE_WIDTH, len(rows) * row_height, len(rows) * row_height, top, bars, [])


def per_minute(minutes: list[dict], keys: tuple[str, ...], names: dict[str, str], max_slots: int = 90) -> Chart:
    """Minute rows (with a "label") as grouped bars; long drops are summed into buckets of several minutes."""
    size = max(1, -(-len(minutes) // max_slots))
    buckets = [minutes[i:i + size] for i in range(0, len(minutes), size)]
    labels = [bucket[0]["label"] for bucket in buckets]
    series = {key: [sum(m[key] for m in bucket) for bucket in buckets] for key in keys}
    return grouped_bars(labels, series, names, width=max(360, 6 * len(labels)))
