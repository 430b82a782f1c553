"""The write engine announces every committed window on ``odds_window`` (LISTEN/NOTIFY), and nothing else.

A second connection LISTENs as the web server will. Each expected payload is derived here from the
tables themselves (an oracle independent of the engine's counters): ``history_rows`` = history rows
present after the write and not before, ``sr_event_ids`` = the events whose history rows differ before
and after, plus the events the window's ledger no longer lists; ``events`` = the events of the snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from odds_assets.db.engine import NOTIFY_CHANNEL, NOTIFY_MAX_BYTES, apply_snapshot, notify_payload
from odds_assets.errors import SnapshotError
from odds_assets.models import BOOKMAKER_IDS
from odds_assets.snapshot import Snapshot
from odds_assets_tests.factories import at, event_odds, history_rows, market, snap

X12 = market(3743, None, "2.40", "3.30", "3.00")
X12_MOVED = market(3743, None, "2.50", "3.30", "2.90")
OU25 = market(5000, "2.5", "1.95", "1.85")
OU25_MOVED = market(5000, "2.5", "2.00", "1.80")


@pytest.fixture
def listener(odds_db_url: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection LISTENing on the engine's channel (as the web server does)."""
    with psycopg.connect(odds_db_url, autocommit=True) as conn:
        conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        yield conn


def received(listener: psycopg.Connection, wait_s: float = 0.5) -> list[dict[str, Any]]:
    """Every notification that arrives within ``wait_s`` (all of them: they are sent at COMMIT, before
    the writer's commit returns)."""
    out = []
    for n in listener.notifies(timeout=wait_s):
        assert n.channel == NOTIFY_CHANNEL
        assert len(n.payload.encode()) < 8000
        out.append(json.loads(n.payload))
    return out


def _ledger(conn: psycopg.Connection, snapshot: Snapshot) -> set[int]:
    """The events the window's ``snapshots`` row lists as scraped completely (none before its first write)."""
    row = conn.execute("SELECT event_ids FROM snapshots WHERE bookmaker = %s AND captured_at = %s",
                       (BOOKMAKER_IDS[snapshot.bookmaker], snapshot.captured_at)).fetchone()
    return set(row[0]) if row else set()


def apply_and_expect(conn: psycopg.Connection, snapshot: Snapshot) -> dict[str, Any]:
    """Apply ``snapshot`` and return the payload the tables say it must announce."""
    before, ledger_before = set(history_rows(conn)), _ledger(conn, snapshot)
    apply_snapshot(conn, snapshot)
    after, ledger_after = set(history_rows(conn)), _ledger(conn, snapshot)
    changed = {row[0] for row in before ^ after} | (ledger_before - ledger_after)
    return {"bookmaker": snapshot.bookmaker, "captured_at": snapshot.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "events": len(snapshot.events), "history_rows": len(after - before), "sr_event_ids": sorted(changed),
            "truncated": False}


def test_each_live_window_is_announced_once_with_what_it_changed(odds_conn, listener):
    first = apply_and_expect(odds_conn, snap(0, event_odds(1, X12, OU25), event_odds(2, X12)))
    assert received(listener) == [first]
    assert first["history_rows"] == 3 and first["sr_event_ids"] == [1, 2]

    moved = apply_and_expect(odds_conn, snap(5, event_odds(1, X12), event_odds(2, X12_MOVED)))  # 1: O/U gone
    assert received(listener) == [moved]
    assert moved["sr_event_ids"] == [1, 2] and moved["history_rows"] == 2

    still = apply_and_expect(odds_conn, snap(10, event_odds(1, X12), event_odds(2, X12_MOVED)))
    assert received(listener) == [still]  # a window that changed nothing is still announced (freshness)
    assert (still["history_rows"], still["sr_event_ids"]) == (0, [])

    sb = "sportybet"
    other = apply_and_expect(odds_conn, snap(11, event_odds(2, X12, bookmaker=sb), bookmaker=sb))
    assert received(listener) == [other] and other["bookmaker"] == "sportybet"


def test_reapplying_a_window_is_announced_and_changes_nothing(odds_conn, listener):
    s = snap(0, event_odds(1, X12))
    apply_snapshot(odds_conn, s)
    received(listener)
    again = apply_and_expect(odds_conn, s)
    assert (again["history_rows"], again["sr_event_ids"]) == (0, [])
    assert received(listener) == [again]


