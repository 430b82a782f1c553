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
(:func:`_apply_history_plan`): with P the state just before t, W the board at t and N the event's next
complete scrape, a row at t exists iff W differs from P and a row at N exists iff N's state differs
from W; nothing else in history can change. The plan's inserts and deletes are written set-based, and
current is derived from history for the keys it touched.

Bad input: a window invalid as a whole (unknown bookmaker, naive time, missing columns) raises
:class:`SnapshotError` before anything is written. An invalid EVENT (rules in
:mod:`odds_assets.snapshot`, the same ones ``build_snapshot`` applies) is dropped and reported in
``WriteResult.rejected``: it never sinks the window, and nothing stored for it is touched.

Concurrency: one writer per bookmaker (advisory lock). Live writers of different books run side by
side: rows shared between books (``events``) are written only when they differ and in ``sr_event_id``
order, so they never deadlock. A planned write (late window, backfill, re-derivation) derives shared
rows from what the other books wrote, so it runs alone (an exclusive advisory lock that live writers
take shared); backfills are rare and a window's planned write takes well under a second.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
import psycopg

from odds_assets.db import queries
from odds_assets.errors import SnapshotError
from odds_assets.models import BOOKMAKER_IDS
from odds_assets.snapshot import (
    MARKET_COLUMNS, Snapshot, canonical_decimal, check_snapshot, event_problems, outcome_problems)

__all__ = ["WriteResult", "apply_snapshot"]

_LOCK_CLASS = 0x0DD5  # advisory-lock namespace: key = book id (one writer per book); key 0 = planned writers alone
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


def _copy_rows(conn: psycopg.Connection, create: str, columns: str, rows) -> None:
    """Create the staging table ``create`` (db/sql) and COPY ``rows`` into its ``columns``."""
    conn.execute(queries.load(create))
    table = queries.load(create).split("CREATE TEMP TABLE ", 1)[1].split()[0]
    with conn.cursor() as cur:
        with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _state_frame(conn: psycopg.Connection, query: str, params: dict) -> pd.DataFrame:
    """(sr_event_id, k, captured_at, outcomes) of select_history_at: outcomes None = a gone row."""
    with conn.cursor(binary=True) as cur:
        sr, k, ts, outcomes, priced = cur.execute(query, params).fetchone()
    return pd.DataFrame({
        "sr_event_id": np.array(sr or [], dtype=np.int64), "k": np.array(k or [], dtype=np.int64),
        "captured_at": pd.Series(ts or [], dtype=object),
        "outcomes": pd.Series([o if p else None for o, p in zip(outcomes or [], priced or [])], dtype=object),
    })


