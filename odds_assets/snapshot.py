"""A snapshot: one bookmaker's normalised board at one ``captured_at``, as the write engine takes it.

It travels as pandas DataFrames (DESIGN §3) with exact values kept as canonical decimal *strings*
(no floats, no ``Decimal`` objects in object columns on the hot path):

``markets`` — one row per market instance:
    sr_event_id (int64), market_id (int64), line (str | None, canonical decimal), outcomes (str, encoded)
``events`` — one row per event scraped COMPLETELY (only their markets may be marked gone):
    sr_event_id (int64), bookmaker_event_id, home, away (str), kickoff (datetime64[ns, UTC]),
    competition, country (str | None)

Outcome encoding (also the stored form, see migration 0001): ``name=odds`` joined by ``;``; a trailing
``!`` marks an outcome that is not bettable; odds may be empty only then. Names escape ``\\ ; = !`` with a
backslash. Odds and lines are canonical: no exponent, no trailing zeros, no ``-0`` ("2.40" -> "2.4").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Iterable

import pandas as pd

from odds_assets.errors import SnapshotError
from odds_assets.models import BOOKMAKER_IDS, EventOdds, Market, Outcome

__all__ = [
    "MARKET_COLUMNS",
    "EVENT_COLUMNS",
    "Snapshot",
    "build_snapshot",
    "canonical_decimal",
    "decode_outcomes",
    "encode_outcomes",
    "outcome_frame",
]

MARKET_COLUMNS = ["sr_event_id", "market_id", "line", "outcomes"]
EVENT_COLUMNS = ["sr_event_id", "bookmaker_event_id", "home", "away", "kickoff", "competition", "country"]

_ESCAPE_RE = re.compile(r"([\\;=!])")
# Canonical decimal strings: integers without leading zeros, fractions without trailing zeros.
_DEC = r"(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?"
# Lines are stored exactly as hundredths in a smallint in history: at most 2 decimals, |line| <= 327.67
# (football lines are quarter or half goals; anything else is rejected, never rounded).
LINE_RE = re.compile(r"-?(?:0|[1-9][0-9]{0,2})(?:\.[0-9]?[1-9])?")
MAX_ABS_LINE = Decimal("327.67")
# Odds strictly above 1.0 in canonical form: 1.x with a non-zero fraction, or an integer part >= 2.
_ODDS = r"(?:1\.[0-9]*[1-9]|[2-9](?:\.[0-9]*[1-9])?|[1-9][0-9]+(?:\.[0-9]*[1-9])?)"
_NAME = r"(?:[^;=!\\]|\\.)+"
_ENTRY = rf"{_NAME}=(?:{_ODDS}!?|!)"
OUTCOMES_RE = re.compile(rf"{_ENTRY}(?:;{_ENTRY})*")
_ENTRY_PARSE_RE = re.compile(r"((?:[^;=!\\]|\\.)+)=([^;!]*)(!?)(?:;|$)")


def canonical_decimal(value: Decimal) -> str:
    """Exact canonical text of a finite decimal: ``Decimal("2.40")`` -> ``"2.4"``, ``-0`` -> ``"0"``."""
    if not value.is_finite():
        raise ValueError(f"not a finite decimal: {value}")
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def encode_outcomes(outcomes: Iterable[Outcome]) -> str:
    """Encode outcomes in order (the book's order), validating each; raises ``ValueError``."""
    parts = []
    seen: set[str] = set()
    for o in outcomes:
        if not o.name:
            raise ValueError("outcome with an empty name")
        if o.name in seen:
            raise ValueError(f"duplicate outcome {o.name!r}")
        seen.add(o.name)
        name = _ESCAPE_RE.sub(r"\\\1", o.name)
        if o.odds is None:
            if o.active:
                raise ValueError(f"outcome {o.name!r} is active but has no odds")
            parts.append(f"{name}=!")
            continue
        if not isinstance(o.odds, Decimal):
            raise ValueError(f"outcome {o.name!r} odds {o.odds!r} is not a Decimal")
        if not o.odds.is_finite():
            raise ValueError(f"outcome {o.name!r} odds {o.odds} is not finite")
        if o.odds <= 1:
            raise ValueError(f"outcome {o.name!r} odds {o.odds} <= 1.0")
        parts.append(f"{name}={canonical_decimal(o.odds)}{'' if o.active else '!'}")
    if not parts:
        raise ValueError("market without outcomes")
    return ";".join(parts)


def decode_outcomes(encoded: str) -> tuple[Outcome, ...]:
    """Inverse of :func:`encode_outcomes`."""
    out = []
    for name, odds, inactive in _ENTRY_PARSE_RE.findall(encoded):
        out.append(Outcome(re.sub(r"\\(.)", r"\1", name), Decimal(odds) if odds else None, not inactive))
    return tuple(out)


@dataclass(frozen=True)
class Snapshot:
    """One bookmaker's board at ``captured_at``: complete events and their market instances."""

    bookmaker: str
    captured_at: datetime
    events: pd.DataFrame
    markets: pd.DataFrame

    def __post_init__(self) -> None:
        if self.bookmaker not in BOOKMAKER_IDS:
            raise SnapshotError(f"unknown bookmaker {self.bookmaker!r}", bookmaker=self.bookmaker,
                                field="bookmaker")
        if not isinstance(self.captured_at, datetime) or self.captured_at.utcoffset() is None:
            raise SnapshotError("captured_at must be a timezone-aware datetime", bookmaker=self.bookmaker,
                                field="captured_at")

    @property
    def captured_at_utc(self) -> datetime:
        return self.captured_at.astimezone(timezone.utc)


def _market_line(bookmaker: str, sr_event_id: int, m: Market) -> str | None:
    if m.line is None:
        return None
    if not isinstance(m.line, Decimal) or not m.line.is_finite():
        raise SnapshotError(f"line {m.line!r} is not a finite decimal", bookmaker=bookmaker,
                            sr_event_id=sr_event_id, market_id=m.market_id, line=m.line, field="line")
    text = canonical_decimal(m.line)
    if not LINE_RE.fullmatch(text) or abs(m.line) > MAX_ABS_LINE:
        raise SnapshotError(f"line {m.line} has more than 2 decimals or exceeds {MAX_ABS_LINE}",
                            bookmaker=bookmaker, sr_event_id=sr_event_id, market_id=m.market_id, line=m.line,
                            field="line")
    return text


def build_snapshot(bookmaker: str, captured_at: datetime, events: Iterable[EventOdds]) -> Snapshot:
    """Build a validated :class:`Snapshot` from typed observations of events scraped completely.

    Raises :class:`SnapshotError` naming the bookmaker, event, market, line and field of the first
    invalid value; nothing is partially built.
    """
    ev_rows: list[tuple] = []
    sr_ids: list[int] = []
    market_ids: list[int] = []
    lines: list[str | None] = []
    encoded: list[str] = []
    for eo in events:
        e = eo.event
        if e.bookmaker != bookmaker:
            raise SnapshotError(f"event of {e.bookmaker!r} in a {bookmaker!r} snapshot", bookmaker=bookmaker,
                                sr_event_id=e.sr_event_id, field="bookmaker")
        if e.kickoff.utcoffset() is None:
            raise SnapshotError("kickoff must be timezone-aware", bookmaker=bookmaker,
                                sr_event_id=e.sr_event_id, field="kickoff")
        ev_rows.append((e.sr_event_id, e.bookmaker_event_id, e.home, e.away,
                        e.kickoff.astimezone(timezone.utc), e.competition, e.country))
        for m in eo.markets:
            line = _market_line(bookmaker, e.sr_event_id, m)
            try:
                enc = encode_outcomes(m.outcomes)
            except ValueError as exc:
                raise SnapshotError(str(exc), bookmaker=bookmaker, sr_event_id=e.sr_event_id,
                                    market_id=m.market_id, line=line, field="outcomes") from None
            sr_ids.append(e.sr_event_id)
            market_ids.append(m.market_id)
            lines.append(line)
            encoded.append(enc)
    events_df = pd.DataFrame(ev_rows, columns=EVENT_COLUMNS)
    events_df["sr_event_id"] = events_df["sr_event_id"].astype("int64")
    events_df["kickoff"] = pd.to_datetime(events_df["kickoff"], utc=True)
    markets_df = pd.DataFrame({
        "sr_event_id": pd.array(sr_ids, dtype="int64"),
        "market_id": pd.array(market_ids, dtype="int64"),
        "line": pd.Series(lines, dtype=object),
        "outcomes": pd.Series(encoded, dtype=object),
    })
    return Snapshot(bookmaker=bookmaker, captured_at=captured_at, events=events_df, markets=markets_df)


def outcome_frame(snapshot: Snapshot) -> pd.DataFrame:
    """One row per outcome (for analysts and checks): sr_event_id, market_id, line, outcome, odds, active."""
    rows = []
    m = snapshot.markets
    for sr, mid, line, enc in zip(m["sr_event_id"], m["market_id"], m["line"], m["outcomes"]):
        for o in decode_outcomes(enc):
            rows.append((sr, mid, line, o.name, None if o.odds is None else canonical_decimal(o.odds), o.active))
    return pd.DataFrame(rows, columns=["sr_event_id", "market_id", "line", "outcome", "odds", "active"])
