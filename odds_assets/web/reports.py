"""The analytics pages' data: exposure episodes (window-level ``exposure`` asset), the margin report and
coverage gaps (daily assets), read from the tables [analytics] writes (migrations 0008, 0009) with
parameterised statements, as rows for the pages and JSON for the API (CSV is written from that JSON).

- **Exposure** (``/exposure``): open episodes first, then those that ended in the last ``hours``, largest
  peak edge first; each links to its event and price path. An open episode shows BetPawa's price, the
  fair price and the edge *now* beside its peak.
- **Margins** (``/margins``): one day's report, book × competition × market type × time-to-kick-off
  bucket, the books side by side (mean and median margin in percent, observations).
- **Coverage** (``/coverage``): one day's gaps per competition and competitor against BetPawa (events one
  side lists and the other does not; markets a competitor offers for a shared event and BetPawa does
  not), and the gaps one by one.

The definitions are the analytics modules' (``odds_assets.analytics``) and README's "Analytics".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg

from odds_assets.db import queries
from odds_assets.errors import QueryError
from odds_assets.models import BOOKMAKERS
from odds_assets.trader.data import format_line
from odds_assets.trader.text import iso, num

__all__ = [
    "BUCKETS",
    "CoverageReport",
    "ExposureQuery",
    "ExposureRow",
    "MarginReport",
    "coverage_json",
    "coverage_rows",
    "exposure_json",
    "exposure_rows",
    "load_coverage",
    "load_exposure",
    "load_margins",
    "margin_rows",
    "margins_json",
    "open_exposures",
]

#: the margin report's time-to-kick-off buckets, farthest first
BUCKETS = ("7d+", "3-7d", "24-72h", "<24h")
KINDS = ("edge", "arb")


# --- exposure --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExposureQuery:
    """Which episodes: open ones and those ended in the last ``hours``; optionally open only, one kind,
    one event; at most ``limit`` rows."""

    hours: int = 24
    open_only: bool = False
    kind: str | None = None
    sr_event_id: int | None = None
    limit: int = 200

    def params(self) -> dict[str, str]:
        """The query string (defaults left out), for links."""
        out = {"hours": str(self.hours)} if self.hours != 24 else {}
        if self.open_only:
            out["open_only"] = "1"
        if self.kind:
            out["kind"] = self.kind
        if self.sr_event_id is not None:
            out["sr"] = str(self.sr_event_id)
        if self.limit != 200:
            out["limit"] = str(self.limit)
        return out


@dataclass(frozen=True, slots=True)
class ExposureRow:
    """One exposure episode (``exposure_episodes``) with its event, and its outcome's values now if open."""

    sr_event_id: int
    home: str | None
    away: str | None
    kickoff: datetime | None
    competition: str | None
    market_id: int
    market: str | None
    line: Decimal | None
    outcome: str
    kind: str
    started_at: datetime
    ended_at: datetime | None
    peak_at: datetime
    peak_edge: float | None
    peak_betpawa_odds: Decimal | None
    peak_fair_odds: float | None
    peak_market_implied: float | None
    first_mover: str | None
    first_move_at: datetime | None
    betpawa_age_s: float | None
    sportybet_age_s: float | None
    bet9ja_age_s: float | None
    correction_s: float | None
    edge_now: float | None
    betpawa_odds_now: Decimal | None
    fair_odds_now: float | None

    @property
    def open(self) -> bool:
        return self.ended_at is None

    def duration_s(self, now: datetime) -> float:
        """How long it lasted (open: so far)."""
        return ((self.ended_at or now) - self.started_at).total_seconds()

    @property
    def path_url(self) -> str:
        return f"/path/{self.sr_event_id}/{self.market_id}" + (
            "" if self.line is None else f"?line={format_line(self.line)}")


def load_exposure(conn: psycopg.Connection[Any], query: ExposureQuery, now: datetime) -> list[ExposureRow]:
    """The episodes ``query`` asks for, as of ``now``."""
    return queries.fetch(conn, "select_exposure", ExposureRow, {
        "since": now - timedelta(hours=query.hours), "open_only": query.open_only, "kind": query.kind,
        "sr": query.sr_event_id, "limit": query.limit})


def open_exposures(conn: psycopg.Connection[Any]) -> dict[int, int]:
    """Per event with an open exposure episode, how many it has (the board's marker)."""
    with conn.cursor() as cur:
        rows = cur.execute(queries.load("select_exposure_open_events")).fetchall()
    return {int(sr): int(n) for sr, n, _ in rows}