def apply_snapshot(conn: psycopg.Connection, snapshot: Snapshot) -> WriteResult:
    """Apply ``snapshot`` in one transaction on ``conn``: it becomes the book's board at ``captured_at``
    (replacing any earlier version of that window). Returns counts and timings.

    Raises :class:`SnapshotError` (nothing written) for a snapshot invalid as a whole; invalid events
    are dropped and listed in ``WriteResult.rejected``.
    """
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
    markets["line"] = markets["line"].fillna(_NO_LINE).astype(object)
    markets["k"] = market_key(markets["market_id"], line_hundredths(markets["line"]))
    params: dict = {"b": book, "t": t}
    mark = lap("validate", t_start)

    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_CLASS, book))
        conn.execute("SELECT odds_ensure_history_partition(%s)", (t.date(),))
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
        if historical or old_ids - new_ids:
            conn.execute("SELECT pg_advisory_xact_lock(%s, 0)", (_LOCK_CLASS,))
        else:
            conn.execute("SELECT pg_advisory_xact_lock_shared(%s, 0)", (_LOCK_CLASS,))
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
            writes.loc[gone, "market_id"] = (writes.loc[gone, "k"].to_numpy() >> 17)
            writes.loc[gone, "line"] = [_line_text(k) or _NO_LINE for k in writes.loc[gone, "k"]]
        event_ids = sorted(new_ids)
        conn.execute(queries.load("upsert_snapshot_events"), {**params, "event_ids": event_ids})
        mark = lap("validate_rows", mark)

        history_rows = history_removed = 0
        if len(writes):
            _copy_rows(conn, "create_stage", "sr_event_id, market_id, line, outcomes, kind", (
                (int(sr), int(mid), None if line == _NO_LINE else line, outc_prev if kind == "g" else outc, kind)
                for sr, mid, line, outc, outc_prev, kind in zip(
                    writes["sr_event_id"], writes["market_id"], writes["line"], writes["outcomes"],
                    writes["outcomes_prev"], writes["kind"])))
            mark = lap("copy_stage", mark)
            conn.execute(queries.load("upsert_current"), params)
            conn.execute(queries.load("update_current_gone"), params)
            history_rows = conn.execute(queries.load("insert_history"), params).rowcount
            mark = lap("write_markets", mark)
        counts = live["kind"].value_counts()
        result_counts = {k: int(counts.get(code, 0)) for k, code in
                         (("new", "n"), ("changed", "c"), ("unchanged", "u"), ("gone", "g"), ("back", "b"))}
        window_counts = dict(result_counts)  # live events: what the window is = what the write did

        redo = sorted(historical | removed)
        # each planned event's next complete scrape after t (the ledger; read once for every plan below)
        nexts = dict(conn.execute(queries.load("select_next_scrapes"), {
            **params, "ids": redo, "lasts": [seen[sr][1] for sr in redo]}).fetchall()) if redo else {}
        if redo:
            truth, effect, written, deleted = _apply_history_plan(
                conn, params, markets[markets["sr_event_id"].isin(historical)], historical, removed, nexts)
            for k in result_counts:
                result_counts[k] += effect[k]
                window_counts[k] += truth[k]
            history_rows += written
            history_removed += deleted
            mark = lap("write_history_plan", mark)

        events = snapshot.events
        if len(events):
            _copy_rows(conn, "create_event_stage", "sr_event_id, bookmaker_event_id, home, away, kickoff, "
                       "competition, country, latest, live", (
                [*(None if (v is None or v != v) else v for v in row),
                 int(row[0]) not in seen or seen[int(row[0])][1] <= t,  # latest
                 int(row[0]) not in historical]                         # live
                for row in zip(events["sr_event_id"], events["bookmaker_event_id"], events["home"],
                               events["away"], events["kickoff"], events["competition"], events["country"])))
            conn.execute(queries.load("insert_event_versions_live"), params)
            conn.execute(queries.load("upsert_events"), params)
            conn.execute(queries.load("upsert_bookmaker_events"), params)
            mark = lap("write_events", mark)
        if removed:
            _unscrape_events(conn, params, removed, seen, nexts)
        if redo:
            _apply_name_plan(conn, params, events[events["sr_event_id"].isin(historical)], historical, removed,
                             nexts)
            mark = lap("write_names", mark)

        timings["total"] = (time.perf_counter() - t_start) * 1000
        truth_rows = sum(window_counts[k] for k in ("new", "changed", "gone", "back"))
        conn.execute(queries.load("upsert_snapshot"), {
            **params, "events": len(events), "markets": len(markets), **window_counts,
            "history_rows": truth_rows, "historical": bool(historical or removed),
            "write_ms": timings["total"], "event_ids": event_ids})
    timings["total"] = (time.perf_counter() - t_start) * 1000
    return WriteResult(bookmaker=snapshot.bookmaker, captured_at=t, events=len(events), markets=len(markets),
                       history_rows=history_rows, historical_events=len(historical), timings_ms=timings,
                       rejected=snapshot.rejected, history_removed=history_removed,
                       removed_events=len(removed), **result_counts)


