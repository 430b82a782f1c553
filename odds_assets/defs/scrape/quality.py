"""Data-quality rules of a scraped board, as plain functions (no Dagster): the scrape asset applies
them and stores the figures in the archive summary; the asset checks and the write gate read them.

Quarantine (price bounds): an outcome whose price lies outside [min_odds, max_odds] is *quarantined*:
it keeps its place in its market but loses its price and becomes inactive (``name=!``), exactly like a
book's own "no price" placeholder. So the bad price is never written, the market stays present (it can
never be marked *gone* because of a bad price), the change is visible in history as "not bettable",
and the count is reported by the ``price_bounds`` check. Placeholders the books send for "unavailable"
(0, "0.00", "1") are already inactive outcomes without a price when the parsers hand them over, so
they are not counted as bad data.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Iterable

import numpy as np
import pandas as pd

from odds_assets.models import BoardScrape, EventOdds, Market, Outcome
from odds_assets.snapshot import Snapshot

__all__ = [
    "CompletenessVerdict",
    "QuarantineResult",
    "board_figures",
    "completeness",
    "overround_figures",
    "quarantine",
]


@dataclass(frozen=True)
class QuarantineResult:
    events: list[EventOdds]
    outcomes: int
    markets: int
    samples: list[dict[str, Any]]


def quarantine(events: Iterable[EventOdds], min_odds: Decimal, max_odds: Decimal) -> QuarantineResult:
    """Make every priced outcome outside [min_odds, max_odds] inactive without a price (see module doc)."""
    out: list[EventOdds] = []
    n_out = n_mk = 0
    samples: list[dict[str, Any]] = []
    for eo in events:
        changed_markets: list[Market] | None = None
        for i, m in enumerate(eo.markets):
            bad = [o for o in m.outcomes if o.odds is not None and not (min_odds <= o.odds <= max_odds)]
            if not bad:
                if changed_markets is not None:
                    changed_markets.append(m)
                continue
            if changed_markets is None:
                changed_markets = list(eo.markets[:i])
            n_out += len(bad)
            n_mk += 1
            if len(samples) < 10:
                samples.append({"sr_event_id": eo.event.sr_event_id, "market_id": m.market_id,
                                "line": None if m.line is None else str(m.line),
                                "outcomes": {o.name: str(o.odds) for o in bad}})
            changed_markets.append(replace(m, outcomes=tuple(
                Outcome(o.name, None, False) if o in bad else o for o in m.outcomes)))
        out.append(eo if changed_markets is None else replace(eo, markets=tuple(changed_markets)))
    return QuarantineResult(events=out, outcomes=n_out, markets=n_mk, samples=samples)


def board_figures(board: BoardScrape) -> dict[str, Any]:
    """Listing, completeness, failures and mapping coverage of a scraped board."""
    reasons = Counter(f.error_type for f in board.failures)
    samples = [{"event": f.bookmaker_event_id, "sr_event_id": f.sr_event_id, "error_type": f.error_type,
                "reason": f.reason[:300]} for f in board.failures[:5]]
    total = sum(eo.instances_total for eo in board.events)
    unmapped = sum(sum(eo.unmapped.values()) for eo in board.events)
    return {
        "listed": board.listed,
        "listing_complete": board.listing_complete,
        "events_complete": len(board.events),
        "events_failed": len(board.failures),
        "failure_reasons": dict(reasons),
        "failure_samples": samples,
        "instances_total": total,
        "instances_mapped": total - unmapped,
        "mapping_coverage": round((total - unmapped) / total, 4) if total else None,
    }


def overround_figures(snapshot: Snapshot, band: float) -> dict[str, Any]:
    """Overround (sum of 1/odds - 1) of every fully priced, fully active market instance, compared with
    the median of its market type on this board: the share outside median ± band, and the worst types.

    A data-driven band per market type, because the expected overround depends on the market's shape
    (a 1X2 sums to ~1.05, a double chance to ~2.1); the median of a board is a robust reference.
    """
    m = snapshot.markets
    if m.empty:
        return {"overround_priced": 0, "overround_out_of_band": 0, "overround_out_share": 0.0,
                "overround_by_market": {}}
    mids: list[int] = []
    values: list[float] = []
    for mid, enc in zip(m["market_id"].to_numpy(), m["outcomes"].to_numpy()):
        total = 0.0
        ok = True
        for part in enc.split(";"):
            price = part.rsplit("=", 1)[1]
            if not price or price.endswith("!"):
                ok = False
                break
            total += 1.0 / float(price)
        if ok:
            mids.append(int(mid))
            values.append(total - 1.0)
    if not values:
        return {"overround_priced": 0, "overround_out_of_band": 0, "overround_out_share": 0.0,
                "overround_by_market": {}}
    frame = pd.DataFrame({"market_id": mids, "overround": values})
    frame["median"] = frame.groupby("market_id")["overround"].transform("median")
    frame["out"] = (frame["overround"] - frame["median"]).abs() > band
    by = frame.groupby("market_id").agg(n=("overround", "size"), median=("median", "first"),
                                        out=("out", "sum"))
    worst = by[by["out"] > 0].sort_values("out", ascending=False).head(10)
    n_out = int(frame["out"].sum())
    return {
        "overround_priced": len(frame),
        "overround_out_of_band": n_out,
        "overround_out_share": round(n_out / len(frame), 5),
        "overround_by_market": {str(k): {"n": int(r["n"]), "median": round(float(r["median"]), 4), "out": int(r["out"])}
                                for k, r in worst.iterrows()},
    }


@dataclass(frozen=True)
class CompletenessVerdict:
    """Whether a board may be written: a truncated listing, or a board that lost most of its events
    against the previous window, is blocked (it must never mark thousands of markets gone)."""

    ok: bool
    reason: str
    events: int
    previous_events: int | None
    ratio: float | None


def completeness(summary: dict[str, Any], previous: dict[str, Any] | None, min_ratio: float) -> CompletenessVerdict:
    events = int(summary.get("events_complete", 0))
    prev = None if previous is None else int(previous.get("events_complete", 0))
    ratio = None if not prev else events / prev
    if not summary.get("listing_complete", False):
        return CompletenessVerdict(False, f"the listing was truncated: {summary.get('listed', 0)} events listed "
                                   "before it broke off", events, prev, ratio)
    if ratio is not None and ratio < min_ratio:
        return CompletenessVerdict(False, f"{events} complete events, {ratio:.0%} of the previous window's "
                                   f"{prev} (minimum {min_ratio:.0%})", events, prev, ratio)
    return CompletenessVerdict(True, "complete", events, prev, ratio)


def finite(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def kickoff_disagreements(events: pd.DataFrame, others: dict[str, pd.DataFrame], tolerance_minutes: int
                          ) -> dict[str, Any]:
    """Events whose kick-off differs from another book's for the same SportRadar id by more than the
    tolerance."""
    compared = disagreeing = 0
    bad: list[dict[str, Any]] = []
    tol = np.timedelta64(tolerance_minutes, "m")
    for book, other in others.items():
        j = events[["sr_event_id", "kickoff"]].merge(other[["sr_event_id", "kickoff"]], on="sr_event_id",
                                                     suffixes=("", "_other"))
        compared += len(j)
        diff = (j["kickoff"] - j["kickoff_other"]).abs()
        disagreeing += int((diff > tol).sum())
        for row in j[diff > tol].head(10).itertuples():
            bad.append({"sr_event_id": int(row.sr_event_id), "book": book, "kickoff": row.kickoff.isoformat(),
                        "other": row.kickoff_other.isoformat()})
    return {"compared": compared, "disagreeing": disagreeing, "samples": bad}
