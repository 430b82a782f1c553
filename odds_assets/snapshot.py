"""A snapshot: one bookmaker's normalised board at one ``captured_at``, as the write engine takes it.

It travels as pandas DataFrames (DESIGN §3) with exact values kept as canonical decimal *strings*
(no floats, no ``Decimal`` objects in object columns on the hot path):

``markets`` — one row per market instance:
    sr_event_id (int64), market_id (int64), line (str | None, canonical decimal), outcomes (str, encoded)
``events`` — one row per event scraped COMPLETELY (only their markets may be marked gone):
    sr_event_id (int64), bookmaker_event_id, home, away (str), kickoff (datetime64, UTC),
    competition, country (str | None) — the columns every snapshot must have (:data:`EVENT_COLUMNS`) —
    and fetched_at (datetime64, UTC; NaT when unknown), which :func:`build_snapshot` always adds and the
    write engine does not read (:data:`FETCHED_AT`)

What ``captured_at`` means for a board read over many seconds: a board is one listing and then one
detail request per event, so reading it takes seconds to minutes, and a scrape may start late in its
window. ``captured_at`` is ONE instant for the whole board — the time the scrape started (the clock
read just before the first request; a re-parse keeps the archived one). It names the window's board and
stamps every row the write engine writes for it (``market_odds_history.captured_at``, current's times).
It does not claim the book showed every price at that instant: each event's odds are what the book
showed at that event's ``fetched_at`` (when its detail response was received, by the wall clock: after
``captured_at`` and before the scrape finished when both come from that clock). So history as of ``t``
holds, per event, the odds its latest complete scrape *started* at or before ``t`` read — read up to
one scrape's duration after ``t``; a change the book made between ``captured_at`` and an event's
``fetched_at`` is stamped ``captured_at`` (early by at most that gap). The exact time per event is
``fetched_at``, kept in the archived ``events.parquet`` (an archive written before it existed reads
back with NaT there).

Outcome encoding (also the stored form, see migration 0001): ``name=odds`` joined by ``;``; a trailing
``!`` marks an outcome that is not bettable; odds may be empty only then. Names escape ``\\ ; = !`` with a
backslash. Odds and lines are canonical: no exponent, no trailing zeros, no ``-0`` ("2.40" -> "2.4").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

import pandas as pd

from odds_assets.errors import SnapshotError
from odds_assets.models import BOOKMAKER_IDS, EventOdds, Market, Outcome

__all__ = [
    "MARKET_COLUMNS",
    "EVENT_COLUMNS",
    "FETCHED_AT",
    "Snapshot",
    "build_snapshot",
    "canonical_decimal",
    "decode_outcomes",
    "encode_outcomes",
    "check_snapshot",
    "event_problems",
    "explain_outcomes",
    "fetched_at_column",
    "outcome_frame",
    "outcome_problems",
]

MARKET_COLUMNS = ["sr_event_id", "market_id", "line", "outcomes"]
EVENT_COLUMNS = ["sr_event_id", "bookmaker_event_id", "home", "away", "kickoff", "competition", "country"]
#: the events column with each event's ``EventOdds.fetched_at`` (UTC, NaT when unknown); not required
#: by :func:`check_snapshot` and not read by the write engine
FETCHED_AT = "fetched_at"

_ESCAPE_RE = re.compile(r"([\\;=!])")
# Canonical decimal strings: integers without leading zeros, fractions without trailing zeros.
_DEC = r"(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?"
# Lines are stored exactly as hundredths in a smallint in history: at most 2 decimals, |line| <= 327.67
# (football lines are quarter or half goals; anything else is rejected, never rounded).
LINE_RE = re.compile(r"(?!-0$)-?(?:0|[1-9][0-9]{0,2})(?:\.[0-9]?[1-9])?")  # "-0" is not canonical
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


# A board repeats few outcome names and prices (a realistic 1,000-event board: ~450,000 outcomes, a few
# thousand distinct prices): their encodings are memoised. Keys are equal Decimals (2.40 == 2.4), which
# encode alike; both caches are bounded.
_NAME_TEXT: dict[str, str] = {}
_ODDS_TEXT: dict[Decimal, str] = {}
_CACHE_MAX = 50_000


def _escaped(name: str) -> str:
    text = _NAME_TEXT.get(name)
    if text is None:
        text = _ESCAPE_RE.sub(r"\\\1", name)
        if len(_NAME_TEXT) < _CACHE_MAX:
            _NAME_TEXT[name] = text
    return text


def _odds_text(odds: Decimal) -> str:
    text = _ODDS_TEXT.get(odds)
    if text is None:
        text = canonical_decimal(odds)
        if len(_ODDS_TEXT) < _CACHE_MAX:
            _ODDS_TEXT[odds] = text
    return text


def encode_outcomes(outcomes: Iterable[Outcome]) -> str:
    """Encode outcomes in order (the book's order), validating each; raises ``ValueError``."""
    parts = []
    seen: set[str] = set()
    for o in outcomes:
        name = o.name
        if not name:
            raise ValueError("outcome with an empty name")
        if name in seen:
            raise ValueError(f"duplicate outcome {name!r}")
        seen.add(name)
        escaped = _escaped(name)
        odds = o.odds
        if odds is None:
            if o.active:
                raise ValueError(f"outcome {name!r} is active but has no odds")
            parts.append(f"{escaped}=!")
            continue
        # a price seen before was valid then (only valid prices are memoised): the hot path
        text = _ODDS_TEXT.get(odds) if type(odds) is Decimal else None
        if text is None:
            text = _valid_odds_text(name, odds)
        parts.append(f"{escaped}={text}" if o.active else f"{escaped}={text}!")
    if not parts:
        raise ValueError("market without outcomes")
    return ";".join(parts)


def _valid_odds_text(name: str, odds: object) -> str:
    if not isinstance(odds, Decimal):
        raise ValueError(f"outcome {name!r} odds {odds!r} is not a Decimal")
    if not odds.is_finite():
        raise ValueError(f"outcome {name!r} odds {odds} is not finite")
    if odds <= 1:
        raise ValueError(f"outcome {name!r} odds {odds} <= 1.0")
    return _odds_text(odds)


def decode_outcomes(encoded: str) -> tuple[Outcome, ...]:
    """Inverse of :func:`encode_outcomes`."""
    out = []
    for name, odds, inactive in _ENTRY_PARSE_RE.findall(encoded):
        out.append(Outcome(re.sub(r"\\(.)", r"\1", name), Decimal(odds) if odds else None, not inactive))
    return tuple(out)


@dataclass(frozen=True)
class Snapshot:
    """One bookmaker's board at ``captured_at``: complete events and their market instances.

    ``rejected`` lists the events dropped as invalid while it was built (one :class:`SnapshotError`
    each, naming the bookmaker, event and field); they are not in ``events`` / ``markets``.
    """

    bookmaker: str
    captured_at: datetime
    events: pd.DataFrame
    markets: pd.DataFrame
    rejected: tuple[SnapshotError, ...] = ()

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

    def without(self, problems: dict[int, SnapshotError]) -> Snapshot:
        """This snapshot without the events in ``problems`` (their errors added to ``rejected``)."""
        if not problems:
            return self
        ids = list(problems)
        return Snapshot(self.bookmaker, self.captured_at,
                        self.events[~self.events["sr_event_id"].isin(ids)].reset_index(drop=True),
                        self.markets[~self.markets["sr_event_id"].isin(ids)].reset_index(drop=True),
                        self.rejected + tuple(problems.values()))


# --- validation: ONE definition, used by build_snapshot (typed path) and the write engine (frames path) ---

def check_snapshot(snapshot: Snapshot) -> None:
    """Problems of the window as a whole, raised as :class:`SnapshotError` (nothing can be written):
    missing columns, non-integer ids, naive kick-off times. Unknown bookmaker and naive ``captured_at``
    are refused by :class:`Snapshot` itself."""
    if snapshot.bookmaker not in BOOKMAKER_IDS:
        raise SnapshotError(f"unknown bookmaker {snapshot.bookmaker!r}", bookmaker=snapshot.bookmaker,
                            field="bookmaker")
    m, e = snapshot.markets, snapshot.events
    for frame, cols, name in ((m, MARKET_COLUMNS, "markets"), (e, EVENT_COLUMNS, "events")):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise SnapshotError(f"{name} frame lacks columns {missing}", bookmaker=snapshot.bookmaker,
                                field=name)
    for frame, col in ((m, "sr_event_id"), (m, "market_id"), (e, "sr_event_id")):
        if not pd.api.types.is_integer_dtype(frame[col].dtype):
            raise SnapshotError(f"{col} must be integers, got {frame[col].dtype}", bookmaker=snapshot.bookmaker,
                                field=col)
    if len(e) and getattr(e["kickoff"].dtype, "tz", None) is None:
        raise SnapshotError("events.kickoff must be timezone-aware (UTC)", bookmaker=snapshot.bookmaker,
                            field="kickoff")


def _first(problems: dict[int, SnapshotError], sr: int, error: SnapshotError) -> None:
    problems.setdefault(int(sr), error)


def event_problems(snapshot: Snapshot) -> dict[int, SnapshotError]:
    """Per-event structural problems (vectorised, whole board): non-positive or duplicated SportRadar id
    (every copy is dropped: which one is right cannot be told), missing kick-off, blank names or book
    id, markets of an event that is not in the complete set, missing outcomes, a market key listed
    twice, and lines that are not canonical decimals with at most 2 decimals (``0.50``, ``-0``).

    Returns {sr_event_id: first error}; the caller drops those events."""
    book = snapshot.bookmaker
    m, e = snapshot.markets, snapshot.events
    problems: dict[int, SnapshotError] = {}
    for sr in e.loc[e["sr_event_id"] <= 0, "sr_event_id"]:
        _first(problems, sr, SnapshotError("SportRadar id must be positive", bookmaker=book,
                                           sr_event_id=int(sr), field="sr_event_id"))
    for sr in e.loc[e["sr_event_id"].duplicated(keep=False), "sr_event_id"]:
        _first(problems, sr, SnapshotError("event listed twice in one snapshot", bookmaker=book,
                                           sr_event_id=int(sr), field="sr_event_id"))
    for sr in e.loc[e["kickoff"].isna(), "sr_event_id"]:
        _first(problems, sr, SnapshotError("kickoff missing", bookmaker=book, sr_event_id=int(sr),
                                           field="kickoff"))
    for col in ("home", "away", "bookmaker_event_id"):
        values = e[col]
        blank = values.isna() | (values.astype(str).str.strip().str.len() == 0)
        for sr in e.loc[blank, "sr_event_id"]:
            _first(problems, sr, SnapshotError(f"{col} missing", bookmaker=book, sr_event_id=int(sr), field=col))
    orphan = ~m["sr_event_id"].isin(e["sr_event_id"])
    for sr in m.loc[orphan, "sr_event_id"].unique():
        _first(problems, sr, SnapshotError("market of an event that is not in the snapshot's complete set",
                                           bookmaker=book, sr_event_id=int(sr), field="sr_event_id"))
    missing = m["outcomes"].isna()
    for _, row in m[missing].iterrows():
        _first(problems, row["sr_event_id"], _row_error(book, row, "outcomes missing", "outcomes"))
    lines = m["line"]
    has_line = lines.notna()
    if has_line.any():
        codes, uniques = pd.factorize(lines[has_line])  # a board has a few dozen distinct lines
        bad_unique = [not _valid_line(u) for u in uniques]
        if any(bad_unique):
            bad_rows = lines[has_line][[bad_unique[c] for c in codes]]
            for idx in bad_rows.index:
                row = m.loc[idx]
                _first(problems, row["sr_event_id"], _row_error(
                    book, row, f"line {row['line']!r} is not a canonical decimal with at most 2 decimals "
                    f"within ±{MAX_ABS_LINE}", "line"))
    codes, uniques = pd.factorize(lines)  # None -> -1; "0.5" and "0.50" must be one key
    norm_codes, _ = pd.factorize(pd.Series([_hundredths_key(u) for u in uniques] + ["~none"], dtype=object))
    key_line = norm_codes[codes]  # code -1 picks the last entry: "no line"
    dup = pd.DataFrame({"sr": m["sr_event_id"].to_numpy(), "mid": m["market_id"].to_numpy(),
                        "line": key_line}).duplicated(keep=False)
    for _, row in m[dup.to_numpy()].iterrows():
        _first(problems, row["sr_event_id"], _row_error(book, row, "market listed twice in one snapshot", "line"))
    return problems


def _valid_line(value: object) -> bool:
    text = str(value)
    return bool(LINE_RE.fullmatch(text)) and abs(Decimal(text)) <= MAX_ABS_LINE


def _hundredths_key(value: object) -> object:
    try:
        return Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return str(value)


def _row_error(book: str, row: pd.Series, message: str, field: str) -> SnapshotError:
    line = row.get("line")
    return SnapshotError(message, bookmaker=book, sr_event_id=int(row["sr_event_id"]),
                         market_id=int(row["market_id"]), line=None if line is None or line != line else line,
                         field=field)


def outcome_problems(bookmaker: str, markets: pd.DataFrame) -> dict[int, SnapshotError]:
    """Per-event problems of encoded outcomes in ``markets`` (rows with columns sr_event_id, market_id,
    line, outcomes): the grammar (canonical odds > 1.0, an active outcome has a price) and unique
    outcome names. The write engine checks the rows it is about to write (a row equal to a stored one
    was checked when it was stored); :func:`build_snapshot` checks every row."""
    problems: dict[int, SnapshotError] = {}
    if markets.empty:
        return problems
    texts = markets["outcomes"].astype(str)
    uniques = pd.Series(pd.unique(texts))
    ok_unique = uniques.str.fullmatch(OUTCOMES_RE.pattern) & ~uniques.map(_has_duplicate_names)
    bad_texts = set(uniques[~ok_unique.to_numpy()])
    if not bad_texts:
        return problems
    for _, row in markets[texts.isin(bad_texts).to_numpy()].iterrows():
        _first(problems, row["sr_event_id"], _row_error(bookmaker, row, explain_outcomes(str(row["outcomes"])),
                                                        "outcomes"))
    return problems


def _has_duplicate_names(encoded: str) -> bool:
    names = [name for name, _, _ in _ENTRY_PARSE_RE.findall(encoded)]
    return len(names) != len(set(names))


def explain_outcomes(encoded: str) -> str:
    """A precise message for an encoded outcomes value that is invalid."""
    if _has_duplicate_names(encoded):
        return f"duplicate outcome names in {encoded!r}"
    for part in encoded.split(";"):
        name, sep, rest = part.partition("=")
        if not sep or not name:
            return f"malformed outcome {part!r} in {encoded!r}"
        price = rest[:-1] if rest.endswith("!") else rest
        if price == "":
            if not rest.endswith("!"):
                return f"outcome {name!r} is active but has no odds"
            continue
        try:
            value = Decimal(price)
        except InvalidOperation:
            return f"outcome {name!r} odds {price!r} is not a decimal"
        if not value.is_finite():
            return f"outcome {name!r} odds {price!r} is not finite"
        if value <= 1:
            return f"outcome {name!r} odds {price} <= 1.0"
        if not re.fullmatch(_ODDS, price):
            return f"outcome {name!r} odds {price!r} is not in canonical form"
    return f"malformed outcomes {encoded!r}"


def _market_line(bookmaker: str, sr_event_id: int, m: Market) -> str | None:
    if m.line is None:
        return None
    if not isinstance(m.line, Decimal) or not m.line.is_finite():
        raise SnapshotError(f"line {m.line!r} is not a finite decimal", bookmaker=bookmaker,
                            sr_event_id=sr_event_id, market_id=m.market_id, line=m.line, field="line")
    text = canonical_decimal(m.line)
    if not _valid_line(text):
        raise SnapshotError(f"line {m.line} has more than 2 decimals or exceeds {MAX_ABS_LINE}",
                            bookmaker=bookmaker, sr_event_id=sr_event_id, market_id=m.market_id, line=m.line,
                            field="line")
    return text


def fetched_at_column(values: pd.Series) -> pd.Series:
    """``values`` as the :data:`FETCHED_AT` column: UTC timestamps in microseconds (a ``datetime``'s
    precision, whatever pandas would infer), None / NaT kept as NaT."""
    return pd.to_datetime(values, utc=True).astype("datetime64[us, UTC]")


def build_snapshot(bookmaker: str, captured_at: datetime, events: Iterable[EventOdds]) -> Snapshot:
    """Build a :class:`Snapshot` from typed observations of events scraped completely.

    An invalid event (a value that cannot be encoded, or a structural problem found by
    :func:`event_problems` / :func:`outcome_problems`) is dropped and listed in ``rejected``; one bad
    event never sinks the board. A snapshot invalid as a whole (unknown bookmaker, naive time) raises
    :class:`SnapshotError`.
    """
    if bookmaker not in BOOKMAKER_IDS:
        raise SnapshotError(f"unknown bookmaker {bookmaker!r}", bookmaker=bookmaker, field="bookmaker")
    ev_rows: list[tuple] = []
    sr_ids: list[int] = []
    market_ids: list[int] = []
    lines: list[str | None] = []
    encoded: list[str] = []
    problems: dict[int, SnapshotError] = {}
    for eo in events:
        e = eo.event
        try:
            if e.bookmaker != bookmaker:
                raise SnapshotError(f"event of {e.bookmaker!r} in a {bookmaker!r} snapshot", bookmaker=bookmaker,
                                    sr_event_id=e.sr_event_id, field="bookmaker")
            if e.kickoff is None or e.kickoff.utcoffset() is None:
                raise SnapshotError("kickoff must be timezone-aware", bookmaker=bookmaker,
                                    sr_event_id=e.sr_event_id, field="kickoff")
            rows = []
            for m in eo.markets:
                line = _market_line(bookmaker, e.sr_event_id, m)
                try:
                    enc = encode_outcomes(m.outcomes)
                except ValueError as exc:
                    raise SnapshotError(str(exc), bookmaker=bookmaker, sr_event_id=e.sr_event_id,
                                        market_id=m.market_id, line=line, field="outcomes") from None
                rows.append((m.market_id, line, enc))
        except SnapshotError as exc:
            _first(problems, e.sr_event_id, exc)
            continue
        ev_rows.append((e.sr_event_id, e.bookmaker_event_id, e.home, e.away,
                        e.kickoff.astimezone(timezone.utc), e.competition, e.country,
                        None if eo.fetched_at is None else eo.fetched_at.astimezone(timezone.utc)))
        for market_id, line, enc in rows:
            sr_ids.append(e.sr_event_id)
            market_ids.append(market_id)
            lines.append(line)
            encoded.append(enc)
    events_df = pd.DataFrame(ev_rows, columns=[*EVENT_COLUMNS, FETCHED_AT])
    events_df["sr_event_id"] = events_df["sr_event_id"].astype("int64")
    events_df["kickoff"] = pd.to_datetime(events_df["kickoff"], utc=True)
    events_df[FETCHED_AT] = fetched_at_column(events_df[FETCHED_AT])
    markets_df = pd.DataFrame({
        "sr_event_id": pd.array(sr_ids, dtype="int64"),
        "market_id": pd.array(market_ids, dtype="int64"),
        "line": pd.Series(lines, dtype=object),
        "outcomes": pd.Series(encoded, dtype=object),
    })
    # an event dropped while encoding may also be listed twice: drop every copy of it
    snapshot = Snapshot(bookmaker=bookmaker, captured_at=captured_at, events=events_df, markets=markets_df)
    structural = event_problems(snapshot)
    values = outcome_problems(bookmaker, snapshot.markets)
    for sr, err in {**values, **structural}.items():
        _first(problems, sr, err)
    return Snapshot(bookmaker, captured_at, events_df, markets_df).without(
        {sr: err for sr, err in problems.items()}) if problems else snapshot


def outcome_frame(snapshot: Snapshot) -> pd.DataFrame:
    """One row per outcome (for analysts and checks): sr_event_id, market_id, line, outcome, odds, active."""
    rows = []
    m = snapshot.markets
    for sr, mid, line, enc in zip(m["sr_event_id"], m["market_id"], m["line"], m["outcomes"]):
        for o in decode_outcomes(enc):
            rows.append((sr, mid, line, o.name, None if o.odds is None else canonical_decimal(o.odds), o.active))
    return pd.DataFrame(rows, columns=["sr_event_id", "market_id", "line", "outcome", "odds", "active"])