def _f(value: float | None, places: int = 6) -> float | None:
    return None if value is None else round(float(value), places)


def exposure_json(rows: list[ExposureRow], query: ExposureQuery, now: datetime) -> dict[str, Any]:
    """``/api/exposure``: the episodes, open first then largest peak edge first."""
    return {
        "now": iso(now), "query": query.params(), "open": sum(r.open for r in rows), "count": len(rows),
        "episodes": [{
            "sr_event_id": r.sr_event_id, "home": r.home, "away": r.away, "kickoff": iso(r.kickoff),
            "competition": r.competition, "market_id": r.market_id, "market": r.market, "line": num(r.line),
            "outcome": r.outcome, "kind": r.kind, "open": r.open, "started_at": iso(r.started_at),
            "ended_at": iso(r.ended_at), "duration_s": round(r.duration_s(now), 1), "peak_at": iso(r.peak_at),
            "peak_edge": _f(r.peak_edge), "peak_betpawa_odds": num(r.peak_betpawa_odds),
            "peak_fair_odds": _f(r.peak_fair_odds, 4), "peak_market_implied": _f(r.peak_market_implied),
            "first_mover": r.first_mover, "first_move_at": iso(r.first_move_at),
            "price_age_s": {"betpawa": _f(r.betpawa_age_s, 1), "sportybet": _f(r.sportybet_age_s, 1),
                            "bet9ja": _f(r.bet9ja_age_s, 1)},
            "correction_s": _f(r.correction_s, 1),
            "now": None if not r.open else {"edge": _f(r.edge_now), "betpawa_odds": num(r.betpawa_odds_now),
                                            "fair_odds": _f(r.fair_odds_now, 4)},
            "event_url": f"/event/{r.sr_event_id}", "path_url": r.path_url,
        } for r in rows],
    }


EXPOSURE_COLUMNS = ("sr_event_id", "home", "away", "kickoff", "competition", "market_id", "market", "line",
                    "outcome", "kind", "open", "started_at", "ended_at", "duration_s", "peak_edge",
                    "peak_betpawa_odds", "peak_fair_odds", "peak_market_implied", "first_mover", "first_move_at",
                    "betpawa_age_s", "sportybet_age_s", "bet9ja_age_s", "correction_s", "edge_now")


