"""Data-quality rules of a scraped window, as plain functions (no Dagster), parameterised by
:class:`QualityRules`: ``odds_assets.scrape`` applies them and records the figures in the window's
:class:`~odds_assets.summary.ScrapeSummary`; the asset checks of ``odds_snapshot`` (:func:`evaluate`)
and the write gate of ``current_odds`` (:func:`completeness`) read them.

Quarantine (price bounds): an outcome whose price lies outside [min_odds, max_odds] is *quarantined*:
it keeps its place in its market but loses its price and becomes inactive (``name=!``), exactly like a
book's own "no price" placeholder. So the bad price is never written, the market stays present (it can
never be marked *gone* because of a bad price), the change is visible in history as "not bettable",
and the count is reported by the ``price_bounds`` check. Placeholders the books send for "unavailable"
(0, "0.00", "1") are already inactive outcomes without a price when the parsers hand them over, so
they are not counted as bad data.

The checks (:func:`evaluate`), each a :class:`CheckOutcome` whose ``figures`` become the check's
metadata (``-1`` stands for "none", e.g. no previous window):

- ``price_bounds``       quarantined outcomes; failing above ``quarantine_error_share`` of all outcomes
- ``overround``          instances whose margin is far from their market type's median; failing above a share
- ``completeness``       truncated listing, or fewer complete events than ``completeness_min_ratio`` of
                         the previous window's (the same rule gates the write)
- ``mapping_coverage``   mapped share of market instances dropped against the previous window
- ``kickoff_agreement``  kick-off differs from another book's for the same SportRadar id

And one rule about the written data rather than a window: :func:`stale_books`, the ``freshness`` check of
``current_odds`` (every book's latest write at most ``PipelineSettings.freshness_max_age_s`` old), which the
traders' board applies too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from odds_assets.analytics.margin import market_margin, priced_margin
from odds_assets.models import BoardScrape, EventOdds, Market, Outcome
from odds_assets.snapshot import Snapshot, decode_outcomes
from odds_assets.summary import (
    BoardFigures,
    FailureSample,
    MarketTypeOverround,
    OverroundFigures,
    QuarantineFigures,
    QuarantineSample,
    ScrapeSummary,
)

__all__ = [
    "CHECKS",
    "CheckOutcome",
    "CompletenessVerdict",
    "KickoffFigures",
    "QualityRules",
    "QuarantineResult",
    "board_figures",
    "completeness",
    "evaluate",
    "kickoff_disagreements",
    "overround_figures",
    "quarantine",
    "stale_books",
]

#: the checks of a scraped window, in the order they are reported
CHECKS = ("price_bounds", "overround", "completeness", "mapping_coverage", "kickoff_agreement")


@dataclass(frozen=True, slots=True)
class QualityRules:
    """Bounds, bands and thresholds of the data-quality rules (``PipelineSettings.quality``)."""

    #: price bounds; outcomes outside are quarantined (made inactive without a price)
    min_odds: Decimal
    max_odds: Decimal
    #: a board with fewer complete events than this share of the previous window's is blocked
    completeness_min_ratio: float
    #: price_bounds fails above this share of quarantined outcomes
    quarantine_error_share: float
    #: mapping coverage may drop this much (absolute share) against the previous window
    coverage_drop_warn: float
    #: an instance whose margin is further than this from its market type's median is out of band
    overround_band: float
    #: overround fails when more than this share of priced instances is out of band
    overround_warn_share: float
    #: kick-off disagreement tolerated between books for one SportRadar id
    kickoff_tolerance_minutes: int


@dataclass(frozen=True, slots=True)
class QuarantineResult:
    """The events with out-of-bounds outcomes quarantined, and what was quarantined."""

    events: list[EventOdds]
    figures: QuarantineFigures

    @property
    def outcomes(self) -> int:
        return self.figures.outcomes

    @property
    def markets(self) -> int:
        return self.figures.markets


def quarantine(events: Iterable[EventOdds], min_odds: Decimal, max_odds: Decimal) -> QuarantineResult:
    """Make every priced outcome outside [min_odds, max_odds] inactive without a price (see module doc)."""
    out: list[EventOdds] = []
    n_out = n_mk = 0
    samples: list[QuarantineSample] = []
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
                samples.append(QuarantineSample(eo.event.sr_event_id, m.market_id,
                                                None if m.line is None else str(m.line),
                                                {o.name: str(o.odds) for o in bad}))
            changed_markets.append(replace(m, outcomes=tuple(
                Outcome(o.name, None, False) if o in bad else o for o in m.outcomes)))
        out.append(eo if changed_markets is None else replace(eo, markets=tuple(changed_markets)))
    return QuarantineResult(out, QuarantineFigures(n_out, n_mk, tuple(samples), (str(min_odds), str(max_odds))))


def board_figures(board: BoardScrape) -> BoardFigures:
    """Listing, completeness, failures and mapping coverage of a scraped board."""
    reasons = Counter(f.error_type for f in board.failures)
    samples = tuple(FailureSample(f.bookmaker_event_id, f.sr_event_id, f.error_type, f.reason[:300])
                    for f in board.failures[:5])
    total = sum(eo.instances_total for eo in board.events)
    unmapped = sum(sum(eo.unmapped.values()) for eo in board.events)
    return BoardFigures(
        listed=board.listed, listing_complete=board.listing_complete, events_complete=len(board.events),
        events_failed=len(board.failures), failure_reasons=dict(reasons), failure_samples=samples,
        instances_total=total, instances_mapped=total - unmapped,
        mapping_coverage=round((total - unmapped) / total, 4) if total else None)


def overround_figures(snapshot: Snapshot, band: float) -> OverroundFigures:
    """Margin of every market instance that has one (``odds_assets.analytics.margin``: complete, every
    outcome priced and bettable, a market type with a margin of its own), compared with the median of its
    market type on this board: the share outside median ± band, and the worst types.

    The margin is the one ``odds show`` prints: Σ 1/odds / k − 1 with k the number of outcomes covering
    each result (the catalogue's rule: 2 for double chance), so every type's margins sit near the book's
    few percent; incomplete sets (a book listing part of a type's outcomes) and types without a margin of
    their own (multigoals) are not measured, since their booksums say nothing about the book's margin.
    Margins still differ by type (a correct score carries more than a 1X2), so the reference is the
    board's median per type.
    """
    m = snapshot.markets
    if m.empty:
        return OverroundFigures()
    mids: list[int] = []
    values: list[float] = []
    for mid, enc in zip(m["market_id"].to_numpy(), m["outcomes"].to_numpy()):
        if "\\" in enc:  # an escaped name: decode it properly
            margin = market_margin(int(mid), decode_outcomes(enc))
        elif "!" in enc:  # an outcome without a price or not bettable: no margin
            continue
        else:  # "name=odds;…" with plain names: read as the text it is (a board has ~10^5 of these)
            pairs = [part.split("=") for part in enc.split(";")]
            margin = priced_margin(int(mid), [name for name, _ in pairs], [float(odds) for _, odds in pairs])
        if margin is not None:
            mids.append(int(mid))
            values.append(margin)
    if not values:
        return OverroundFigures()
    frame = pd.DataFrame({"market_id": mids, "overround": values})
    frame["median"] = frame.groupby("market_id")["overround"].transform("median")
    frame["out"] = (frame["overround"] - frame["median"]).abs() > band
    by = frame.groupby("market_id").agg(n=("overround", "size"), median=("median", "first"),
                                        out=("out", "sum"))
    worst = by[by["out"] > 0].sort_values("out", ascending=False).head(10)
    n_out = int(frame["out"].sum())
    return OverroundFigures(
        priced=len(frame), out_of_band=n_out, out_share=round(n_out / len(frame), 5),
        by_market={str(k): MarketTypeOverround(int(r["n"]), round(float(r["median"]), 4), int(r["out"]))
                   for k, r in worst.iterrows()})


@dataclass(frozen=True)
class CompletenessVerdict:
    """Whether a board may be written: a truncated listing, or a board that lost most of its events
    against the previous window, is blocked (it must never mark thousands of markets gone)."""

    ok: bool
    reason: str
    events: int
    previous_events: int | None
    ratio: float | None


def completeness(summary: ScrapeSummary, previous: ScrapeSummary | None, min_ratio: float) -> CompletenessVerdict:
    events = summary.board.events_complete
    prev = None if previous is None else previous.board.events_complete
    ratio = None if not prev else events / prev
    if not summary.board.listing_complete:
        return CompletenessVerdict(False, f"the listing was truncated: {summary.board.listed} events listed "
                                   "before it broke off", events, prev, ratio)
    if ratio is not None and ratio < min_ratio:
        return CompletenessVerdict(False, f"{events} complete events, {ratio:.0%} of the previous window's "
                                   f"{prev} (minimum {min_ratio:.0%})", events, prev, ratio)
    return CompletenessVerdict(True, "complete", events, prev, ratio)


def stale_books(ages_s: Mapping[str, float | None], max_age_s: float) -> list[str]:
    """The books that are stale, in the order given: no write at all (age ``None``) or the latest write
    more than ``max_age_s`` seconds ago (the ``freshness`` check; the board's banner)."""
    return [book for book, age in ages_s.items() if age is None or age > max_age_s]


@dataclass(frozen=True, slots=True)
class KickoffFigures:
    """Shared events compared with the other books, how many disagree on kick-off, the first few."""

    compared: int
    disagreeing: int
    samples: tuple[Mapping[str, Any], ...]


def kickoff_disagreements(events: pd.DataFrame, others: Mapping[str, pd.DataFrame], tolerance_minutes: int
                          ) -> KickoffFigures:
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
        hit = j[diff > tol].head(10)
        for sr, kickoff, kickoff_other in zip(hit["sr_event_id"].tolist(), hit["kickoff"].tolist(),
                                              hit["kickoff_other"].tolist()):
            bad.append({"sr_event_id": int(sr), "book": book, "kickoff": kickoff.isoformat(),
                        "other": kickoff_other.isoformat()})
    return KickoffFigures(compared, disagreeing, tuple(bad))


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """One check of one window: passed or not, a one-line description, the figures behind it."""

    passed: bool
    description: str
    figures: Mapping[str, Any]


def evaluate(summary: ScrapeSummary, previous: ScrapeSummary | None, rules: QualityRules,
             events: pd.DataFrame, others: Mapping[str, pd.DataFrame]) -> dict[str, CheckOutcome]:
    """Every check of :data:`CHECKS` for one window, from its summary, the previous complete window's
    summary, its events and the other books' events of the same window (see the module docstring)."""
    s, q, ov, b = summary, summary.quarantine, summary.overround, summary.board
    res: dict[str, CheckOutcome] = {}
    share = s.quarantined_share
    res["price_bounds"] = CheckOutcome(share <= rules.quarantine_error_share, (
        f"{q.outcomes} outcomes outside {q.bounds[0]}–{q.bounds[1]} quarantined"), {
        "quarantined_outcomes": q.outcomes, "quarantined_markets": q.markets, "outcomes": s.outcomes,
        "share": round(share, 6), "threshold": rules.quarantine_error_share, "bounds": list(q.bounds),
        "samples": list(q.samples)})

    res["overround"] = CheckOutcome(ov.out_share <= rules.overround_warn_share, (
        f"{ov.out_of_band} of {ov.priced} priced instances outside their market type's band"), {
        "priced_instances": ov.priced, "out_of_band": ov.out_of_band, "out_share": ov.out_share,
        "band": rules.overround_band, "worst_market_types": dict(ov.by_market)})

    v = completeness(s, previous, rules.completeness_min_ratio)
    described = v.reason if not v.ok else f"{v.events} complete events of {b.listed} listed"
    res["completeness"] = CheckOutcome(v.ok, described, {
        "listed": b.listed, "listing_complete": b.listing_complete, "events_complete": v.events,
        "previous_events_complete": v.previous_events if v.previous_events is not None else -1,
        "ratio": round(v.ratio, 4) if v.ratio is not None else -1.0, "min_ratio": rules.completeness_min_ratio,
        "events_failed": b.events_failed, "failure_reasons": dict(b.failure_reasons)})

    cov = b.mapping_coverage
    prev_cov = previous.board.mapping_coverage if previous is not None else None
    drop = (prev_cov - cov) if cov is not None and prev_cov is not None else 0.0
    res["mapping_coverage"] = CheckOutcome(drop <= rules.coverage_drop_warn, (
        f"mapping coverage {cov} (previous {prev_cov})"), {
        "coverage": cov if cov is not None else -1.0, "previous_coverage": prev_cov if prev_cov is not None else -1.0,
        "drop": round(drop, 4), "instances_total": b.instances_total, "instances_mapped": b.instances_mapped})

    kick = kickoff_disagreements(events, others, rules.kickoff_tolerance_minutes)
    res["kickoff_agreement"] = CheckOutcome(kick.disagreeing == 0, (
        f"{kick.disagreeing} of {kick.compared} shared events disagree on kick-off"), {
        "compared": kick.compared, "disagreeing": kick.disagreeing,
        "tolerance_minutes": rules.kickoff_tolerance_minutes, "samples": list(kick.samples)})
    return res
