"""Stateful property (hypothesis): the write engine against the independent reference model.

Whatever snapshots are applied — new windows, old windows applied late, re-derivations of any applied
window (a later version replaces the window's board: mapping changes add/remove markets, odds change),
identical re-applications, windows mixing in an invalid event, two books written concurrently — the
database must equal what applying the latest version of every (book, window) once, in time order, gives
(:class:`~odds_assets_tests.test_db.reference_model.ReferenceModel`).

Checked after every step: full history (and, explicitly, history as of every slot time and between
slots, no two consecutive identical rows per key, no key starting with a gone row), current (outcomes,
availability, first_seen_at, last_updated_at, unavailable_at, last_confirmed_at from
market_odds_current_v, canonical line text), bookmaker_events and events (row sets, first/last seen,
metadata), and one ``snapshots`` row per applied (book, captured_at).

Metadata (names, kick-off, ids, competition, country) of an event whose latest complete scrape a later
re-derivation REMOVED may not be restorable by the engine: that comparison is a separate assertion
(``_assert_unrestorable_metadata``), switched off with ``ODDS_MODEL_STRICT_METADATA=0``.
Concurrency: the concurrent rule makes a product race show as a failure that may not replay; hypothesis
then reports ``Flaky``/``FlakyStrategyDefinition``. Re-run with ``ODDS_MODEL_DISABLE=concurrent`` to
separate interleaving-dependent failures from deterministic ones.

Diagnosis knobs: ``ODDS_MODEL_DISABLE=new,late,rederive,reapply,invalid,concurrent`` switches rules off;
``ODDS_MODEL_SHRINK=0`` reports a failure unshrunk; ``ODDS_HYPOTHESIS_EXAMPLES`` sets the examples.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd
import psycopg
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from odds_assets.db.engine import apply_snapshot
from odds_assets.models import Event, EventOdds, Market, Outcome
from odds_assets.snapshot import Snapshot, build_snapshot
from odds_assets_tests.test_db.reference_model import (
    ReferenceModel,
    canonical_text,
    decode_outcomes,
    encode_outcomes,
    norm_line,
)

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
SLOTS = 8
BOOKS = {"betpawa": 1, "sportybet": 2}
BOOK_NAMES = {v: k for k, v in BOOKS.items()}
SRS = (1, 2, 3)
#: market id x line: no line, line 0 (same market id: distinct keys), quarter lines, negative handicaps
KEYS = ((3743, None), (3774, None), (3774, "0"), (3774, "0.25"), (3774, "-0.75"), (3774, "-1.5"), (5000, "2.5"))
NAMES = {3743: ("1", "X", "2"), 3774: ("1", "2"), 5000: ("Over", "Under")}
ODDS = ("1.5", "1.9", "2.05", "3.4")
MARKET_COLUMNS = ["sr_event_id", "market_id", "line", "outcomes"]
EVENT_COLUMNS = ["sr_event_id", "bookmaker_event_id", "home", "away", "kickoff", "competition", "country"]
DISABLED = {x.strip() for x in os.environ.get("ODDS_MODEL_DISABLE", "").split(",") if x.strip()}
STRICT_METADATA = os.environ.get("ODDS_MODEL_STRICT_METADATA", "1") != "0"


def slot_time(slot: int) -> datetime:
    return T0 + timedelta(minutes=5 * slot)


# ---------------------------------------------------------------- strategies (boards in the model's form)

def metas(book: str, sr: int):
    return st.fixed_dictionaries({
        "bookmaker_event_id": st.sampled_from((f"{book[:2]}{sr}", f"{book[:2]}{sr}b")),
        "home": st.sampled_from((f"Home {sr}", f"Home {sr} FC")),
        "away": st.just(f"Away {sr}"),
        "kickoff": st.sampled_from((T0 + timedelta(days=1), T0 + timedelta(days=1, hours=2))),
        "competition": st.sampled_from((None, "League")),
        "country": st.sampled_from((None, "Land")),
    })


@st.composite
def outcomes_of(draw, market_id: int):
    outs = []
    for name in NAMES[market_id]:
        odds = Decimal(draw(st.sampled_from(ODDS)))
        active = draw(st.booleans())
        priced = active or draw(st.booleans())
        outs.append((name, odds if priced else None, active))
    return tuple(outs)


def _key(i: int) -> tuple:
    mid, line = KEYS[i]
    return (mid, norm_line(None if line is None else Decimal(line)))


@st.composite
def boards(draw, book: str):
    board = {}
    for sr in sorted(draw(st.sets(st.sampled_from(SRS), max_size=len(SRS)))):
        keys = draw(st.sets(st.sampled_from(range(len(KEYS))), max_size=len(KEYS)))
        board[sr] = (draw(metas(book, sr)), {_key(i): draw(outcomes_of(KEYS[i][0])) for i in sorted(keys)})
    return board


@st.composite
def rederived(draw, book: str, old: dict):
    """A re-derivation of a window: the same scrape parsed again, e.g. after a mapping change (markets
    appear or disappear), odds read differently, metadata corrected; rarely an event more or less."""
    new = {}
    for sr in SRS:
        if sr in old:
            if draw(st.integers(0, 7)) == 0:
                continue
            meta, markets = old[sr]
            if draw(st.integers(0, 2)) == 0:
                meta = draw(metas(book, sr))
            markets = dict(markets)
            for i in range(len(KEYS)):
                k = _key(i)
                action = draw(st.sampled_from(("keep", "keep", "toggle", "reprice")))
                if action == "toggle":
                    if k in markets:
                        del markets[k]
                    else:
                        markets[k] = draw(outcomes_of(k[0]))
                elif action == "reprice" and k in markets:
                    markets[k] = draw(outcomes_of(k[0]))
            new[sr] = (meta, markets)
        elif draw(st.integers(0, 3)) == 0:
            keys = draw(st.sets(st.sampled_from(range(len(KEYS))), max_size=len(KEYS)))
            new[sr] = (draw(metas(book, sr)), {_key(i): draw(outcomes_of(KEYS[i][0])) for i in sorted(keys)})
    return new


#: invalid events: (path, kind) -> the field the rejection must name
INVALID_KINDS = {
    ("typed", "blank_home"): "home",
    ("typed", "odds_one"): "outcomes",
    ("frames", "duplicate_outcome"): "outcomes",
    ("frames", "odds_one"): "outcomes",
    ("frames", "non_canonical_odds"): "outcomes",
    ("frames", "negative_zero_line"): "line",
}


# ---------------------------------------------------------------- building snapshots (two paths)

def _pad(d: Decimal) -> Decimal:
    """A non-canonical but equal Decimal: ``2.05`` -> ``2.050``, ``0`` -> ``-0``."""
    if d == 0:
        return Decimal("-0")
    return Decimal(str(d) + ("0" if "." in str(d) else ".0"))


def _typed_event(book: str, sr: int, meta: dict, markets: dict, pad: bool) -> EventOdds:
    ev = Event(book, sr, meta["bookmaker_event_id"], meta["home"], meta["away"], meta["kickoff"],
               meta["competition"], meta["country"])
    ms = []
    for (mid, line), outs in markets.items():
        ln = None if line is None else (_pad(line) if pad else line)
        ms.append(Market(mid, ln, tuple(Outcome(n, None if o is None else (_pad(o) if pad else o), a)
                                        for n, o, a in outs)))
    return EventOdds(ev, tuple(ms))


def _invalid_typed(book: str, sr: int, kind: str) -> EventOdds:
    meta = {"bookmaker_event_id": f"{book[:2]}{sr}x", "home": f"Home {sr}", "away": f"Away {sr}",
            "kickoff": T0 + timedelta(days=1), "competition": None, "country": None}
    x12 = ((3743, None), (("1", Decimal("2.1"), True), ("X", Decimal("3.2"), True), ("2", Decimal("3.5"), True)))
    markets: dict[tuple[int, Decimal | None], tuple[tuple[str, Decimal, bool], ...]]
    if kind == "blank_home":
        meta["home"] = ""
        markets = dict([x12])
    else:  # odds_one
        markets = dict([x12, ((3774, Decimal("0")), (("1", Decimal("1.0"), True), ("2", Decimal("1.8"), True)))])
    return _typed_event(book, sr, meta, markets, pad=False)


def _frames(book: str, t: datetime, ev_rows: list[tuple], mk_rows: list[tuple]) -> Snapshot:
    ev = pd.DataFrame(ev_rows, columns=EVENT_COLUMNS)
    ev["sr_event_id"] = ev["sr_event_id"].astype("int64")
    ev["kickoff"] = pd.to_datetime(ev["kickoff"], utc=True)
    for c in ("bookmaker_event_id", "home", "away", "competition", "country"):
        ev[c] = ev[c].astype(object)
    mk = pd.DataFrame({
        "sr_event_id": pd.array([r[0] for r in mk_rows], dtype="int64"),
        "market_id": pd.array([r[1] for r in mk_rows], dtype="int64"),
        "line": pd.Series([r[2] for r in mk_rows], dtype=object),
        "outcomes": pd.Series([r[3] for r in mk_rows], dtype=object),
    })
    return Snapshot(book, t, ev, mk)


def _frame_rows(sr: int, meta: dict, markets: dict) -> tuple[tuple, list[tuple]]:
    ev = (sr, meta["bookmaker_event_id"], meta["home"], meta["away"], meta["kickoff"], meta["competition"],
          meta["country"])
    return ev, [(sr, mid, None if line is None else canonical_text(line), encode_outcomes(outs))
                for (mid, line), outs in markets.items()]


def _invalid_frame_rows(book: str, sr: int, kind: str) -> tuple[tuple, list[tuple]]:
    ev = (sr, f"{book[:2]}{sr}x", f"Home {sr}", f"Away {sr}", T0 + timedelta(days=1), None, None)
    good = (sr, 5000, "2.5", "Over=1.9;Under=1.9")
    bad = {
        "duplicate_outcome": (sr, 3743, None, "1=2;1=3;X=4"),
        "odds_one": (sr, 3743, None, "1=1;X=3;2=4"),
        "non_canonical_odds": (sr, 3743, None, "1=2.50;X=3;2=4"),
        "negative_zero_line": (sr, 3774, "-0", "1=1.9;2=1.9"),
    }[kind]
    return ev, [good, bad]


def build(book: str, t: datetime, board: dict, path: str, *, pad: bool = False,
          invalid: tuple[int, str] | None = None, invalid_first: bool = False) -> Snapshot:
    """The snapshot of ``board`` (model form) through ``path`` ("typed": build_snapshot; "frames": the
    Parquet path), with ``invalid`` = (sr, kind) mixed in (replacing that event if the board has it)."""
    srs = [sr for sr in sorted(board) if invalid is None or sr != invalid[0]]
    if path == "typed":
        evs = [_typed_event(book, sr, board[sr][0], board[sr][1], pad) for sr in srs]  # board[sr]: (meta, markets)
        if invalid is not None:
            bad = _invalid_typed(book, *invalid)
            evs = [bad] + evs if invalid_first else evs + [bad]
        return build_snapshot(book, t, evs)
    ev_rows, mk_rows = [], []
    for sr in srs:
        e, ms = _frame_rows(sr, *board[sr])
        ev_rows.append(e)
        mk_rows.extend(ms)
    if invalid is not None:
        e, ms = _invalid_frame_rows(book, *invalid)
        if invalid_first:
            ev_rows.insert(0, e)
            mk_rows[:0] = ms
        else:
            ev_rows.append(e)
            mk_rows.extend(ms)
    return _frames(book, t, ev_rows, mk_rows)


# ---------------------------------------------------------------- reading the database

def _key_of(book, sr, mid, line) -> tuple:
    return (int(book), int(sr), int(mid), norm_line(line))


def db_history(conn) -> dict[tuple, list[tuple]]:
    out: dict[tuple, list] = {}
    for book, sr, mid, line, t, outcomes in conn.execute(
            "SELECT bookmaker, sr_event_id, market_id, odds_line_from_hundredths(line_hundredths), captured_at, "
            "outcomes FROM market_odds_history ORDER BY bookmaker, sr_event_id, market_id, line_hundredths, "
            "captured_at"):
        out.setdefault(_key_of(book, sr, mid, line), []).append(
            (t, None if outcomes is None else decode_outcomes(outcomes)))
    return out


def db_as_of(conn, times: list[datetime]) -> dict[datetime, dict[tuple, object]]:
    out: dict[datetime, dict] = {t: {} for t in times}
    for t, book, sr, mid, line, outcomes in conn.execute(
            "SELECT ts.t, a.bookmaker, a.sr_event_id, a.market_id, odds_line_from_hundredths(a.line_hundredths), "
            "a.outcomes FROM unnest(%s::timestamptz[]) AS ts(t) CROSS JOIN LATERAL ("
            "  SELECT DISTINCT ON (bookmaker, sr_event_id, market_id, line_hundredths) * FROM market_odds_history h"
            "  WHERE h.captured_at <= ts.t"
            "  ORDER BY bookmaker, sr_event_id, market_id, line_hundredths, captured_at DESC) AS a", (times,)):
        out[t][_key_of(book, sr, mid, line)] = None if outcomes is None else decode_outcomes(outcomes)
    return out


def db_current(conn) -> dict[tuple, tuple]:
    """key -> (outcomes, available, first_seen_at, last_updated_at, unavailable_at, last_confirmed_at)"""
    out = {}
    for book, sr, mid, line, outcomes, fs, lu, ua, lc in conn.execute(
            "SELECT c.bookmaker, c.sr_event_id, c.market_id, c.line, c.outcomes, c.first_seen_at, "
            "c.last_updated_at, c.unavailable_at, v.last_confirmed_at "
            "FROM market_odds_current c JOIN bookmakers b ON b.id = c.bookmaker "
            "JOIN market_odds_current_v v ON v.sr_event_id = c.sr_event_id AND v.bookmaker = b.name "
            "AND v.market_id = c.market_id AND v.line IS NOT DISTINCT FROM c.line"):
        if line is not None:
            assert str(line) == canonical_text(line), f"stored line {line!r} is not canonical"
        key = _key_of(book, sr, mid, line)
        assert key not in out, f"two current rows for {key}"
        out[key] = (decode_outcomes(outcomes), ua is None, fs, lu, ua, lc)
    return out


def db_bookmaker_events(conn) -> dict[tuple, tuple]:
    """(book, sr) -> (bookmaker_event_id, home, away, kickoff, competition, country, first_seen, last_seen)"""
    return {(r[0], r[1]): tuple(r[2:]) for r in conn.execute(
        "SELECT bookmaker, sr_event_id, bookmaker_event_id, home, away, kickoff, competition, country, "
        "first_seen_at, last_seen_at FROM bookmaker_events")}


def db_events(conn) -> dict[int, tuple]:
    """sr -> (home, away, kickoff, competition, country, source_bookmaker, first_seen_at)"""
    return {r[0]: tuple(r[1:]) for r in conn.execute(
        "SELECT sr_event_id, home, away, kickoff, competition, country, source_bookmaker, first_seen_at "
        "FROM events")}


def db_snapshot_keys(conn) -> list[tuple[int, datetime]]:
    return sorted(conn.execute("SELECT bookmaker, captured_at FROM snapshots").fetchall())


def engine_tables(conn) -> list[str]:
    """Every table the engine may write (whatever the schema grows): public, non-partition tables but
    the migration bookkeeping and the reference table of books."""
    return [r[0] for r in conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
        "AND c.relname NOT IN ('alembic_version', 'bookmakers') ORDER BY 1")]


def db_dump(conn, skip: dict | None = None) -> dict[str, list[str]]:
    """Every row of every engine table (incl. snapshots with applied_at and write_ms); ``skip`` maps a
    table to a predicate of rows left out."""
    skip = skip or {}
    return {t: sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{t}"').fetchall()
                      if not (t in skip and skip[t](r)))
            for t in engine_tables(conn)}


def reset(conn) -> None:
    conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in engine_tables(conn)) + " CASCADE")


def _rejected(obj) -> set[tuple]:
    return {(e.bookmaker, e.sr_event_id, e.field) for e in obj.rejected}


def _fmt(d: dict) -> str:
    return "\n".join(f"  {k}: {d[k]}" for k in sorted(d, key=repr))


def _diff(actual: dict, expected: dict) -> str:
    keys = sorted(set(actual) | set(expected), key=repr)
    lines = []
    for k in keys:
        a, e = actual.get(k, "<absent>"), expected.get(k, "<absent>")
        if a != e:
            lines.append(f"  {k}:\n    db:    {a}\n    model: {e}")
    return "\n".join(lines)


# ---------------------------------------------------------------- the state machine

class EngineModelMachine(RuleBasedStateMachine):
    """Applies windows of two books; after every step the database must equal the reference model."""

    conn: psycopg.Connection | None = None   # set by the test: betpawa's (and the checks') connection
    conn2: psycopg.Connection | None = None  # sportybet's connection for concurrent applications

    def __init__(self) -> None:
        super().__init__()
        reset(self.conn)
        self.model = ReferenceModel()
        self.boards: dict[tuple[str, int], dict] = {}       # (book, slot) -> latest valid board
        self.snapshots: dict[tuple[str, int], Snapshot] = {}  # (book, slot) -> latest snapshot applied

    # ------------------------------------------------------------ helpers

    def _slots(self, book: str) -> list[int]:
        return sorted(s for b, s in self.boards if b == book)

    def _new_slots(self, book: str) -> list[int]:
        applied = self._slots(book)
        return list(range((applied[-1] + 1) if applied else 0, SLOTS))

    def _late_slots(self, book: str) -> list[int]:
        applied = self._slots(book)
        return [s for s in range(applied[-1]) if s not in applied] if applied else []

    def _has_new(self) -> bool:
        return any(self._new_slots(b) for b in BOOKS)

    def _has_late(self) -> bool:
        return any(self._late_slots(b) for b in BOOKS)

    def _draw_path(self, data) -> tuple[str, bool]:
        path = data.draw(st.sampled_from(("typed", "frames")), label="path")
        pad = path == "typed" and data.draw(st.booleans(), label="non-canonical decimals")
        return path, pad

    def _record(self, book: str, slot: int, board: dict, snapshot: Snapshot) -> None:
        self.boards[(book, slot)] = board
        self.snapshots[(book, slot)] = snapshot
        self.model.apply(BOOKS[book], slot_time(slot), board)

    def _apply(self, book: str, slot: int, board: dict, data, invalid: tuple[int, str, str] | None = None,
               conn: psycopg.Connection | None = None):
        path, pad = self._draw_path(data)
        if invalid is not None:
            path = invalid[2]
        inv = None if invalid is None else invalid[:2]
        first = invalid is not None and data.draw(st.booleans(), label="invalid first")
        snapshot = build(book, slot_time(slot), board, path, pad=pad, invalid=inv, invalid_first=first)
        target = conn or self.conn
        assert target is not None, "the test sets EngineModelMachine.conn"
        result = apply_snapshot(target, snapshot)
        self._record(book, slot, board, snapshot)
        return snapshot, result

    def _unrestorable_rows(self) -> dict[str, object]:
        """With the separated metadata assertion off, the rows it covers are left out of re-apply dumps
        too (a re-apply may legitimately repair them)."""
        if STRICT_METADATA:
            return {}
        be = self.model.metadata_unrestorable_book_events()
        ev = self.model.metadata_unrestorable_events()
        return {"bookmaker_events": lambda row: (row[1], row[0]) in be, "events": lambda row: row[0] in ev}

    def _check_in_order_counts(self, result, expected: dict) -> None:
        got = {k: getattr(result, k) for k in expected}
        assert got == expected, f"in-order window counts: engine {got}, model {expected}"
        assert result.history_rows == expected["new"] + expected["changed"] + expected["gone"] + expected["back"]

    # ------------------------------------------------------------ rules

    @precondition(lambda self: "new" not in DISABLED and self._has_new())
    @rule(data=st.data())
    def apply_new_window(self, data):
        book = data.draw(st.sampled_from([b for b in BOOKS if self._new_slots(b)]), label="book")
        slot = data.draw(st.sampled_from(self._new_slots(book)), label="slot")
        board = data.draw(boards(book), label="board")
        expected = self.model.expected_counts(BOOKS[book], slot_time(slot), board)
        _, result = self._apply(book, slot, board, data)
        if hasattr(result, "rejected"):
            assert _rejected(result) == set(), f"valid window reported rejections: {_rejected(result)}"
        self._check_in_order_counts(result, expected)

    @precondition(lambda self: "late" not in DISABLED and self._has_late())
    @rule(data=st.data())
    def apply_late_window(self, data):
        book = data.draw(st.sampled_from([b for b in BOOKS if self._late_slots(b)]), label="book")
        slot = data.draw(st.sampled_from(self._late_slots(book)), label="late slot")
        board = data.draw(boards(book), label="board")
        self._apply(book, slot, board, data)

    @precondition(lambda self: "rederive" not in DISABLED and self.boards)
    @rule(data=st.data())
    def rederive_window(self, data):
        book, slot = data.draw(st.sampled_from(sorted(self.boards)), label="window")
        board = data.draw(rederived(book, self.boards[(book, slot)]), label="re-derived board")
        self._apply(book, slot, board, data)

    @precondition(lambda self: "reapply" not in DISABLED and self.snapshots)
    @rule(data=st.data())
    def reapply_identical_snapshot(self, data):
        book, slot = data.draw(st.sampled_from(sorted(self.snapshots)), label="window")
        skip = self._unrestorable_rows()
        before = db_dump(self.conn, skip)
        result = apply_snapshot(self.conn, self.snapshots[(book, slot)])
        after = db_dump(self.conn, skip)
        # the engine was given the window again: nothing to expect differently, but its metadata is
        # now known again if it is the event's latest scrape
        self.model.apply(BOOKS[book], slot_time(slot), self.boards[(book, slot)])
        for table in before:
            assert after[table] == before[table], (
                f"re-applying the identical snapshot ({book}, {slot_time(slot):%H:%M}) changed {table}:\n"
                f"  removed: {sorted(set(before[table]) - set(after[table]))}\n"
                f"  added:   {sorted(set(after[table]) - set(before[table]))}")
        counts = (result.new, result.changed, result.gone, result.back, result.history_rows)
        assert counts == (0, 0, 0, 0, 0), f"re-apply counts new/changed/gone/back/history_rows = {counts}"

    @precondition(lambda self: "invalid" not in DISABLED)
    @rule(data=st.data())
    def apply_window_with_invalid_event(self, data):
        kinds = ["new"] * self._has_new() + ["late"] * self._has_late() + ["rederive"] * bool(self.boards)
        how = data.draw(st.sampled_from(kinds), label="window kind")
        if how == "new":
            book = data.draw(st.sampled_from([b for b in BOOKS if self._new_slots(b)]), label="book")
            slot = data.draw(st.sampled_from(self._new_slots(book)), label="slot")
            board = data.draw(boards(book), label="board")
        elif how == "late":
            book = data.draw(st.sampled_from([b for b in BOOKS if self._late_slots(b)]), label="book")
            slot = data.draw(st.sampled_from(self._late_slots(book)), label="late slot")
            board = data.draw(boards(book), label="board")
        else:
            book, slot = data.draw(st.sampled_from(sorted(self.boards)), label="window")
            board = data.draw(rederived(book, self.boards[(book, slot)]), label="re-derived board")
        (path, kind), field = data.draw(st.sampled_from(sorted(INVALID_KINDS.items())), label="invalid kind")
        sr = data.draw(st.sampled_from(SRS), label="invalid event")
        valid = {s: v for s, v in board.items() if s != sr}  # the model: the invalid event is absent
        snapshot, result = self._apply(book, slot, valid, data, invalid=(sr, kind, path))
        reported = _rejected(snapshot if path == "typed" else result)
        assert (book, sr, field) in reported, (
            f"invalid event {sr} ({kind}, {path} path) not reported as ({book}, {sr}, {field!r}): {reported}")

    @precondition(lambda self: "concurrent" not in DISABLED)
    @rule(data=st.data())
    def apply_two_books_concurrently(self, data: st.DataObject) -> None:
        jobs = []
        for book, conn in zip(BOOKS, (self.conn, self.conn2)):
            options = ["new"] * bool(self._new_slots(book)) + ["rederive"] * bool(self._slots(book))
            how = data.draw(st.sampled_from(options), label=f"{book} kind")
            if how == "new":
                slot = data.draw(st.sampled_from(self._new_slots(book)), label=f"{book} slot")
                board = data.draw(boards(book), label=f"{book} board")
            else:
                slot = data.draw(st.sampled_from(self._slots(book)), label=f"{book} window")
                board = data.draw(rederived(book, self.boards[(book, slot)]), label=f"{book} board")
            path, pad = self._draw_path(data)
            jobs.append((book, slot, board, build(book, slot_time(slot), board, path, pad=pad), conn))
        barrier = threading.Barrier(len(jobs))
        errors: list[BaseException] = []

        def run(snapshot, conn):
            try:
                barrier.wait(timeout=30)
                apply_snapshot(conn, snapshot)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(j[3], j[4])) for j in jobs]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=120)
        assert not any(th.is_alive() for th in threads), "a concurrent writer hung"
        if errors:
            raise errors[0]
        for book, slot, board, snapshot, _ in jobs:
            self._record(book, slot, board, snapshot)

    @precondition(lambda self: bool(DISABLED))
    @rule()
    def idle(self):
        """Only with rules switched off (ODDS_MODEL_DISABLE): keeps a step possible once the enabled
        rules have nothing left to do (e.g. every slot applied and only ``new`` enabled)."""

    # ------------------------------------------------------------ the invariant

    @invariant()
    def database_equals_model(self):
        conn, model = self.conn, self.model
        hist = db_history(conn)
        expected_hist = model.history()
        assert hist == expected_hist, "history differs from the model:\n" + _diff(hist, expected_hist)
        for key, rows in hist.items():
            assert rows[0][1] is not None, f"{key}: history starts with a gone row"
            for (t1, a), (t2, b) in zip(rows, rows[1:]):
                assert a != b, f"{key}: consecutive identical history rows at {t1} and {t2}"

        times = sorted({slot_time(s) + timedelta(minutes=d) for s in range(SLOTS) for d in (0, 2.5)}
                       | {T0 - timedelta(minutes=1)})
        as_of = db_as_of(conn, times)
        for t in times:
            expected = model.state_as_of(t)
            assert as_of[t] == expected, f"state as of {t:%H:%M:%S} differs:\n" + _diff(as_of[t], expected)

        cur = db_current(conn)
        expected_cur = {k: (r.outcomes, r.available, r.first_seen_at, r.last_updated_at, r.unavailable_at,
                            r.last_confirmed_at) for k, r in model.current().items()}
        assert cur == expected_cur, (
            "current (outcomes, available, first_seen, last_updated, unavailable_at, last_confirmed) "
            "differs:\n" + _diff(cur, expected_cur))

        applied = sorted((b, t) for b, t in model.applied())
        assert db_snapshot_keys(conn) == applied, "snapshots must hold one row per applied (book, captured_at)"

        be = db_bookmaker_events(conn)
        expected_be = model.bookmaker_events()
        seen = {k: v[-2:] for k, v in be.items()}
        expected_seen = {k: (r.first_seen_at, r.last_seen_at) for k, r in expected_be.items()}
        assert seen == expected_seen, "bookmaker_events rows / (first_seen_at, last_seen_at) differ:\n" + _diff(
            seen, expected_seen)
        ev = db_events(conn)
        expected_ev = model.events()
        ev_keys = {k: (v[5], v[6]) for k, v in ev.items()}
        expected_ev_keys = {k: (r.source_bookmaker, r.first_seen_at) for k, r in expected_ev.items()}
        assert ev_keys == expected_ev_keys, "events rows / (source_bookmaker, first_seen_at) differ:\n" + _diff(
            ev_keys, expected_ev_keys)

        unrestorable_be = model.metadata_unrestorable_book_events()
        unrestorable_ev = model.metadata_unrestorable_events()
        meta = {k: v[:6] for k, v in be.items() if k not in unrestorable_be}
        expected_meta = {k: r.meta() for k, r in expected_be.items() if k not in unrestorable_be}
        assert meta == expected_meta, "bookmaker_events metadata differs:\n" + _diff(meta, expected_meta)
        emeta = {k: v[:6] for k, v in ev.items() if k not in unrestorable_ev}
        expected_emeta = {k: r.meta() for k, r in expected_ev.items() if k not in unrestorable_ev}
        assert emeta == expected_emeta, "events metadata differs:\n" + _diff(emeta, expected_emeta)
        if STRICT_METADATA:
            self._assert_unrestorable_metadata(be, expected_be, unrestorable_be, ev, expected_ev, unrestorable_ev)

    @staticmethod
    def _assert_unrestorable_metadata(be, expected_be, unrestorable_be, ev, expected_ev, unrestorable_ev):
        """SEPARATE assertion (ODDS_MODEL_STRICT_METADATA=0 switches it off): metadata of events whose
        latest complete scrape a later re-derivation removed — the expected values are those of the
        older scrape that is now the latest."""
        meta = {k: v[:6] for k, v in be.items() if k in unrestorable_be}
        expected = {k: expected_be[k].meta() for k in unrestorable_be}
        assert meta == expected, (
            "[metadata after removal of the latest scrape] bookmaker_events metadata differs:\n"
            + _diff(meta, expected))
        emeta = {k: v[:6] for k, v in ev.items() if k in unrestorable_ev and k in expected_ev}
        expected_emeta = {k: expected_ev[k].meta() for k in unrestorable_ev if k in expected_ev}
        assert emeta == expected_emeta, (
            "[metadata after removal of the latest scrape] events metadata differs:\n"
            + _diff(emeta, expected_emeta))


@pytest.fixture(scope="module")
def model_db_url(pg_admin_url, odds_template_url):
    from odds_assets_tests.conftest import drop_database, make_database

    url = make_database(pg_admin_url, odds_template_url, prefix="odds_model")
    yield url
    drop_database(pg_admin_url, url)


MODEL_SETTINGS = settings(
    max_examples=int(os.environ.get("ODDS_HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    stateful_step_count=12,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                           HealthCheck.function_scoped_fixture],
)
if os.environ.get("ODDS_MODEL_SHRINK", "1") == "0":
    # report failures unshrunk (shrinking a failure costs minutes against a real DB)
    MODEL_SETTINGS = settings(MODEL_SETTINGS, phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target])


def test_engine_equals_reference_model(model_db_url):
    with psycopg.connect(model_db_url, autocommit=True) as conn, \
            psycopg.connect(model_db_url, autocommit=True) as conn2:
        EngineModelMachine.conn, EngineModelMachine.conn2 = conn, conn2
        try:
            run_state_machine_as_test(EngineModelMachine, settings=MODEL_SETTINGS)
        finally:
            EngineModelMachine.conn = EngineModelMachine.conn2 = None
