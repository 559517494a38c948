"""The post-drop report as CSV rows: one figure per row (section, item, measure, value), money in pounds."""

import csv
import io

from mall.monitor.report import rates

HEADER = ("section", "item", "measure", "value")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def report_rows(data: dict) -> list[tuple[str, str, str, str]]:
    r = rates(data)
    funnel, units, drop = data["funnel"], data["units"], data["drop"]
    rows = [
        ("drop", _text(drop["title"]), "starts (UTC)", drop["starts_at"]),
        ("drop", _text(drop["title"]), "ends (UTC)", drop["ends_at"]),
        ("funnel", "", "drop views", funnel["views"]),
        ("funnel", "", "holds placed", funnel["holds"]),
        ("funnel", "", "units held", funnel["held_units"]),
        ("funnel", "", "holds expired", funnel["expired"]),
        ("funnel", "", "holds released", funnel["released"]),
        ("funnel", "", "holds checked out", funnel["checked_out"]),
        ("funnel", "", "orders", funnel["orders"]),
        ("conversion", "", "orders per drop view", r["orders_per_view"]),
        ("conversion", "", "holds per drop view", r["holds_per_view"]),
        ("conversion", "", "orders per hold", r["orders_per_hold"]),
        ("conversion", "", "holds checked out", r["holds_checked_out"]),
        ("conversion", "", "holds expired", r["holds_expired"]),
        ("units", "", "sold", units["sold"]),
        ("units", "", "cancelled", units["cancelled"]),
        ("units", "", "on hand", units["on_hand"]),
        ("units", "", "free", units["free"]),
        ("units", "", "held", units["held"]),
        ("units", "", "sold in all drops", units["sold_all"]),
    ]
    for hub in units["hubs"]:
        name = _text(hub["hub"])
        rows += [
            ("units", name, "sold", hub["sold_in_drop"]), ("units", name, "on hand", hub["on_hand"]),
            ("units", name, "free", hub["free"]), ("units", name, "held", hub["held"]),
            ("units", name, "sold in all drops", hub["sold"]),
        ]
    rows.append(("revenue", "", "total", _money(data["revenue_cents"])))
    for tier in data["tiers"]:
        label = _text(tier["label"])
        rows += [
            ("tier", label, "units", tier["units"]),
            ("tier", label, "revenue", _money(tier["revenue_cents"])),
            ("tier", label, "cancelled units", tier["cancelled_units"]),
            ("tier", label, "cancelled revenue", _money(tier["cancelled_revenue_cents"])),
        ]
    rows += _fulfilment_rows(data["fulfilment"], r) + _support_rows(data["support"])
    rows += _creator_rows(data["creators"], r) + _repeat_rows(data["repeat_buyers"], r)
    for minute in data["minutes"]:
        for measure in ("views", "holds", "expired", "released", "orders"):
            rows.append(("minute", minute["minute"], measure, minute[measure]))
    return [tuple("" if v is None else str(v) for v in row) for row in rows]


def _fulfilment_rows(f: dict, r: dict) -> list[tuple]:
    return [
        ("fulfilment", "", "parcels", f["parcels"]),
        ("fulfilment", "", "promises kept", f["kept"]),
        ("fulfilment", "", "still waiting", f["waiting"]),
        ("fulfilment", "", "average minutes to keep the promise", f["avg_actual_minutes"]),
        ("fulfilment", "", "average committed minutes", f["avg_committed_minutes"]),
        ("fulfilment", "", "average minutes late", f["avg_late_minutes"]),
        ("fulfilment", "", "on time", r["on_time"]),
    ]


def _support_rows(s: dict) -> list[tuple]:
    return [
        ("support", "", "threads", s["threads"]),
        ("support", "", "answered", s["answered"]),
        ("support", "", "resolved", s["resolved"]),
        ("support", "", "missed a target", s["breached"]),
        ("support", "", "average first response minutes", s["avg_first_response_minutes"]),
        ("support", "", "median first response minutes", s["median_first_response_minutes"]),
        ("support", "", "average resolution minutes", s["avg_resolution_minutes"]),
        ("support", "", "median resolution minutes", s["median_resolution_minutes"]),
    ]


def _creator_rows(c: dict, r: dict) -> list[tuple]:
    rows = [
        ("creators", "", "orders", c["orders"]),
        ("creators", "", "share of orders", r["creator_orders"]),
        ("creators", "", "revenue", _money(c["revenue_cents"])),
        ("creators", "", "share of revenue", r["creator_revenue"]),
        ("creators", "", "commission", _money(c["commission_cents"])),
    ]
    for link in c["links"]:
        item = _text(f"/c/{link['code']} ({link['creator']})")
        rows += [
            ("creator link", item, "clicks", link["clicks"]),
            ("creator link", item, "orders", link["orders"]),
            ("creator link", item, "revenue", _money(link["revenue_cents"])),
            ("creator link", item, "commission", _money(link["commission_cents"])),
        ]
    return rows


def _repeat_rows(rb: dict, r: dict) -> list[tuple]:
    rows = [
        ("repeat buyers", "", "shoppers", rb["shoppers"]),
        ("repeat buyers", "", "bought again in a later drop", rb["repeat_buyers"]),
        ("repeat buyers", "", "share", r["repeat_buyers"]),
    ]
    for brand in rb["by_brand"]:
        rows += [
            ("repeat buyers", _text(brand["brand"]), "buyers", brand["buyers"]),
            ("repeat buyers", _text(brand["brand"]), "orders", brand["orders"]),
        ]
    return rows


def report_csv(data: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(report_rows(data))
    return out.getvalue()


def _money(cents: int | None) -> str:
    return "" if cents is None else f"{cents / 100:.2f}"


def _text(value: str) -> str:
    """A name typed by a person, made safe for spreadsheets (no formula can start it)."""
    return "'" + value if value.startswith(FORMULA_START) else value