def _apply_history_plan(conn: psycopg.Connection, params: dict, board: pd.DataFrame, complete: set[int],
                        removed: set[int], nexts: dict[int, datetime | None]
                        ) -> tuple[dict[str, int], dict[str, int], int, int]:
    """Make history right around one window for events that have a complete scrape at or after it.

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
    keys = set(p_state) | set(at_t) | set(at_n) | set(board_state)

    truth = {"new": 0, "changed": 0, "unchanged": 0, "gone": 0, "back": 0}
    effect = dict(truth)
    n_deltas: dict[datetime, dict[str, int]] = {}
    reappear: list[tuple[tuple[int, int], datetime, str | None, bool, bool]] = []
    plan: list[tuple[int, int, int, datetime | None, str | None, str]] = []
    touched: dict[tuple[int, int], bool] = {}

    def put(key: tuple[int, int], when: datetime, value: str | None, op: str) -> None:
        mid, lh = key[1] >> 17, (key[1] & 0x1FFFF) - 65536
        plan.append((key[0], mid, lh, when, value, op))
        touched[key] = touched.get(key, False) or op == "d"

    for key in keys:
        sr = key[0]
        p = p_state.get(key)
        old_w = at_t[key] if key in at_t else p
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
            n_state = at_n[key] if key in at_n else old_w
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
    if n_deltas:
        times = sorted(n_deltas)
        conn.execute(queries.load("update_snapshot_counts"), {
            **params, "ts": times, **{k: [n_deltas[n][k] for n in times] for k in truth}})
    written = sum(1 for row in plan if row[5] == "u")
    deleted = sum(1 for row in plan if row[5] == "d")
    if not touched:
        return truth, effect, written, deleted
    for day in {row[3].date() for row in plan if row[5] == "u"} - {t.date()}:
        conn.execute("SELECT odds_ensure_history_partition(%s)", (day,))
    _copy_rows(conn, "create_plan_stage", "sr_event_id, market_id, line_hundredths, captured_at, outcomes, op",
               plan + [(sr, k >> 17, (k & 0x1FFFF) - 65536, None, None, "x" if removed_rows else "k")
                       for (sr, k), removed_rows in touched.items()])
    if plan:
        conn.execute(queries.load("delete_history_planned"), params)
        conn.execute(queries.load("insert_history_planned"), params)
    conn.execute(queries.load("upsert_current_derived"), params)
    conn.execute(queries.load("delete_current_orphaned"), params)
    return truth, effect, written, deleted


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


def _unscrape_events(conn: psycopg.Connection, params: dict, removed: set[int],
                     seen: dict[int, tuple[datetime, datetime]], nxt: dict[int, datetime | None]) -> None:
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
    conn.execute(queries.load("update_bookmaker_events_removed"),
                 {**params, "ids": ids, "firsts": firsts, "lasts": lasts})
    if gone_ids:
        conn.execute(queries.load("delete_bookmaker_events_removed"), {**params, "ids": gone_ids})
        conn.execute(queries.load("delete_events_unlisted"), {**params, "ids": gone_ids})


_META = ("bookmaker_event_id", "home", "away", "kickoff", "competition", "country")


def _apply_name_plan(conn: psycopg.Connection, params: dict, events: pd.DataFrame, complete: set[int],
                     removed: set[int], nexts: dict[int, datetime | None]) -> None:
    """The same plan as :func:`_apply_history_plan`, for each event's names, ids and kick-off at this
    book (``bookmaker_event_history``, one key per event): a version at t iff the board's names differ
    from those before t, one at the next complete scrape N iff N's differ from t's. Then the per-book
    row takes the version as of its latest complete scrape, and the canonical row follows the books."""
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
        if new_w != p and at_t.get(sr) != new_w:
            plan.append((sr, t, *new_w, "u"))
        n = nexts.get(sr)
        if n is not None:
            n_meta = at_n.get(sr, old_w)
            if sr in at_n and n_meta == new_w:
                plan.append((sr, n, *(None,) * len(_META), "d"))
            elif n_meta != new_w and sr not in at_n:
                plan.append((sr, n, *n_meta, "u"))
    if plan:
        _copy_rows(conn, "create_event_version_plan", "sr_event_id, captured_at, bookmaker_event_id, home, away, "
                   "kickoff, competition, country, op", plan)
        conn.execute(queries.load("delete_event_versions_planned"), params)
        conn.execute(queries.load("insert_event_versions_planned"), params)
    conn.execute(queries.load("sync_bookmaker_events_names"), {**params, "ids": ids})
    conn.execute(queries.load("refresh_events"), {**params, "ids": ids})