def test_late_window_and_rederivation_are_announced(odds_conn, listener):
    """The planned path (a late window, a backfill's re-derivation) announces the events it changed."""
    apply_snapshot(odds_conn, snap(0, event_odds(1, X12), event_odds(2, X12)))
    apply_snapshot(odds_conn, snap(10, event_odds(1, X12_MOVED), event_odds(2, X12)))
    received(listener)

    late = apply_and_expect(odds_conn, snap(5, event_odds(1, X12_MOVED), event_odds(2, X12_MOVED)))
    assert received(listener) == [late]
    # event 1 moved at 5 instead of 10; event 2 moved at 5 and back at 10
    assert late["sr_event_ids"] == [1, 2] and late["history_rows"] == 3

    # the window re-derived without event 2: its rows at 5 and 10 go, and the event is listed as changed
    redo = apply_and_expect(odds_conn, snap(5, event_odds(1, X12_MOVED)))
    assert received(listener) == [redo]
    assert redo["sr_event_ids"] == [2] and redo["events"] == 1 and redo["history_rows"] == 0


def test_nothing_is_announced_before_commit_or_after_a_rollback(odds_conn, listener):
    with odds_conn.transaction():  # the caller's transaction: apply_snapshot's is a savepoint in it
        a = apply_and_expect(odds_conn, snap(0, event_odds(1, X12)))
        assert received(listener, 0.3) == []  # not before COMMIT
    assert received(listener) == [a]
    b = apply_and_expect(odds_conn, snap(5, event_odds(1, X12_MOVED)))
    assert received(listener) == [b]

    class Boom(Exception):
        pass

    with pytest.raises(Boom), odds_conn.transaction():
        apply_snapshot(odds_conn, snap(10, event_odds(1, X12)))
        raise Boom
    with odds_conn.transaction(force_rollback=True):
        apply_snapshot(odds_conn, snap(10, event_odds(1, X12)))
    assert received(listener) == []
    assert odds_conn.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 2


def test_a_window_refused_as_a_whole_is_not_announced(odds_conn, listener):
    good = snap(0, event_odds(1, X12))
    broken = Snapshot("betpawa", at(5), good.events, good.markets.drop(columns=["outcomes"]))
    with pytest.raises(SnapshotError, match="lacks columns"):
        apply_snapshot(odds_conn, broken)
    assert received(listener) == []


def test_a_large_window_drops_the_ids_and_says_so(odds_conn, listener):
    ids = [161_000_000 + i for i in range(900)]  # 900 nine-digit ids: more than 8000 bytes of JSON
    s = snap(0, *(event_odds(sr, X12) for sr in ids))
    apply_snapshot(odds_conn, s)
    (doc,) = received(listener)
    assert doc == {"bookmaker": "betpawa", "captured_at": "2026-11-24T12:00:00Z", "events": 900,
                   "history_rows": 900, "truncated": True}


def _full_json_bytes(n: int) -> int:
    """Bytes of the compact payload with ``n`` ids of 9 digits, written out by hand."""
    head = '{"bookmaker":"betpawa","captured_at":"2026-11-24T12:00:00Z","events":1,"history_rows":1,'
    ids = ",".join(["123456789"] * n)
    return len(f'{head}"sr_event_ids":[{ids}],"truncated":false}}'.encode())


def test_payload_keeps_the_ids_up_to_the_limit_and_postgres_takes_it(odds_conn):
    n = max(k for k in range(2000) if _full_json_bytes(k) <= NOTIFY_MAX_BYTES)
    assert NOTIFY_MAX_BYTES == 7999 and _full_json_bytes(n) >= 7990
    kept = notify_payload("betpawa", at(0), 1, 1, [123456789] * n)
    assert len(kept.encode()) == _full_json_bytes(n) and json.loads(kept)["truncated"] is False
    cut = json.loads(notify_payload("betpawa", at(0), 1, 1, [123456789] * (n + 1)))
    assert "sr_event_ids" not in cut and cut["truncated"] is True
    odds_conn.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, kept))  # 7990+ bytes: accepted
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="payload string too long"):
        odds_conn.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, kept + " " * (8000 - len(kept))))
