"""Current odds against history: does the latest history row of each key say what current says?

``market_odds_current`` is maintained incrementally for speed, while history is the record; the two
must agree on every key (the same outcomes, or no outcomes when the market is unavailable). Checking
every key costs a scan of both tables, so a random sample is compared each time (the Dagster asset
check ``current_history_consistency`` runs this per written window).

History partitions older than the retention are dropped, so a current row not updated within the
retention may have no history row left: only a recent row without one counts as missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import psycopg

from odds_assets.db import queries
from odds_assets.models import BOOKMAKER_IDS

__all__ = ["consistency"]

_MAX_SAMPLES = 10  # disagreeing keys listed in the report


@dataclass(frozen=True, slots=True)
class _SampledRow:
    """A sampled current row and the latest history row of its key (``h_*``: None when there is none)."""

    sr_event_id: int
    market_id: int
    line: str | None
    outcomes: str
    available: bool
    last_updated_at: datetime
    h_outcomes: str | None
    h_captured_at: datetime | None


def consistency(conn: psycopg.Connection[Any], book: str, sample: int, retention_days: int) -> dict[str, Any]:
    """Compare up to ``sample`` random current rows of ``book`` with their latest history rows.

    Returns ``sampled`` (rows compared), ``differing`` (history says otherwise), ``missing_history`` (a row
    updated within ``retention_days`` without any history row) and up to ten ``samples`` describing them.
    """
    rows = queries.fetch(conn, "select_consistency_sample", _SampledRow, {"b": BOOKMAKER_IDS[book], "n": sample})
    now = datetime.now(timezone.utc)
    samples: list[dict[str, Any]] = []
    missing = differing = 0
    for r in rows:
        if r.h_captured_at is None:
            # history partitions older than the retention are dropped: only a recent row must have one
            if (now - r.last_updated_at).days < retention_days:
                missing += 1
                if len(samples) < _MAX_SAMPLES:
                    samples.append({"sr_event_id": r.sr_event_id, "market_id": r.market_id, "line": r.line,
                                    "problem": "no history row"})
            continue
        expected = r.outcomes if r.available else None
        if r.h_outcomes != expected:
            differing += 1
            if len(samples) < _MAX_SAMPLES:
                samples.append({"sr_event_id": r.sr_event_id, "market_id": r.market_id, "line": r.line,
                                "current": expected, "history": r.h_outcomes,
                                "history_at": r.h_captured_at.isoformat()})
    return {"sampled": len(rows), "differing": differing, "missing_history": missing, "samples": samples}
