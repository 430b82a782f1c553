"""The write engine: apply one bookmaker's snapshot to current odds and change-only history.

Plain Python + psycopg 3, no Dagster (the IO manager calls it).

What is true after any sequence of applications (the contract; tested against an independent model)
-----------------------------------------------------------------------------------------------
Applying a snapshot makes it THE board of its (bookmaker, ``captured_at``) window: a later application
of the same window (a re-derivation, e.g. after a mapping change) replaces it. For any set of snapshots
applied in any order, any number of times, the database equals what applying the latest version of
every window once, in time order, gives:

- history as of any t is the board of each event's latest complete scrape at or before t; a market is
  gone (a row with outcomes NULL) from the next complete scrape of its event that lacks it; one row
  per change, never two consecutive rows of a key with the same outcomes;
- current holds the latest state per key: ``first_seen_at`` the earliest observation, ``last_updated_at``
  when the odds last changed (back at the same odds is no change of odds), ``unavailable_at`` when it
  went away, ``last_confirmed_at`` (view) the latest complete scrape that listed it;
- ``bookmaker_events``: first and latest complete scrape, names/ids from the latest; ``events``: the names
  of the lowest-id book listing the match (BetPawa first), from that book's latest scrape;
- re-applying the same snapshot changes nothing at all, its ``snapshots`` row included.
Only events scraped COMPLETELY are in a snapshot: a failed event touches nothing (its markets are never
marked gone). The one thing that cannot be restored: when a re-derivation drops an event from the
window that was its latest complete scrape, ``last_seen_at`` moves back to the previous scrape but the
names stay those last read (per-scrape names are not stored).

How, at the cost of the changes
-------------------------------
The ledger: ``snapshots.event_ids`` holds the events each window scraped completely (migration 0004).

*Live* events (the steady state: the snapshot is after the event's latest complete scrape) take the
cheap path. The book's current rows for them are read in one round trip, every market is classified in
pandas (vectorised comparison of the encoded outcomes, exact), and only changes are written: ``COPY``
into a staging table, then one set-based statement each for current and history. Unchanged markets
cost no write; their ``last_confirmed_at`` is derived from ``bookmaker_events.last_seen_at``.

    new        not in current                                → current insert, history row
    changed    in current, available, other outcomes          → current update, history row
    unchanged  same outcomes                                  → nothing
    gone       in current and available, absent from an event → unavailable_at, history row (NULL)
               that IS in this snapshot's complete set
    back       in current but unavailable, present again      → unavailable_at cleared, history row

*Historical* events (scraped completely at or after t: a late window, a backfill, a re-run or a
re-derivation) and events the new version of the window no longer lists take the planned path
(:func:`_plan_history`): with P the state just before t, W the board at t and N the event's next
complete scrape, a row at t exists iff W differs from P and a row at N exists iff N's state differs
from W; nothing else in history can change. The plan's inserts and deletes are written set-based, and
current is derived from history for the keys it touched.

Plan, then write: :func:`plan_snapshot` takes the locks, reads every state the write depends on and
classifies (a :class:`WritePlan`; nothing is written but the day's history partition), then
:func:`write_plan` does the COPYs and set-based statements; :func:`apply_snapshot` runs both in one
transaction. Reading it all first reads what writing in between would have found: the live writes touch
only live events, the planned path reads only rows of its own (historical or removed) events, and it
runs alone. The market key (event, ``k``) that classification merges on is :mod:`odds_assets.db.keys`.

Bad input: a window invalid as a whole (unknown bookmaker, naive time, missing columns) raises
:class:`SnapshotError` before anything is written. An invalid EVENT (rules in
:mod:`odds_assets.snapshot`, the same ones ``build_snapshot`` applies) is dropped and reported in
``WriteResult.rejected``: it never sinks the window, and nothing stored for it is touched.

Listeners: every write (live, planned, or both) ends with one ``NOTIFY`` on :data:`NOTIFY_CHANNEL` in its
transaction, so it reaches ``LISTEN`` connections at COMMIT and never after a rollback or a
:class:`SnapshotError`; the JSON payload is :func:`notify_payload`'s.

Concurrency: one writer per bookmaker (advisory lock). Live writers of different books run side by
side: rows shared between books (``events``) are written only when they differ and in ``sr_event_id``
order, so they never deadlock. A planned write (late window, backfill, re-derivation) derives shared
rows from what the other books wrote, so it runs alone (an exclusive advisory lock that live writers
take shared); backfills are rare and a window's planned write takes well under a second.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import psycopg

from odds_assets.db import keys, queries
from odds_assets.errors import SnapshotError
from odds_assets.models import BOOKMAKER_IDS
from odds_assets.snapshot import (
    MARKET_COLUMNS,
    Snapshot,
    canonical_decimal,
    check_snapshot,
    event_problems,
    outcome_problems,
)

__all__ = ["NOTIFY_CHANNEL", "WritePlan", "WriteResult", "apply_snapshot", "notify_payload", "plan_snapshot",
           "write_plan"]

#: The channel every committed window write is announced on (``LISTEN odds_window``; :func:`notify_payload`).
NOTIFY_CHANNEL = "odds_window"
#: PostgreSQL refuses a NOTIFY payload of 8000 bytes or more ("payload string too long").
NOTIFY_MAX_BYTES = 7999

_LOCK_CLASS = 0x0DD5  # advisory-lock namespace: key = book id (one writer per book); key 0 = planned writers alone
_NO_LINE = "~"  # stands for "no line" in frames; never a valid canonical line
_KINDS = (("new", "n"), ("changed", "c"), ("unchanged", "u"), ("gone", "g"), ("back", "b"))


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
    rejected: tuple[SnapshotError, ...] = ()
    history_removed: int = 0
    removed_events: int = 0

    @property
    def total_ms(self) -> float:
        return self.timings_ms.get("total", 0.0)

    def as_metadata(self) -> dict[str, float | int | str]:
        out: dict[str, float | int | str] = {
            "captured_at": self.captured_at.isoformat(), "events": self.events, "markets": self.markets,
            "new": self.new, "changed": self.changed, "unchanged": self.unchanged, "gone": self.gone,
            "back": self.back, "history_rows": self.history_rows, "historical_events": self.historical_events,
            "history_removed": self.history_removed, "rejected_events": len(self.rejected),
        }
        out.update({f"{k}_ms": round(v, 1) for k, v in self.timings_ms.items()})
        return out


def _line_text(key: int) -> str | None:
    line = keys.line_of(keys.split_key(int(key))[1])
    return None if line is None else canonical_decimal(line)


def _read_state(conn: psycopg.Connection, query: str, params: dict) -> pd.DataFrame:
    """(sr_event_id, k, outcomes, available) of a state query that aggregates into four arrays: one
    round trip and one binary value per column (reading 25,000 rows row by row costs 3x more)."""
    with conn.cursor(binary=True) as cur:
        row = cur.execute(query, params).fetchone()
    assert row is not None  # an aggregate without GROUP BY returns one row
    sr, k, outcomes, available = row
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


def _copy_rows(conn: psycopg.Connection, stage: str, rows) -> None:
    """Create the staging table of ``create_<stage>`` (db/sql) and ``COPY`` ``rows`` into it with
    ``copy_<stage>``."""
    conn.execute(queries.load(f"create_{stage}"))
    with conn.cursor() as cur, cur.copy(queries.load(f"copy_{stage}")) as copy:
        for row in rows:
            copy.write_row(row)


def _state_frame(conn: psycopg.Connection, query: str, params: dict) -> pd.DataFrame:
    """(sr_event_id, k, captured_at, outcomes) of select_history_at: outcomes None = a gone row."""
    with conn.cursor(binary=True) as cur:
        row = cur.execute(query, params).fetchone()
    assert row is not None  # an aggregate without GROUP BY returns one row
    sr, k, ts, outcomes, priced = row
    return pd.DataFrame({
        "sr_event_id": np.array(sr or [], dtype=np.int64), "k": np.array(k or [], dtype=np.int64),
        "captured_at": pd.Series(ts or [], dtype=object),
        "outcomes": pd.Series([o if p else None for o, p in zip(outcomes or [], priced or [])], dtype=object),
    })


@dataclass(frozen=True)
class _HistoryPlan:
    """History rows the planned path sets ('u') or removes ('d'), the market keys whose current row is
    derived again (``touched``: True when some of the key's rows are removed), the classification of
    the window (``truth``) and of what the write does (``effect``), and the changes of the next complete
    scrapes' counts (``n_deltas``)."""

    truth: dict[str, int]
    effect: dict[str, int]
    n_deltas: dict[datetime, dict[str, int]]
    rows: list[tuple[int, int, int, datetime | None, str | None, str]]
    touched: dict[tuple[int, int], bool]

    @property
    def written(self) -> int:
        return sum(1 for row in self.rows if row[5] == "u")

    @property
    def deleted(self) -> int:
        return sum(1 for row in self.rows if row[5] == "d")


@dataclass(frozen=True)
class _Unscrape:
    """Events a re-derived window no longer scraped completely: their new first / latest complete
    scrape (``None`` in either: ``gone_ids``, the book no longer lists the event)."""

    ids: list[int]
    firsts: list[datetime | None]
    lasts: list[datetime | None]
    gone_ids: list[int]


@dataclass(frozen=True)
class _NamePlan:
    """Name versions the planned path sets ('u') or removes ('d'), for the events ``ids``."""

    ids: list[int]
    rows: list[tuple]


@dataclass(frozen=True)
class WritePlan:
    """Everything :func:`write_plan` writes for one snapshot, as :func:`plan_snapshot` read and
    classified it under the write's locks. Only valid for the transaction that planned it."""

    snapshot: Snapshot  # the valid events; the invalid ones are in snapshot.rejected
    book: int
    markets: int  # market rows of the board written
    event_ids: list[int]  # the events scraped completely: the ledger
    stage: pd.DataFrame  # changed markets of live events (sr_event_id, market_id, line, outcomes, kind)
    event_stage: list[list[object]]  # the snapshot's events, with their latest / live flags
    historical: frozenset[int]
    removed: frozenset[int]
    counts: dict[str, int]  # what this write does: WriteResult
    window_counts: dict[str, int]  # what the window is: its snapshots row
    history: _HistoryPlan | None  # the planned path (historical and removed events), if any
    unscrape: _Unscrape | None
    names: _NamePlan | None
    started: float  # time.perf_counter() when planning began: WriteResult's total
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def params(self) -> dict:
        return {"b": self.book, "t": self.snapshot.captured_at_utc}


def apply_snapshot(conn: psycopg.Connection, snapshot: Snapshot) -> WriteResult:
    """Apply ``snapshot`` in one transaction on ``conn``: it becomes the book's board at ``captured_at``
    (replacing any earlier version of that window). Returns counts and timings.

    Raises :class:`SnapshotError` (nothing written) for a snapshot invalid as a whole; invalid events
    are dropped and listed in ``WriteResult.rejected``.
    """
    with conn.transaction():
        return write_plan(conn, plan_snapshot(conn, snapshot))


def plan_snapshot(conn: psycopg.Connection, snapshot: Snapshot) -> WritePlan:
    """Read what ``snapshot`` changes and classify it, writing nothing: the first half of
    :func:`apply_snapshot`, whose transaction :func:`write_plan` must finish.

    It takes the write's locks (transaction-scoped, so ``conn`` must be in a transaction) and makes sure
    the history partition of the snapshot's day exists, as the write's first step always did. Raises
    :class:`SnapshotError` for a snapshot invalid as a whole; invalid events are dropped from the plan's
    snapshot and listed in its ``rejected``.
    """
    if conn.autocommit and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        # the advisory locks would be released at once, and the plan could be stale when written
        raise RuntimeError("plan_snapshot must run inside a transaction (with conn.transaction(): ...)")
    t_start = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = (now - since) * 1000
        return now

    check_snapshot(snapshot)
    snapshot = snapshot.without(event_problems(snapshot))
    book = BOOKMAKER_IDS[snapshot.bookmaker]
    t = snapshot.captured_at_utc
    markets = snapshot.markets[MARKET_COLUMNS].copy()
    markets["k"] = keys.market_keys(markets["market_id"], keys.line_hundredths(markets["line"]))
    markets["line"] = markets["line"].fillna(_NO_LINE).astype(object)
    params: dict = {"b": book, "t": t}
    mark = lap("validate", t_start)

    conn.execute(queries.load("lock_book_writer"), {**params, "ns": _LOCK_CLASS})
    conn.execute(queries.load("create_history_partition"), {"day": t.date()})
    old = conn.execute(queries.load("select_snapshot_events"), params).fetchone()
    old_ids = set(old[0]) if old else set()
    new_ids = set(int(x) for x in snapshot.events["sr_event_id"].tolist())
    seen = {sr: (first, last) for sr, first, last in conn.execute(
        queries.load("select_events_last_seen"), {**params, "ids": sorted(new_ids | old_ids)}).fetchall()}
    # live: the snapshot is after the event's latest complete scrape (the steady state, cheap path);
    # historical: the event was scraped completely at or after t (late window, backfill, re-run).
    historical = {sr for sr in new_ids if sr in seen and seen[sr][1] >= t}
    live_ids = sorted(new_ids - historical)
    # A writer that plans (late window, backfill, re-derivation) runs alone; live writers of the books
    # run side by side. The planned path derives shared rows (events) from what other books wrote, so
    # it must not race them; taken after the per-book lock (whose holder decides this), never waited
    # for while holding it by anyone else: no cycle.
    alone = bool(historical or old_ids - new_ids)
    conn.execute(queries.load("lock_planned_writers" if alone else "lock_live_writers"), {"ns": _LOCK_CLASS})
    mark = lap("read_events", mark)

    live_snap = markets[markets["sr_event_id"].isin(live_ids)] if historical else markets
    current = _read_state(conn, queries.load("select_current_state"), {**params, "ids": live_ids})
    mark = lap("read_current", mark)
    live = _classify(live_snap, current)
    writes = live[live["kind"].isin(["n", "c", "b", "g"])].copy()
    gone = (writes["kind"] == "g").to_numpy()
    # Values are checked on the rows about to be written (a row equal to a stored one was checked
    # when it was stored) and on every row of historical events (their plan needs the whole board).
    to_check = pd.concat([writes.loc[~gone, MARKET_COLUMNS],
                          markets.loc[markets["sr_event_id"].isin(historical), MARKET_COLUMNS]])
    to_check["line"] = to_check["line"].where(to_check["line"] != _NO_LINE, None)
    bad = outcome_problems(snapshot.bookmaker, to_check)
    if bad:
        snapshot = snapshot.without(bad)
        new_ids -= set(bad)
        historical -= set(bad)
        markets = markets[~markets["sr_event_id"].isin(list(bad))]
        live = live[~live["sr_event_id"].isin(list(bad))]
        writes = writes[~writes["sr_event_id"].isin(list(bad))]
        gone = (writes["kind"] == "g").to_numpy()
    removed = old_ids - new_ids
    if gone.any():  # absent from the snapshot: market id and line come from the key
        gone_keys = writes.loc[gone, "k"].to_numpy()
        writes.loc[gone, "market_id"] = keys.market_id_of_keys(gone_keys)
        writes.loc[gone, "line"] = [_line_text(k) or _NO_LINE for k in gone_keys]
    counts = live["kind"].value_counts()
    result_counts = {k: int(counts.get(code, 0)) for k, code in _KINDS}
    window_counts = dict(result_counts)  # live events: what the window is = what the write does
    mark = lap("validate_rows", mark)

    events = snapshot.events
    event_stage = [
        [*(None if (v is None or v != v) else v for v in row),
         int(row[0]) not in seen or seen[int(row[0])][1] <= t,  # latest
         int(row[0]) not in historical]                         # live
        for row in zip(events["sr_event_id"], events["bookmaker_event_id"], events["home"], events["away"],
                       events["kickoff"], events["competition"], events["country"])]

    # The planned path reads only rows of its own events (historical or removed), which the live writes
    # never touch, and runs alone: reading it all before writing reads what the writes would have found.
    history = unscrape = names = None
    redo = sorted(historical | removed)
    if redo:
        # each planned event's next complete scrape after t (the ledger; read once for every plan below)
        nexts: dict[int, datetime | None] = dict(conn.execute(queries.load("select_next_scrapes"), {
            **params, "ids": redo, "lasts": [seen[sr][1] for sr in redo]}).fetchall())
        history = _plan_history(conn, params, markets[markets["sr_event_id"].isin(historical)], historical,
                                removed, nexts)
        for k in result_counts:
            result_counts[k] += history.effect[k]
            window_counts[k] += history.truth[k]
        if removed:
            unscrape = _plan_unscrape(conn, params, removed, seen, nexts)
        names = _plan_names(conn, params, events[events["sr_event_id"].isin(historical)], historical, removed,
                            nexts)
        mark = lap("read_history_plan", mark)

    return WritePlan(snapshot=snapshot, book=book, markets=len(markets), event_ids=sorted(new_ids), stage=writes,
                     event_stage=event_stage, historical=frozenset(historical), removed=frozenset(removed),
                     counts=result_counts, window_counts=window_counts, history=history, unscrape=unscrape,
                     names=names, started=t_start, timings_ms=timings)


def write_plan(conn: psycopg.Connection, plan: WritePlan) -> WriteResult:
    """Write ``plan`` (COPY into staging tables, then set-based statements) in the transaction that
    planned it, ending with the window's ``snapshots`` row: the second half of :func:`apply_snapshot`."""
    timings = dict(plan.timings_ms)
    mark = time.perf_counter()

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = (now - since) * 1000
        return now

    params = plan.params
    conn.execute(queries.load("upsert_snapshot_events"), {**params, "event_ids": plan.event_ids})
    history_rows = history_removed = 0
    writes = plan.stage
    if len(writes):
        _copy_rows(conn, "stage", (
            (int(sr), int(mid), None if line == _NO_LINE else line, outc_prev if kind == "g" else outc, kind)
            for sr, mid, line, outc, outc_prev, kind in zip(
                writes["sr_event_id"], writes["market_id"], writes["line"], writes["outcomes"],
                writes["outcomes_prev"], writes["kind"])))
        mark = lap("copy_stage", mark)
        conn.execute(queries.load("upsert_current"), params)
        conn.execute(queries.load("update_current_gone"), params)
        history_rows = conn.execute(queries.load("insert_history"), params).rowcount
        mark = lap("write_markets", mark)
    if plan.history is not None:
        _write_history(conn, params, plan.history)
        history_rows += plan.history.written
        history_removed += plan.history.deleted
        mark = lap("write_history_plan", mark)
    if plan.event_stage:
        _copy_rows(conn, "event_stage", plan.event_stage)
        conn.execute(queries.load("insert_event_versions_live"), params)
        conn.execute(queries.load("upsert_events"), params)
        conn.execute(queries.load("upsert_bookmaker_events"), params)
        mark = lap("write_events", mark)
    if plan.unscrape is not None:
        _write_unscrape(conn, params, plan.unscrape)
    if plan.names is not None:
        _write_names(conn, params, plan.names)
        mark = lap("write_names", mark)

    timings["total"] = (time.perf_counter() - plan.started) * 1000
    truth_rows = sum(plan.window_counts[k] for k in ("new", "changed", "gone", "back"))
    conn.execute(queries.load("upsert_snapshot"), {
        **params, "events": len(plan.event_stage), "markets": plan.markets, **plan.window_counts,
        "history_rows": truth_rows, "historical": bool(plan.historical or plan.removed),
        "write_ms": timings["total"], "event_ids": plan.event_ids})
    _notify_window(conn, plan, history_rows)
    timings["total"] = (time.perf_counter() - plan.started) * 1000
    snapshot = plan.snapshot
    return WriteResult(bookmaker=snapshot.bookmaker, captured_at=snapshot.captured_at_utc,
                       events=len(plan.event_stage), markets=plan.markets, history_rows=history_rows,
                       historical_events=len(plan.historical), timings_ms=timings, rejected=snapshot.rejected,
                       history_removed=history_removed, removed_events=len(plan.removed), **plan.counts)


def notify_payload(bookmaker: str, captured_at: datetime, events: int, history_rows: int,
                   sr_event_ids: Iterable[int]) -> str:
    """The JSON text announcing one written window on :data:`NOTIFY_CHANNEL` (compact, keys in this order):

    ``{"bookmaker": "betpawa", "captured_at": "2026-11-24T12:05:00Z", "events": 1874, "history_rows": 912,
    "sr_event_ids": [61301159, ...], "truncated": false}``

    ``events``: the events the window scraped completely (its valid ones); ``history_rows``: the history
    rows this write added; ``sr_event_ids``: sorted, the events whose markets this write changed (history
    rows added or, by a re-derivation, removed) or which the window no longer lists. When the text would
    reach PostgreSQL's 8000-byte limit, ``sr_event_ids`` is left out and ``truncated`` is true: a
    listener then refreshes everything of that book."""
    when = captured_at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    doc: dict[str, object] = {
        "bookmaker": bookmaker, "captured_at": when, "events": events, "history_rows": history_rows,
        "sr_event_ids": sorted(int(x) for x in sr_event_ids), "truncated": False}
    text = json.dumps(doc, separators=(",", ":"))
    if len(text.encode()) > NOTIFY_MAX_BYTES:
        del doc["sr_event_ids"]
        doc["truncated"] = True
        text = json.dumps(doc, separators=(",", ":"))
    return text


def _notify_window(conn: psycopg.Connection, plan: WritePlan, history_rows: int) -> None:
    """Queue the window's NOTIFY in the write's transaction (delivered at its COMMIT, dropped on rollback)."""
    changed = set(plan.stage["sr_event_id"].tolist()) | set(plan.removed)
    if plan.history is not None:
        changed.update(row[0] for row in plan.history.rows)
    payload = notify_payload(plan.snapshot.bookmaker, plan.snapshot.captured_at_utc, len(plan.event_stage),
                             history_rows, changed)
    conn.execute(queries.load("notify_window"), {"channel": NOTIFY_CHANNEL, "payload": payload})


def _plan_history(conn: psycopg.Connection, params: dict, board: pd.DataFrame, complete: set[int],
                  removed: set[int], nexts: dict[int, datetime | None]) -> _HistoryPlan:
    """Plan history around one window for events that have a complete scrape at or after it.

    For each market key of those events: P = the state just before t, W = the board at t (P for an event
    the window no longer scraped completely), N = the event's next complete scrape after t, whose state
    is read from the rows as they stood. A row at t exists iff W differs from P; a row at N exists iff
    N's state differs from W. Nothing else can change: no complete scrape of the event lies between t
    and N, and N's state is N's board. Current is then derived from history for every key whose rows
    changed, and for every unavailable key (its last confirmation may have moved).
    """
    t = params["t"]
    ids = sorted(complete | removed)
    before = _read_state(conn, queries.load("select_history_before"), {**params, "ids": ids})
    pairs = [(sr, t) for sr in ids] + [(sr, n) for sr, n in nexts.items() if n is not None]
    at = _state_frame(conn, queries.load("select_history_at"), {
        **params, "ids": [p[0] for p in pairs], "ts": [p[1] for p in pairs]})
    unavailable = _read_state(conn, queries.load("select_current_state"), {**params, "ids": ids})
    unavailable = unavailable[~unavailable["available"]]

    # states: None = absent or gone; P_seen says whether the key was ever observed before t
    p_state = {(int(sr), int(k)): (o if a else None)
               for sr, k, o, a in zip(before["sr_event_id"], before["k"], before["outcomes_prev"],
                                      before["available"])}
    at_t: dict[tuple[int, int], str | None] = {}
    at_n: dict[tuple[int, int], str | None] = {}
    for sr, k, ts, o in zip(at["sr_event_id"], at["k"], at["captured_at"], at["outcomes"]):
        (at_t if ts == t else at_n)[(int(sr), int(k))] = o
    board_state = {(int(sr), int(k)): o for sr, k, o in zip(board["sr_event_id"], board["k"], board["outcomes"])}
    all_keys = set(p_state) | set(at_t) | set(at_n) | set(board_state)

    truth = {"new": 0, "changed": 0, "unchanged": 0, "gone": 0, "back": 0}
    effect = dict(truth)
    n_deltas: dict[datetime, dict[str, int]] = {}
    reappear: list[tuple[tuple[int, int], datetime, str | None, bool, bool]] = []
    plan: list[tuple[int, int, int, datetime | None, str | None, str]] = []
    touched: dict[tuple[int, int], bool] = {}

    def put(key: tuple[int, int], when: datetime, value: str | None, op: str) -> None:
        plan.append((key[0], *keys.split_key(key[1]), when, value, op))
        touched[key] = touched.get(key, False) or op == "d"

    for key in all_keys:
        sr = key[0]
        p = p_state.get(key)
        old_w = at_t.get(key, p)
        new_w = board_state.get(key) if sr in complete else p
        want_t = new_w != p
        fix_t = False
        if key in at_t and (not want_t or at_t[key] != new_w):
            put(key, t, None, "d")
            fix_t = True
        if want_t and (key not in at_t or at_t[key] != new_w):
            put(key, t, new_w, "u")
            fix_t = True
        if sr in complete:
            kind = _kind(p, new_w, key in p_state)
            if kind is not None:
                truth[kind] += 1  # what the window is (snapshots row)
                if fix_t:  # what this write did (WriteResult): listed markets it left alone are unchanged
                    effect[kind] += 1
                elif new_w is not None:
                    effect["unchanged"] += 1
        n = nexts.get(sr)
        if n is not None:
            n_state = at_n.get(key, old_w)
            if new_w != old_w:  # N's classification follows the state before it: keep its row true
                _reclassify(n_deltas, n, _kind(old_w, n_state, key in p_state or key in at_t),
                            _kind(new_w, n_state, key in p_state or want_t))
            want_n = n_state != new_w
            seen_old = key in p_state or key in at_t or key in at_n
            seen_new = key in p_state or want_t or want_n
            if seen_old != seen_new:  # the key's next appearance after N turns new <-> back
                reappear.append((key, n, n_state, seen_old, seen_new))
            if key in at_n and not want_n:
                put(key, n, None, "d")
            elif want_n and key not in at_n:
                put(key, n, n_state, "u")
    for sr, k in zip(unavailable["sr_event_id"], unavailable["k"]):
        touched.setdefault((int(sr), int(k)), False)
    if reappear:
        nxt_rows = {(int(sr), int(k)): (ts, o) for sr, k, ts, o in conn.execute(
            queries.load("select_history_next_rows"), {
                **params, "ids": [r[0][0] for r in reappear], "ks": [r[0][1] for r in reappear],
                "ts": [r[1] for r in reappear]}).fetchall()}
        for key, _, n_state, seen_old, seen_new in reappear:
            if key in nxt_rows:
                ts, o = nxt_rows[key]
                _reclassify(n_deltas, ts, _kind(n_state, o, seen_old), _kind(n_state, o, seen_new))
    n_deltas = {n: d for n, d in n_deltas.items() if any(d.values())}
    return _HistoryPlan(truth=truth, effect=effect, n_deltas=n_deltas, rows=plan, touched=touched)


def _write_history(conn: psycopg.Connection, params: dict, plan: _HistoryPlan) -> None:
    """Write a :class:`_HistoryPlan`: the next scrapes' counts, the history rows, then current derived
    from history for the touched keys."""
    if plan.n_deltas:
        times = sorted(plan.n_deltas)
        conn.execute(queries.load("update_snapshot_counts"), {
            **params, "ts": times, **{k: [plan.n_deltas[n][k] for n in times] for k in plan.truth}})
    if not plan.touched:
        return
    for day in {row[3].date() for row in plan.rows if row[5] == "u" and row[3] is not None} - {params["t"].date()}:
        conn.execute(queries.load("create_history_partition"), {"day": day})
    _copy_rows(conn, "plan_stage", plan.rows + [(sr, *keys.split_key(k), None, None, "x" if removed_rows else "k")
                                              for (sr, k), removed_rows in plan.touched.items()])
    if plan.rows:
        conn.execute(queries.load("delete_history_planned"), params)
        conn.execute(queries.load("insert_history_planned"), params)
    conn.execute(queries.load("upsert_current_derived"), params)
    conn.execute(queries.load("delete_current_orphaned"), params)


def _kind(before: str | None, state: str | None, seen_before: bool) -> str | None:
    """How a market classifies at a complete scrape of its event: ``state`` there, ``before`` the state
    just before it, ``seen_before`` whether it was ever observed earlier."""
    if state is not None:
        if not seen_before:
            return "new"
        if before is None:
            return "back"
        return "unchanged" if state == before else "changed"
    return "gone" if before is not None else None


def _reclassify(deltas: dict[datetime, dict[str, int]], when: datetime, was: str | None,
                now: str | None) -> None:
    """Record that one market at the window ``when`` now classifies as ``now`` instead of ``was``."""
    if was == now:
        return
    delta = deltas.setdefault(when, {"new": 0, "changed": 0, "unchanged": 0, "gone": 0, "back": 0})
    if was:
        delta[was] -= 1
    if now:
        delta[now] += 1


def _plan_unscrape(conn: psycopg.Connection, params: dict, removed: set[int],
                   seen: dict[int, tuple[datetime, datetime]], nxt: dict[int, datetime | None]) -> _Unscrape:
    """A re-derived window no longer scraped these events completely: their first / latest complete
    scrape moves to the ledger's next / previous one; an event left with none loses its per-book row
    (and its canonical row when no book lists it any more)."""
    t = params["t"]
    ids = sorted(removed)
    prev = {sr: ts for sr, _, ts in conn.execute(queries.load("select_prev_scrapes"), {
        **params, "ids": ids, "ts": [t] * len(ids)}).fetchall()}
    firsts, lasts, gone_ids = [], [], []
    for sr in ids:
        first, last = seen[sr]
        new_first = nxt.get(sr) if first == t else first  # t was the first: the next one (if any)
        new_last = prev.get(sr) if last == t else last    # t was the latest: the previous one (if any)
        if new_first is None or new_last is None:
            gone_ids.append(sr)
        firsts.append(new_first)
        lasts.append(new_last)
    return _Unscrape(ids=ids, firsts=firsts, lasts=lasts, gone_ids=gone_ids)


def _write_unscrape(conn: psycopg.Connection, params: dict, plan: _Unscrape) -> None:
    conn.execute(queries.load("update_bookmaker_events_removed"),
                 {**params, "ids": plan.ids, "firsts": plan.firsts, "lasts": plan.lasts})
    if plan.gone_ids:
        conn.execute(queries.load("delete_bookmaker_events_removed"), {**params, "ids": plan.gone_ids})
        conn.execute(queries.load("delete_events_unlisted"), {**params, "ids": plan.gone_ids})


_META = ("bookmaker_event_id", "home", "away", "kickoff", "competition", "country")


def _plan_names(conn: psycopg.Connection, params: dict, events: pd.DataFrame, complete: set[int],
                removed: set[int], nexts: dict[int, datetime | None]) -> _NamePlan:
    """The same plan as :func:`_plan_history`, for each event's names, ids and kick-off at this book
    (``bookmaker_event_history``, one key per event): a version at t iff the board's names differ from
    those before t, one at the next complete scrape N iff N's differ from t's. When written, the
    per-book row takes the version as of its latest complete scrape, and the canonical row follows the
    books."""
    t = params["t"]
    ids = sorted(complete | removed)
    pairs = [(sr, t) for sr in ids] + [(sr, n) for sr, n in nexts.items() if n is not None]
    before: dict[int, tuple] = {}
    at_t: dict[int, tuple] = {}
    at_n: dict[int, tuple] = {}
    for kind, sr, ts, *meta in conn.execute(queries.load("select_event_versions"), {
            **params, "ids": ids, "pair_ids": [p[0] for p in pairs], "pair_ts": [p[1] for p in pairs]}):
        (before if kind == "p" else at_t if ts == t else at_n)[sr] = tuple(meta)
    board = {int(row[0]): tuple(None if (v is None or v != v) else v for v in row[1:])
             for row in zip(events["sr_event_id"], *(events[c] for c in _META))}
    plan: list[tuple] = []
    for sr in ids:
        p = before.get(sr)
        old_w = at_t.get(sr, p)
        new_w = board[sr] if sr in complete else p
        if sr in at_t and (new_w == p or at_t[sr] != new_w):
            plan.append((sr, t, *(None,) * len(_META), "d"))
        if new_w is not None and new_w != p and at_t.get(sr) != new_w:
            plan.append((sr, t, *new_w, "u"))
        n = nexts.get(sr)
        if n is not None:
            n_meta = at_n.get(sr, old_w)
            if sr in at_n and n_meta == new_w:
                plan.append((sr, n, *(None,) * len(_META), "d"))
            elif n_meta is not None and n_meta != new_w and sr not in at_n:
                plan.append((sr, n, *n_meta, "u"))
    return _NamePlan(ids=ids, rows=plan)


def _write_names(conn: psycopg.Connection, params: dict, plan: _NamePlan) -> None:
    if plan.rows:
        _copy_rows(conn, "event_version_plan", plan.rows)
        conn.execute(queries.load("delete_event_versions_planned"), params)
        conn.execute(queries.load("insert_event_versions_planned"), params)
    conn.execute(queries.load("sync_bookmaker_events_names"), {**params, "ids": plan.ids})
    conn.execute(queries.load("refresh_events"), {**params, "ids": plan.ids})
