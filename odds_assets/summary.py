"""The summary of one scraped window: what was listed, read, dropped, quarantined and measured.

Built once, by ``odds_assets.scrape.scrape_window``, complete (``captured_at`` included) and frozen.
Everything downstream reads attributes: the asset checks and the write gate (``odds_assets.quality``),
the Dagster metadata (``odds_assets.defs.common.metadata``). The archive is the only place it becomes
JSON (``summary.json`` beside the window's Parquet, flat keys, readable by ``jq``; see
``odds_assets.archive``), so the names below are the only schema a reader has to know.

The figures are grouped as they are computed: :class:`BoardFigures` from the clients' board,
:class:`QuarantineFigures` from the price bounds, :class:`OverroundFigures` from the snapshot,
:class:`Timings` from the clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from numbers import Integral, Real
from typing import Any

__all__ = [
    "BoardFigures",
    "DroppedEvent",
    "FailureSample",
    "MarketTypeOverround",
    "OverroundFigures",
    "QuarantineFigures",
    "QuarantineSample",
    "ScrapeSummary",
    "Timings",
    "plain",
]


@dataclass(frozen=True, slots=True)
class FailureSample:
    """An event whose detail could not be fetched or read (the first few of a board)."""

    event: str | int | None
    sr_event_id: int | None
    error_type: str
    reason: str


@dataclass(frozen=True, slots=True)
class BoardFigures:
    """Listing, completeness, failures and mapping coverage of a scraped board."""

    listed: int
    listing_complete: bool
    events_complete: int
    events_failed: int
    failure_reasons: Mapping[str, int]
    failure_samples: tuple[FailureSample, ...]
    instances_total: int
    instances_mapped: int
    #: mapped share of market instances; None for a board without any
    mapping_coverage: float | None


@dataclass(frozen=True, slots=True)
class QuarantineSample:
    """A market with prices outside the bounds: the outcomes quarantined and their prices."""

    sr_event_id: int
    market_id: int
    line: str | None
    outcomes: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class QuarantineFigures:
    """Outcomes priced outside ``bounds`` (made inactive without a price), and the markets they are in."""

    outcomes: int
    markets: int
    samples: tuple[QuarantineSample, ...]
    #: (min_odds, max_odds) as exact decimal strings
    bounds: tuple[str, str]


@dataclass(frozen=True, slots=True)
class MarketTypeOverround:
    """One market type's instances on a board: how many, their median margin, how many out of band."""

    n: int
    median: float
    out: int


@dataclass(frozen=True, slots=True)
class OverroundFigures:
    """Instances with a margin (``odds_assets.analytics.margin``) compared with their market type's median
    margin on the same board (``priced``: how many had one)."""

    priced: int = 0
    out_of_band: int = 0
    out_share: float = 0.0
    #: the worst market types (by instances out of band), keyed by market id as text
    by_market: Mapping[str, MarketTypeOverround] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DroppedEvent:
    """An event the snapshot dropped as invalid (bookmaker, event, field and reason are in ``reason``)."""

    sr_event_id: int | None
    field: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Timings:
    """Seconds spent fetching (0 when re-parsed from the archive), parsing and in total."""

    fetch_s: float
    parse_s: float
    total_s: float


@dataclass(frozen=True, slots=True)
class ScrapeSummary:
    """Everything known about one window's scrape; see the module docstring."""

    #: ``"network"`` (scraped now) or ``"archive"`` (re-parsed from the archived raw responses)
    source: str
    #: the snapshot's time: the scrape's start (every row written for the window carries it)
    captured_at: datetime
    scrape_started_at: datetime
    scrape_finished_at: datetime
    board: BoardFigures
    #: events dropped by the snapshot as invalid (the first 50)
    dropped: tuple[DroppedEvent, ...]
    #: market instances and outcomes in the snapshot
    markets: int
    outcomes: int
    quarantine: QuarantineFigures
    overround: OverroundFigures
    #: compressed bytes of the archived raw responses
    raw_bytes: int
    timings: Timings

    @property
    def quarantined_share(self) -> float:
        """Quarantined outcomes as a share of all outcomes of the snapshot."""
        return self.quarantine.outcomes / self.outcomes if self.outcomes else 0.0

    def headline(self) -> dict[str, Any]:
        """The figures a scrape run shows (its Dagster materialisation); -1 stands for "none"."""
        b, q, t = self.board, self.quarantine, self.timings
        return {
            "source": self.source,
            "captured_at": self.captured_at.isoformat(),
            "events_listed": b.listed,
            "listing_complete": b.listing_complete,
            "events_complete": b.events_complete,
            "events_failed": b.events_failed,
            "failure_reasons": dict(b.failure_reasons),
            "failure_samples": list(b.failure_samples),
            "market_instances": self.markets,
            "mapping_coverage": b.mapping_coverage if b.mapping_coverage is not None else -1.0,
            "quarantined_outcomes": q.outcomes,
            "quarantined_markets": q.markets,
            "raw_bytes": self.raw_bytes,
            "fetch_s": t.fetch_s,
            "parse_s": t.parse_s,
            "total_s": t.total_s,
        }


def plain(value: Any) -> Any:
    """Figures as JSON-able plain values: the dataclasses above (and ``odds_assets.quality``'s) as
    objects, mappings with text keys, sequences as lists, decimals and times as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        return float(value)
    return value