def exposure_rows(data: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """``/api/exposure`` JSON → one CSV row per episode."""
    for e in data["episodes"]:
        yield (*(e[c] for c in EXPOSURE_COLUMNS[:20]), *(e["price_age_s"][b] for b in BOOKMAKERS),
               e["correction_s"], None if e["now"] is None else e["now"]["edge"])


# --- daily reports ---------------------------------------------------------------------------------

def report_days(conn: psycopg.Connection[Any], report: str) -> list[date]:
    """The days ``report`` (``margins`` | ``coverage``) has, latest first."""
    with conn.cursor() as cur:
        return [r[0] for r in cur.execute(queries.load("select_report_days"), {"report": report}).fetchall()]


def _pick_day(days: list[date], day: date | None, report: str) -> date | None:
    if day is None:
        return days[0] if days else None
    if day not in days:
        raise QueryError(f"day: no {report} report for {day.isoformat()}"
                         + (f" (latest: {days[0].isoformat()})" if days else " (none computed yet)"))
    return day


@dataclass(frozen=True, slots=True)
class _MarginRow:
    bookmaker: str
    competition: str
    market_id: int
    market: str | None
    bucket: str
    observations: int
    with_margin: int
    mean_margin: float | None
    median_margin: float | None


@dataclass(frozen=True)
class MarginLine:
    """One competition × market type × bucket, the books side by side (absent: no observation)."""

    competition: str
    market_id: int
    market: str | None
    bucket: str
    books: dict[str, _MarginRow] = field(default_factory=dict)


@dataclass(frozen=True)
class MarginReport:
    day: date | None
    days: list[date]
    competition: str | None
    lines: list[MarginLine]


def load_margins(conn: psycopg.Connection[Any], day: date | None, competition: str | None) -> MarginReport:
    """One day's margin report (default: the latest day computed); :class:`QueryError` for a day without one."""
    days = report_days(conn, "margins")
    chosen = _pick_day(days, day, "margins")
    lines: dict[tuple[str, int, str], MarginLine] = {}
    if chosen is not None:
        for r in queries.fetch(conn, "select_margin_report", _MarginRow, {"day": chosen, "competition": competition}):
            key = (r.competition, r.market_id, r.bucket)
            if key not in lines:
                lines[key] = MarginLine(r.competition, r.market_id, r.market, r.bucket)
            lines[key].books[r.bookmaker] = r
    return MarginReport(chosen, days, competition, list(lines.values()))


def _pct(value: float | None) -> float | None:
    return None if value is None else round(float(value) * 100, 4)


def margins_json(report: MarginReport) -> dict[str, Any]:
    """``/api/margins``: per competition × market type × bucket, each book's observations and margins (%)."""
    return {
        "day": None if report.day is None else report.day.isoformat(),
        "days": [d.isoformat() for d in report.days], "competition": report.competition, "buckets": list(BUCKETS),
        "lines": [{
            "competition": ln.competition, "market_id": ln.market_id, "market": ln.market, "bucket": ln.bucket,
            "books": {b: None if (r := ln.books.get(b)) is None else {
                "observations": r.observations, "with_margin": r.with_margin,
                "mean_margin_pct": _pct(r.mean_margin), "median_margin_pct": _pct(r.median_margin)}
                for b in BOOKMAKERS},
        } for ln in report.lines],
    }


MARGIN_COLUMNS = ("day", "competition", "market_id", "market", "bucket", "bookmaker", "observations",
                  "with_margin", "mean_margin_pct", "median_margin_pct")


def margin_rows(data: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """``/api/margins`` JSON → one CSV row per line × book with observations."""
    for ln in data["lines"]:
        for book, v in ln["books"].items():
            if v is not None:
                yield (data["day"], ln["competition"], ln["market_id"], ln["market"], ln["bucket"], book,
                       v["observations"], v["with_margin"], v["mean_margin_pct"], v["median_margin_pct"])


@dataclass(frozen=True, slots=True)
class CoverageLine:
    competition: str
    competitor: str
    betpawa_events: int
    competitor_events: int
    shared_events: int
    events_not_at_betpawa: int
    events_not_at_competitor: int
    markets_not_at_betpawa: int
    events_with_market_gaps: int


@dataclass(frozen=True, slots=True)
class CoverageGap:
    competition: str
    competitor: str
    kind: str
    sr_event_id: int
    home: str | None
    away: str | None
    kickoff: datetime | None
    market_id: int | None
    market: str | None
    line: Decimal | None


@dataclass(frozen=True)
class CoverageReport:
    day: date | None
    days: list[date]
    competition: str | None
    lines: list[CoverageLine]
    gaps: list[CoverageGap]
    limit: int


def load_coverage(conn: psycopg.Connection[Any], day: date | None, competition: str | None,
                  limit: int = 500) -> CoverageReport:
    """One day's coverage gaps (default: the latest day computed), the details capped at ``limit``."""
    days = report_days(conn, "coverage")
    chosen = _pick_day(days, day, "coverage")
    lines: list[CoverageLine] = []
    gaps: list[CoverageGap] = []
    if chosen is not None:
        params = {"day": chosen, "competition": competition, "limit": limit}
        lines = queries.fetch(conn, "select_coverage_gaps", CoverageLine, params)
        gaps = queries.fetch(conn, "select_coverage_gap_details", CoverageGap, params)
    return CoverageReport(chosen, days, competition, lines, gaps, limit)


def coverage_json(report: CoverageReport) -> dict[str, Any]:
    """``/api/coverage``: per competition × competitor the counts, and the gaps one by one."""
    return {
        "day": None if report.day is None else report.day.isoformat(),
        "days": [d.isoformat() for d in report.days], "competition": report.competition,
        "summary": [{k: getattr(ln, k) for k in CoverageLine.__dataclass_fields__} for ln in report.lines],
        "gaps": [{"competition": g.competition, "competitor": g.competitor, "kind": g.kind,
                  "sr_event_id": g.sr_event_id, "home": g.home, "away": g.away, "kickoff": iso(g.kickoff),
                  "market_id": g.market_id, "market": g.market, "line": num(g.line)} for g in report.gaps],
        "gaps_limit": report.limit,
    }


COVERAGE_COLUMNS = ("day", "competition", "competitor", "kind", "sr_event_id", "home", "away", "kickoff",
                    "market_id", "market", "line")


def coverage_rows(data: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """``/api/coverage`` JSON → one CSV row per gap."""
    for g in data["gaps"]:
        yield (data["day"], *(g[c] for c in COVERAGE_COLUMNS[1:]))
