"""The write engine: apply one bookmaker's snapshot to current odds and change-only history.

Plain Python + psycopg 3, no Dagster (the IO manager calls it). Its cost follows the *changes*, not the
board: it reads the book's current rows for the snapshot's events in one ``COPY … TO`` (cheap: reading
is far cheaper than rewriting), classifies every market in pandas (vectorised string comparison of the
encoded outcomes, exact), and writes only what changed — ``COPY`` of the changed rows into a staging
table, then one set-based statement each for current, history, events and per-book events — in ONE
transaction. Unchanged markets cost no write at all: their ``last_confirmed_at`` is derived from the
event's last complete scrape (``bookmaker_events.last_seen_at``, one row per event).

Classification per market (key = event, book, market id, line):
    new        not in current                                → current insert, history row
    changed    in current, available, other outcomes          → current update, history row
    unchanged  same outcomes                                  → nothing
    gone       in current and available, absent from an event → unavailable_at, history row (outcomes NULL)
               that IS in this snapshot's complete set
    back       in current but unavailable, present again      → unavailable_at cleared, history row

Time order: an event whose last complete scrape (``bookmaker_events.last_seen_at``) is after this
snapshot's ``captured_at`` is *historical* for it (a backfill): its markets are classified against the
history as of ``captured_at``, history rows are added (``ON CONFLICT DO NOTHING``) and current is never
moved backwards. An event already applied at exactly ``captured_at`` is skipped (the first snapshot at a
time wins), so re-applying a snapshot changes nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
import psycopg

from odds_assets.db import queries
from odds_assets.errors import SnapshotError
from odds_assets.models import BOOKMAKER_IDS
from odds_assets.snapshot import (
    EVENT_COLUMNS, LINE_RE, MARKET_COLUMNS, MAX_ABS_LINE, OUTCOMES_RE, Snapshot, canonical_decimal)

__all__ = ["WriteResult", "apply_snapshot", "validate_snapshot"]

_LOCK_CLASS = 0x0DD5  # advisory-lock namespace: one writer per bookmaker at a time
_NO_LINE = "~"  # stands for "no line" in frames; never a valid canonical line
_NO_LINE_H = -32768  # "no line" in hundredths, as stored in market_odds_history.line_hundredths
_BAD_LINE = -40000  # not representable: never equal to a stored key, rejected if written


@dataclass(frozen=True)
class WriteResult:
    """What applying one snapshot did: counts per class, history rows written, and timings."""

    bookmaker: str
    captured_at: datetime
    events: int
    markets: int
    new: int
    changed: int
    unchanged: int
    gone: int
    back: int
    history_rows: int
    historical_events: int
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def total_ms(self) -> float:
        return self.timings_ms.get("total", 0.0)

    def as_metadata(self) -> dict[str, float | int | str]:
        out: dict[str, float | int | str] = {
            "captured_at": self.captured_at.isoformat(), "events": self.events, "markets": self.markets,
            "new": self.new, "changed": self.changed, "unchanged": self.unchanged, "gone": self.gone,
            "back": self.back, "history_rows": self.history_rows, "historical_events": self.historical_events,
        }
        out.update({f"{k}_ms": round(v, 1) for k, v in self.timings_ms.items()})
        return out


def line_hundredths(lines: pd.Series) -> np.ndarray:
    """Canonical line strings (``_NO_LINE`` for none) -> exact hundredths as int64; -32768 for no line,
    _BAD_LINE for anything that is not a number with at most 2 decimals (validated when written)."""
    codes, uniques = pd.factorize(lines, sort=False)  # a board has a few dozen distinct lines
    table = np.empty(len(uniques) + 1, dtype=np.int64)
    for i, text in enumerate(uniques):
        table[i] = _hundredths_of(text)
    table[-1] = _BAD_LINE  # code -1: missing
    return table[codes]


def _hundredths_of(text: object) -> int:
    if text == _NO_LINE:
        return _NO_LINE_H
    try:
        value = Decimal(str(text)) * 100
    except (InvalidOperation, ValueError):
        return _BAD_LINE
    if not value.is_finite() or value != value.to_integral_value() or abs(value) > 32767:
        return _BAD_LINE
    return int(value)


def market_key(market_id: pd.Series | np.ndarray, line_h: np.ndarray) -> np.ndarray:
    """One int64 per (market id, line) so that classification merges on two integer columns."""
    return (np.asarray(market_id, dtype=np.int64) << 17) + (line_h + 65536)


def _line_text(key: int) -> str | None:
    h = (int(key) & 0x1FFFF) - 65536
    return None if h == _NO_LINE_H else canonical_decimal(Decimal(h) / 100)


def _err(snapshot: Snapshot, message: str, row: pd.Series | None = None, field: str | None = None):
    if row is None:
        return SnapshotError(message, bookmaker=snapshot.bookmaker, field=field)
    line = row.get("line")
    return SnapshotError(message, bookmaker=snapshot.bookmaker, sr_event_id=int(row["sr_event_id"]),
                         market_id=int(row["market_id"]) if "market_id" in row else None,
                         line=None if line is None or line == _NO_LINE else line, field=field)


def validate_snapshot(snapshot: Snapshot) -> np.ndarray:
    """Structural checks over the whole snapshot (cheap, vectorised). Outcome and line *values* are
    checked for the rows that will be written (see :func:`_validate_written`): a row identical to a
    stored one was validated when it was stored."""
    m, e = snapshot.markets, snapshot.events
    if snapshot.bookmaker not in BOOKMAKER_IDS:
        raise _err(snapshot, f"unknown bookmaker {snapshot.bookmaker!r}", field="bookmaker")
    for frame, cols, name in ((m, MARKET_COLUMNS, "markets"), (e, EVENT_COLUMNS, "events")):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise _err(snapshot, f"{name} frame lacks columns {missing}", field=name)
    for col in ("sr_event_id", "market_id"):
        if not pd.api.types.is_integer_dtype(m[col].dtype):
            raise _err(snapshot, f"markets.{col} must be integers, got {m[col].dtype}", field=col)
    if not pd.api.types.is_integer_dtype(e["sr_event_id"].dtype):
        raise _err(snapshot, f"events.sr_event_id must be integers, got {e['sr_event_id'].dtype}",
                   field="sr_event_id")
    bad = e[e["sr_event_id"] <= 0]
    if len(bad):
        raise SnapshotError("SportRadar id must be positive", bookmaker=snapshot.bookmaker,
                            sr_event_id=int(bad["sr_event_id"].iloc[0]), field="sr_event_id")
    dup_events = e[e["sr_event_id"].duplicated()]
    if len(dup_events):
        raise SnapshotError("event listed twice in one snapshot", bookmaker=snapshot.bookmaker,
                            sr_event_id=int(dup_events["sr_event_id"].iloc[0]), field="sr_event_id")
    kickoff = e["kickoff"]
    if len(e) and getattr(kickoff.dtype, "tz", None) is None:
        raise _err(snapshot, "events.kickoff must be timezone-aware (UTC)", field="kickoff")
    if len(e) and kickoff.isna().any():
        row = e[kickoff.isna()].iloc[0]
        raise SnapshotError("kickoff missing", bookmaker=snapshot.bookmaker, sr_event_id=int(row["sr_event_id"]),
                            field="kickoff")
    for col in ("home", "away", "bookmaker_event_id"):
        blank = e[e[col].isna() | (e[col].astype(str).str.len() == 0)] if len(e) else e
        if len(blank):
            raise SnapshotError(f"{col} missing", bookmaker=snapshot.bookmaker,
                                sr_event_id=int(blank["sr_event_id"].iloc[0]), field=col)
    orphan = m[~m["sr_event_id"].isin(e["sr_event_id"])]
    if len(orphan):
        raise _err(snapshot, "market of an event that is not in the snapshot's complete set",
                   orphan.iloc[0], field="sr_event_id")
    if m["outcomes"].isna().any():
        raise _err(snapshot, "outcomes missing", m[m["outcomes"].isna()].iloc[0], field="outcomes")
    line = m["line"].fillna(_NO_LINE)
    keys = pd.DataFrame({"sr_event_id": m["sr_event_id"].to_numpy(),
                         "k": market_key(m["market_id"], line_hundredths(line))})
    dup = keys.duplicated().to_numpy()
    if dup.any():
        row = m[dup].iloc[0]
        raise _err(snapshot, "market listed twice in one snapshot", row, field="line")
    return keys["k"].to_numpy()


def _validate_written(snapshot: Snapshot, rows: pd.DataFrame) -> None:
    """Exact value checks of the rows about to be written: canonical line, outcome grammar, odds > 1."""
    if rows.empty:
        return
    lines = rows["line"]
    has_line = lines != _NO_LINE
    bad_line = has_line & ~lines.where(has_line, "0").astype(str).str.fullmatch(LINE_RE.pattern)
    if bad_line.any():
        row = rows[bad_line].iloc[0]
        raise _err(snapshot, f"line {row['line']!r} is not a canonical decimal with at most 2 decimals",
                   row, field="line")
    big = has_line & (pd.to_numeric(lines.where(has_line, "0"), errors="coerce").abs() > float(MAX_ABS_LINE))
    if big.any():
        row = rows[big].iloc[0]
        raise _err(snapshot, f"line {row['line']!r} exceeds {MAX_ABS_LINE}", row, field="line")
    ok = rows["outcomes"].astype(str).str.fullmatch(OUTCOMES_RE.pattern)
    if not ok.all():
        row = rows[~ok].iloc[0]
        raise _err(snapshot, _explain_outcomes(str(row["outcomes"])), row, field="outcomes")


def _explain_outcomes(encoded: str) -> str:
    """A precise message for an outcomes value that failed the grammar."""
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
            from decimal import Decimal, InvalidOperation

            value = Decimal(price)
        except InvalidOperation:
            return f"outcome {name!r} odds {price!r} is not a decimal"
        if not value.is_finite():
            return f"outcome {name!r} odds {price!r} is not finite"
        if value <= 1:
            return f"outcome {name!r} odds {price} <= 1.0"
        return f"outcome {name!r} odds {price!r} is not in canonical form"
    return f"malformed outcomes {encoded!r}"


def _read_state(conn: psycopg.Connection, query: str, params: dict) -> pd.DataFrame:
    """(sr_event_id, k, outcomes, available) of a state query that aggregates into four arrays: one
    round trip and one binary value per column (reading 25,000 rows row by row costs 3x more)."""
    with conn.cursor(binary=True) as cur:
        sr, k, outcomes, available = cur.execute(query, params).fetchone()
    return pd.DataFrame({
        "sr_event_id": np.array(sr or [], dtype=np.int64),
        "k": np.array(k or [], dtype=np.int64),
        "outcomes_prev": pd.Series(outcomes or [], dtype=object),
        "available": np.array(available or [], dtype=bool),
    })


def _classify(snap: pd.DataFrame, state: pd.DataFrame) -> pd.DataFrame:
    """Outer-join the snapshot's markets with a state (current, or history as of the snapshot) on
    (sr_event_id, k) and label each key n(ew) c(hanged) u(nchanged) g(one) b(ack), or "-" for a key
    already unavailable and still absent."""
    merged = snap.merge(state, on=["sr_event_id", "k"], how="outer", indicator=True, sort=False)
    where = merged["_merge"].to_numpy()
    only_snap = where == "left_only"
    only_state = where == "right_only"
    avail = merged["available"].to_numpy(dtype=object) == True  # noqa: E712 - NaN for snapshot-only rows
    same = (merged["outcomes"].to_numpy(dtype=object) == merged["outcomes_prev"].to_numpy(dtype=object))
    kind = np.where(only_snap, "n",
           np.where(only_state, np.where(avail, "g", "-"),
           np.where(~avail, "b", np.where(same, "u", "c"))))
    merged["kind"] = kind
    return merged


def apply_snapshot(conn: psycopg.Connection, snapshot: Snapshot) -> WriteResult:
    """Apply ``snapshot`` in one transaction on ``conn``; returns counts and timings.

    Raises :class:`SnapshotError` (nothing written) for invalid input.
    """
    t_start = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = (now - since) * 1000
        return now

    keys = validate_snapshot(snapshot)
    book = BOOKMAKER_IDS[snapshot.bookmaker]
    t = snapshot.captured_at_utc
    markets = snapshot.markets[MARKET_COLUMNS].copy()
    markets["line"] = markets["line"].fillna(_NO_LINE).astype(object)
    markets["k"] = keys
    events = snapshot.events
    event_ids = [int(x) for x in events["sr_event_id"].tolist()]
    params = {"b": book, "t": t, "ids": event_ids}
    mark = lap("validate", t_start)

    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_CLASS, book))
        conn.execute("SELECT odds_ensure_history_partition(%s)", (t.date(),))
        seen = conn.execute(queries.load("select_events_last_seen"), params).fetchall()
        last_seen = {sr: ts for sr, ts in seen}
        # Already applied at exactly this time (a re-run): the first snapshot at a time wins, so the
        # event is skipped whole. Scraped completely later: historical (classified as of captured_at).
        applied = {sr for sr, ts in seen if ts == t}
        historical = {sr for sr, ts in seen if ts > t}
        if applied:
            markets = markets[~markets["sr_event_id"].isin(applied)]
        mark = lap("read_events", mark)

        live_ids = [sr for sr in event_ids if sr not in historical and sr not in applied]
        live_snap = markets[~markets["sr_event_id"].isin(historical)] if historical else markets
        current = _read_state(conn, queries.load("select_current_state"), {**params, "ids": live_ids})
        mark = lap("read_current", mark)
        live = _classify(live_snap, current)
        live["to_current"] = True

        parts = [live]
        if historical:
            hist_ids = sorted(historical)
            as_of = _read_state(conn, queries.load("select_history_as_of"), {**params, "ids": hist_ids})
            in_current = _read_state(conn, queries.load("select_current_state"), {**params, "ids": hist_ids})
            hist = _classify(markets[markets["sr_event_id"].isin(historical)], as_of)
            hist["to_current"] = False
            # A key seen for the first time in a backfill, absent from every later complete scrape of
            # its event (else current would hold it): it was gone by that later scrape.
            known = in_current[["sr_event_id", "k"]].assign(_known=True)
            hist = hist.merge(known, on=["sr_event_id", "k"], how="left")
            hist["missing_from_current"] = hist["_known"].isna() & hist["kind"].isin(["n", "c", "b"])
            hist = hist.drop(columns=["_known"])
            parts.append(hist)
            mark = lap("read_history", mark)
        allrows = pd.concat(parts, ignore_index=True) if len(parts) > 1 else live
        if "missing_from_current" not in allrows:
            allrows["missing_from_current"] = False
        allrows["missing_from_current"] = allrows["missing_from_current"].fillna(False).astype(bool)
        mark = lap("classify", mark)

        writes = allrows[allrows["kind"].isin(["n", "c", "b", "g"])].copy()
        gone = (writes["kind"] == "g").to_numpy()
        if gone.any():  # absent from the snapshot: market id and line come from the key
            writes.loc[gone, "market_id"] = (writes.loc[gone, "k"].to_numpy() >> 17)
            writes.loc[gone, "line"] = [_line_text(k) or _NO_LINE for k in writes.loc[gone, "k"]]
        _validate_written(snapshot, writes[~gone])
        mark = lap("validate_rows", mark)

        history_rows = 0
        if len(writes):
            conn.execute(queries.load("create_stage"))
            with conn.cursor() as cur:
                with cur.copy("COPY _odds_stage (sr_event_id, market_id, line, outcomes, kind, to_current, "
                              "missing_from_current) FROM STDIN") as copy:
                    for sr, mid, line, outc, outc_prev, kind, to_cur, missing in zip(
                            writes["sr_event_id"], writes["market_id"], writes["line"], writes["outcomes"],
                            writes["outcomes_prev"], writes["kind"], writes["to_current"],
                            writes["missing_from_current"]):
                        copy.write_row((int(sr), int(mid), None if line == _NO_LINE else line,
                                        outc_prev if kind == "g" else outc, kind, to_cur, missing))
            mark = lap("copy_stage", mark)
            conn.execute(queries.load("upsert_current"), params)
            conn.execute(queries.load("update_current_gone"), params)
            if historical:
                for day in {ts.date() for sr, ts in last_seen.items() if sr in historical}:
                    conn.execute("SELECT odds_ensure_history_partition(%s)", (day,))
                conn.execute(queries.load("insert_current_backfilled"), params)
            history_rows = conn.execute(queries.load("insert_history"), params).rowcount
            if historical:
                history_rows += conn.execute(queries.load("insert_history_reconfirmed"), params).rowcount
            mark = lap("write_markets", mark)

        if len(events):
            conn.execute(queries.load("create_event_stage"))
            with conn.cursor() as cur:
                with cur.copy("COPY _odds_event_stage (sr_event_id, bookmaker_event_id, home, away, kickoff, "
                              "competition, country) FROM STDIN") as copy:
                    for row in zip(events["sr_event_id"], events["bookmaker_event_id"], events["home"],
                                   events["away"], events["kickoff"], events["competition"], events["country"]):
                        copy.write_row([None if (v is None or v != v) else v for v in row])
            conn.execute(queries.load("upsert_events"), params)
            conn.execute(queries.load("upsert_bookmaker_events"), params)
            mark = lap("write_events", mark)

        counts = allrows["kind"].value_counts()
        n_markets = len(snapshot.markets)
        result_counts = {k: int(counts.get(code, 0)) for k, code in
                         (("new", "n"), ("changed", "c"), ("unchanged", "u"), ("gone", "g"), ("back", "b"))}
        result_counts["unchanged"] += n_markets - len(markets)  # markets of events already applied
        timings["total"] = (time.perf_counter() - t_start) * 1000
        conn.execute(queries.load("upsert_snapshot"), {
            **params, "events": len(events), "markets": n_markets, **result_counts,
            "history_rows": history_rows, "historical": bool(historical), "write_ms": timings["total"]})
    timings["total"] = (time.perf_counter() - t_start) * 1000
    return WriteResult(bookmaker=snapshot.bookmaker, captured_at=t, events=len(events), markets=n_markets,
                       history_rows=history_rows, historical_events=len(historical), timings_ms=timings,
                       **result_counts)
