"""Dagster metadata of the code location, rendered in one place.

:func:`render_metadata` turns plain figures into ``dg.MetadataValue``: numbers, flags and text as
such, anything nested (mappings, sequences, the frozen dataclasses of ``odds_assets.summary`` and
``odds_assets.quality``) as JSON. :func:`snapshot_metadata` and :func:`write_metadata` choose what a
scrape and a write show; both go through it, and so do the asset checks and the freshness sensor,
which reports check results without a run (where Dagster takes no plain values).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from numbers import Integral, Real
from typing import Any

import dagster as dg

from odds_assets.db.engine import WriteResult
from odds_assets.scrape import ScrapedWindow
from odds_assets.summary import plain

__all__ = ["WRITE_COUNTS", "WindowOutcome", "render_metadata", "snapshot_metadata", "write_metadata"]

#: the per-window counts of a write, summed over a range run
WRITE_COUNTS = ("new", "changed", "unchanged", "gone", "back", "history_rows", "historical_events",
                "history_removed")


@dataclass(frozen=True, slots=True)
class WindowOutcome:
    """How one window of a write run ended: applied (``result``), or not written (``reason``; ``failed``
    when it failed for good — unreadable, invalid as a whole — rather than held back by the
    completeness gate)."""

    partition: str
    result: WriteResult | None
    reason: str | None = None
    failed: bool = False
    ms: float = 0.0


def render_metadata(values: Mapping[str, Any]) -> dict[str, dg.MetadataValue]:
    """Every value as a ``dg.MetadataValue`` (see the module docstring); ``None`` becomes null."""
    return {key: _render(value) for key, value in values.items()}


def _render(value: Any) -> dg.MetadataValue:
    if isinstance(value, dg.MetadataValue):
        return value
    if value is None:
        return dg.MetadataValue.null()
    if isinstance(value, bool):
        return dg.MetadataValue.bool(value)
    if isinstance(value, Integral):
        return dg.MetadataValue.int(int(value))
    if isinstance(value, Real):
        return dg.MetadataValue.float(float(value))
    if isinstance(value, str):
        return dg.MetadataValue.text(value)
    if isinstance(value, datetime):
        return dg.MetadataValue.text(value.isoformat())
    return dg.MetadataValue.json(plain(value))


def snapshot_metadata(items: Mapping[str, ScrapedWindow]) -> dict[str, dg.MetadataValue]:
    """A scrape run's materialisation: one window's figures, or per-window rows and totals for a range."""
    if len(items) == 1:
        return render_metadata(next(iter(items.values())).summary.headline())
    per = [{"partition": k, **{m: v for m, v in i.summary.headline().items() if not isinstance(v, (dict, list))}}
           for k, i in items.items()]
    return render_metadata({
        "windows": len(items), "per_window": per,
        "market_instances": sum(i.summary.markets for i in items.values()),
        "quarantined_outcomes": sum(i.summary.quarantine.outcomes for i in items.values()),
        "raw_bytes": sum(i.summary.raw_bytes for i in items.values()),
    })


def write_metadata(results: Sequence[WindowOutcome]) -> dict[str, dg.MetadataValue]:
    """A write run's materialisation from its windows' outcomes: counts per class summed
    (``WRITE_COUNTS``), per window too when a run wrote several, the windows not written (``blocked``,
    each with its reason and whether it ``failed``) and the events the engine dropped; the engine's
    timings for a single window."""
    totals = dict.fromkeys(WRITE_COUNTS, 0)
    write_ms = 0.0
    per_window: list[dict[str, Any]] = []
    blocked: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    for outcome in results:
        partition, result, ms = outcome.partition, outcome.result, outcome.ms
        if result is None:
            blocked.append({"partition": partition, "reason": outcome.reason, "failed": outcome.failed})
            continue
        figures = result.as_metadata()
        counts = {k: int(figures[k]) for k in WRITE_COUNTS}
        for k, v in counts.items():
            totals[k] += v
        rejected.extend({"partition": partition, "sr_event_id": e.sr_event_id, "field": e.field,
                         "reason": str(e)[:300]} for e in result.rejected)
        write_ms += ms
        per_window.append({"partition": partition, **counts, "write_ms": round(ms, 1)})
    meta: dict[str, Any] = {**totals, "write_ms": round(write_ms, 1), "windows_written": len(per_window),
                            "written": bool(per_window), "rejected_events": len(rejected)}
    if rejected:
        meta["rejected"] = rejected[:50]
    if blocked:
        meta["blocked"] = blocked
    if len(results) > 1:
        meta["windows"] = per_window
    meta["failed_windows"] = sum(1 for b in blocked if b["failed"])
    applied = [o.result for o in results if o.result is not None]
    if len(applied) == 1:
        single = applied[0]
        meta["captured_at"] = single.captured_at.isoformat()
        meta["engine_ms"] = {k: round(v, 1) for k, v in single.timings_ms.items()}
    return render_metadata(meta)
