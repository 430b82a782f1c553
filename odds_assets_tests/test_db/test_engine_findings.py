"""One test per reviewer finding on the write engine. Expected values are written out from the
definition (the issue), never taken from product code:

- history as of t = the board of the latest complete scrape of each event at or before t; a market is
  gone from the next complete scrape of its event that lacks it; one row per change;
- current: latest state per key; first_seen_at = earliest observation; last_updated_at = time of the
  latest change; last_confirmed_at = latest complete scrape that listed it; metadata (events,
  bookmaker_events) from the latest scrape (events: names of the lowest book id listing the event);
- applying a snapshot for (book, captured_at) replaces that window's board; applying the identical
  snapshot again changes nothing at all (snapshots included);
- an invalid event is dropped and reported (bookmaker, event, field); it never fails the window;
- writers of different bookmakers never deadlock.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pandas as pd
import psycopg
import pytest

from odds_assets.db.engine import apply_snapshot
from odds_assets.models import Event, EventOdds, Market, Outcome
from odds_assets.snapshot import Snapshot, build_snapshot
from odds_assets_tests.factories import T0, at, event_odds, market, scalar, snap

X12 = market(3743, None, "2.40", "3.30", "3.00")          # stored as 1=2.4;X=3.3;2=3
X12_TEXT = "1=2.4;X=3.3;2=3"
X12_MOVED = market(3743, None, "2.50", "3.30", "2.90")    # 1=2.5;X=3.3;2=2.9
X12_MOVED_TEXT = "1=2.5;X=3.3;2=2.9"
AH0 = market(3774, "0", "1.90", "1.90")                   # 1=1.9;2=1.9
AH0_TEXT = "1=1.9;2=1.9"
OU25 = market(5000, "2.5", "1.95", "1.85")                # Over=1.95;Under=1.85
OU25_TEXT = "Over=1.95;Under=1.85"
KICKOFF = T0 + timedelta(days=1)
EVENT_COLUMNS = ["sr_event_id", "bookmaker_event_id", "home", "away", "kickoff", "competition", "country"]


# ---------------------------------------------------------------- readers (raw stored values)

def hist(conn, sr: int, market_id: int, line: str | None = None, book: int = 1) -> list[tuple]:
    """[(captured_at, outcomes text | None)] of one key, in time order."""
    return conn.execute(
        "SELECT captured_at, outcomes FROM market_odds_history WHERE bookmaker = %s AND sr_event_id = %s "
        "AND market_id = %s AND odds_line_from_hundredths(line_hundredths) IS NOT DISTINCT FROM %s::numeric "
        "ORDER BY captured_at", (book, sr, market_id, line)).fetchall()


def cur(conn, sr: int, market_id: int, line: str | None = None, book: int = 1) -> tuple | None:
    """(outcomes, available, first_seen_at, last_updated_at, unavailable_at, last_confirmed_at)."""
    return conn.execute(
        "SELECT c.outcomes, c.unavailable_at IS NULL, c.first_seen_at, c.last_updated_at, c.unavailable_at, "
        "v.last_confirmed_at FROM market_odds_current c JOIN bookmakers b ON b.id = c.bookmaker "
        "JOIN market_odds_current_v v ON v.sr_event_id = c.sr_event_id AND v.bookmaker = b.name "
        "AND v.market_id = c.market_id AND v.line IS NOT DISTINCT FROM c.line "
        "WHERE c.bookmaker = %s AND c.sr_event_id = %s AND c.market_id = %s "
        "AND c.line IS NOT DISTINCT FROM %s::numeric", (book, sr, market_id, line)).fetchone()


def book_event(conn, sr: int, book: int = 1) -> tuple | None:
    """(bookmaker_event_id, home, away, kickoff, competition, country, first_seen_at, last_seen_at)."""
    return conn.execute(
        "SELECT bookmaker_event_id, home, away, kickoff, competition, country, first_seen_at, last_seen_at "
        "FROM bookmaker_events WHERE bookmaker = %s AND sr_event_id = %s", (book, sr)).fetchone()


def event_row(conn, sr: int) -> tuple | None:
    """(home, away, kickoff, competition, country, source_bookmaker, first_seen_at)."""
    return conn.execute(
        "SELECT home, away, kickoff, competition, country, source_bookmaker, first_seen_at FROM events "
        "WHERE sr_event_id = %s", (sr,)).fetchone()


def consecutive_duplicates(conn) -> list[tuple]:
    """History rows whose key's previous row carries the same state (must be none)."""
    return conn.execute(
        "SELECT * FROM (SELECT bookmaker, sr_event_id, market_id, line_hundredths, captured_at, outcomes, "
        "lag(outcomes) OVER w AS prev, row_number() OVER w AS n FROM market_odds_history "
        "WINDOW w AS (PARTITION BY bookmaker, sr_event_id, market_id, line_hundredths ORDER BY captured_at)) x "
        "WHERE n > 1 AND prev IS NOT DISTINCT FROM outcomes").fetchall()


def snapshot_rows(conn) -> list[tuple]:
    return conn.execute("SELECT * FROM snapshots ORDER BY bookmaker, captured_at").fetchall()


def rejected(obj) -> set[tuple]:
    return {(e.bookmaker, e.sr_event_id, e.field) for e in obj.rejected}


def ev(sr: int, *markets: Market, book: str = "betpawa", beid: str | None = None, home: str | None = None,
       away: str | None = None, kickoff=KICKOFF, competition: str | None = "League",
       country: str | None = "Land") -> EventOdds:
    return EventOdds(Event(book, sr, beid or f"{book[:2]}{sr}", f"Home {sr}" if home is None else home,
                           f"Away {sr}" if away is None else away, kickoff, competition, country), tuple(markets))


def frames(minutes: float, events: list[tuple], markets: list[tuple], book: str = "betpawa") -> Snapshot:
    """The Parquet path: a Snapshot built directly from frames. events: (sr, home) or full rows."""
    rows = [e if len(e) == len(EVENT_COLUMNS) else
            (e[0], f"bp{e[0]}", e[1], f"Away {e[0]}", KICKOFF, "League", "Land") for e in events]
    e = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    e["sr_event_id"] = e["sr_event_id"].astype("int64")
    e["kickoff"] = pd.to_datetime(e["kickoff"], utc=True)
    m = pd.DataFrame({
        "sr_event_id": pd.array([r[0] for r in markets], dtype="int64"),
        "market_id": pd.array([r[1] for r in markets], dtype="int64"),
        "line": pd.Series([r[2] for r in markets], dtype=object),
        "outcomes": pd.Series([r[3] for r in markets], dtype=object),
    })
    return Snapshot(book, at(minutes), e, m)


# ---------------------------------------------------------------- 1) re-derivation after a mapping change

@pytest.mark.parametrize("order", [(0, 5, 10), (10, 5, 0), (5, 10, 0)], ids=["in_time_order", "latest_first",
                                                                            "mixed"])
def test_1_rederivation_after_mapping_improvement_restores_market(odds_conn, order):
    """12:00, 12:05, 12:10 applied without O/U 2.5 (not mapped yet); the mapping is fixed and the same
    three windows re-derived with it: O/U 2.5 was on the board since 12:00, unchanged."""
    for m in (0, 5, 10):
        apply_snapshot(odds_conn, snap(m, event_odds(1, X12)))
    assert hist(odds_conn, 1, 5000, "2.5") == []
    for m in order:
        apply_snapshot(odds_conn, snap(m, event_odds(1, X12, OU25)))
    assert hist(odds_conn, 1, 5000, "2.5") == [(at(0), OU25_TEXT)]
    # outcomes, available, first_seen, last_updated, unavailable_at, last_confirmed
    assert cur(odds_conn, 1, 5000, "2.5") == (OU25_TEXT, True, at(0), at(0), None, at(10))
    assert hist(odds_conn, 1, 3743) == [(at(0), X12_TEXT)]
    assert cur(odds_conn, 1, 3743) == (X12_TEXT, True, at(0), at(0), None, at(10))


def test_1_rederiving_only_the_latest_window_with_the_new_market_writes_it(odds_conn):
    for m in (0, 5, 10):
        apply_snapshot(odds_conn, snap(m, event_odds(1, X12)))
    apply_snapshot(odds_conn, snap(10, event_odds(1, X12, OU25)))
    assert hist(odds_conn, 1, 5000, "2.5") == [(at(10), OU25_TEXT)]
    assert cur(odds_conn, 1, 5000, "2.5") == (OU25_TEXT, True, at(10), at(10), None, at(10))
    assert hist(odds_conn, 1, 3743) == [(at(0), X12_TEXT)]


def test_1_rederivation_that_drops_a_market_removes_it(odds_conn):
    """The reverse mapping change: O/U 2.5 was mapped wrongly and is dropped from all three windows:
    it never was on the board."""
    for m in (0, 5, 10):
        apply_snapshot(odds_conn, snap(m, event_odds(1, X12, OU25)))
    for m in (0, 5, 10):
        apply_snapshot(odds_conn, snap(m, event_odds(1, X12)))
    assert hist(odds_conn, 1, 5000, "2.5") == []
    assert cur(odds_conn, 1, 5000, "2.5") is None


# ---------------------------------------------------------------- 2) a late window

def test_2_market_only_in_a_late_window_is_gone_at_the_next_complete_scrape_of_its_event(odds_conn):
    """Event 1 scraped completely at 12:00, 12:15, 12:20 (its 12:10 scrape failed: only event 2 at 12:10).
    The 12:05 window, applied late, lists AH 0 for event 1: gone at 12:15, the next complete scrape of
    event 1 after 12:05 — not at 12:10 (event 1 not scraped) nor 12:20 (its last scrape)."""
    apply_snapshot(odds_conn, snap(0, event_odds(1, X12)))
    apply_snapshot(odds_conn, snap(10, event_odds(2, X12)))
    apply_snapshot(odds_conn, snap(15, event_odds(1, X12)))
    apply_snapshot(odds_conn, snap(20, event_odds(1, X12)))
    apply_snapshot(odds_conn, snap(5, event_odds(1, X12, AH0)))
    assert hist(odds_conn, 1, 3774, "0") == [(at(5), AH0_TEXT), (at(15), None)]
    # outcomes (last seen), available, first_seen, last_updated, unavailable_at, last_confirmed (12:05)
    assert cur(odds_conn, 1, 3774, "0") == (AH0_TEXT, False, at(5), at(5), at(15), at(5))
    assert hist(odds_conn, 1, 3743) == [(at(0), X12_TEXT)]
    assert cur(odds_conn, 1, 3743) == (X12_TEXT, True, at(0), at(0), None, at(20))
    assert book_event(odds_conn, 1)[-2:] == (at(0), at(20))


# ---------------------------------------------------------------- 3) older snapshots and metadata

def test_3_older_snapshot_never_moves_events_or_bookmaker_events_backwards(odds_conn):
    k_old, k_new = KICKOFF, KICKOFF + timedelta(hours=2)
    # betpawa lists event 1: newest scrape first, then an older window applied late
    apply_snapshot(odds_conn, build_snapshot("betpawa", at(10), [
        ev(1, X12, beid="bp1-new", home="Home New", away="Away New", kickoff=k_new, competition="League New")]))
    apply_snapshot(odds_conn, build_snapshot("betpawa", at(5), [
        ev(1, X12, beid="bp1-old", home="Home Old", away="Away Old", kickoff=k_old, competition="League Old",
           country="Land Old")]))
    assert event_row(odds_conn, 1) == ("Home New", "Away New", k_new, "League New", "Land", 1, at(5))
    assert book_event(odds_conn, 1) == ("bp1-new", "Home New", "Away New", k_new, "League New", "Land",
                                        at(5), at(10))
    # only sportybet lists event 2: the same holds with sportybet as the source
    apply_snapshot(odds_conn, build_snapshot("sportybet", at(10), [
        ev(2, X12, book="sportybet", beid="sb2-new", home="SB New", kickoff=k_new)]))
    apply_snapshot(odds_conn, build_snapshot("sportybet", at(5), [
        ev(2, X12, book="sportybet", beid="sb2-old", home="SB Old", kickoff=k_old)]))
    assert event_row(odds_conn, 2) == ("SB New", "Away 2", k_new, "League", "Land", 2, at(5))
    assert book_event(odds_conn, 2, book=2) == ("sb2-new", "SB New", "Away 2", k_new, "League", "Land",
                                                at(5), at(10))
    # event 3: sportybet's newer scrape does not displace betpawa's (lowest book id) names
    apply_snapshot(odds_conn, build_snapshot("sportybet", at(10), [
        ev(3, X12, book="sportybet", home="SB Home", kickoff=k_new)]))
    apply_snapshot(odds_conn, build_snapshot("betpawa", at(5), [ev(3, X12, home="BP Home", kickoff=k_old)]))
    apply_snapshot(odds_conn, build_snapshot("sportybet", at(15), [
        ev(3, X12, book="sportybet", home="SB Home 2", kickoff=k_new)]))
    assert event_row(odds_conn, 3) == ("BP Home", "Away 3", k_old, "League", "Land", 1, at(5))
    assert book_event(odds_conn, 3, book=2)[1:3] == ("SB Home 2", "Away 3")
    assert book_event(odds_conn, 3, book=2)[-2:] == (at(10), at(15))


# ---------------------------------------------------------------- 4) backfills: change-only, first_seen

def test_4_backfills_keep_history_change_only_and_first_seen_earliest(odds_conn):
    A, A_TEXT, B, B_TEXT = X12, X12_TEXT, X12_MOVED, X12_MOVED_TEXT
    apply_snapshot(odds_conn, snap(10, event_odds(1, A)))
    apply_snapshot(odds_conn, snap(20, event_odds(1, A)))
    assert hist(odds_conn, 1, 3743) == [(at(10), A_TEXT)]

    # the same odds at 12:05: the market was already A then; the 12:10 row is no change any more
    apply_snapshot(odds_conn, snap(5, event_odds(1, A)))
    assert hist(odds_conn, 1, 3743) == [(at(5), A_TEXT)]
    assert cur(odds_conn, 1, 3743) == (A_TEXT, True, at(5), at(5), None, at(20))
    assert consecutive_duplicates(odds_conn) == []

    # other odds at 12:15, between two A scrapes: B at 12:15, back to A at 12:20
    apply_snapshot(odds_conn, snap(15, event_odds(1, B)))
    assert hist(odds_conn, 1, 3743) == [(at(5), A_TEXT), (at(15), B_TEXT), (at(20), A_TEXT)]
    assert cur(odds_conn, 1, 3743) == (A_TEXT, True, at(5), at(20), None, at(20))
    assert consecutive_duplicates(odds_conn) == []

    # A again at 12:00: the first observation moves to 12:00 and the 12:05 row is no change any more
    apply_snapshot(odds_conn, snap(0, event_odds(1, A)))
    assert hist(odds_conn, 1, 3743) == [(at(0), A_TEXT), (at(15), B_TEXT), (at(20), A_TEXT)]
    assert cur(odds_conn, 1, 3743) == (A_TEXT, True, at(0), at(20), None, at(20))
    assert consecutive_duplicates(odds_conn) == []


# ---------------------------------------------------------------- 5) invalid events

def test_5_invalid_events_are_dropped_and_reported_the_rest_is_written(odds_conn):
    apply_snapshot(odds_conn, snap(0, event_odds(2, X12), event_odds(3, X12)))
    s = build_snapshot("betpawa", at(5), [
        event_odds(1, X12),
        ev(2, X12_MOVED, home=""),                 # blank home name
        event_odds(3, X12_MOVED), event_odds(4, X12, AH0), event_odds(3, AH0),  # SportRadar id 3 twice
    ])
    assert rejected(s) == {("betpawa", 2, "home"), ("betpawa", 3, "sr_event_id")}
    r = apply_snapshot(odds_conn, s)
    assert (r.new, r.changed, r.gone, r.back) == (3, 0, 0, 0)
    # the valid events are written
    assert cur(odds_conn, 1, 3743) == (X12_TEXT, True, at(5), at(5), None, at(5))
    assert cur(odds_conn, 4, 3774, "0") == (AH0_TEXT, True, at(5), at(5), None, at(5))
    assert event_row(odds_conn, 4)[0] == "Home 4"
    # the dropped events were not scraped completely at 12:05: nothing of theirs moves
    for sr in (2, 3):
        assert cur(odds_conn, sr, 3743) == (X12_TEXT, True, at(0), at(0), None, at(0))
        assert hist(odds_conn, sr, 3743) == [(at(0), X12_TEXT)]
        assert cur(odds_conn, sr, 3774, "0") is None
        assert book_event(odds_conn, sr)[-2:] == (at(0), at(0))
    assert event_row(odds_conn, 2)[0] == "Home 2"


def test_5_invalid_events_on_the_frames_path_are_dropped_and_reported(odds_conn):
    s = frames(0, [(1, "Home 1"), (2, ""), (3, "Home 3"), (3, "Home 3 again")],
               [(1, 3743, None, X12_TEXT), (2, 3743, None, X12_TEXT), (3, 3743, None, X12_TEXT)])
    r = apply_snapshot(odds_conn, s)
    assert rejected(r) == {("betpawa", 2, "home"), ("betpawa", 3, "sr_event_id")}
    assert (r.new, r.history_rows) == (1, 1)
    assert cur(odds_conn, 1, 3743) == (X12_TEXT, True, at(0), at(0), None, at(0))
    assert cur(odds_conn, 2, 3743) is None and cur(odds_conn, 3, 3743) is None
    assert event_row(odds_conn, 2) is None and event_row(odds_conn, 3) is None
    assert book_event(odds_conn, 2) is None and book_event(odds_conn, 3) is None


# ---------------------------------------------------------------- 6) deadlocks

N_EVENTS = 2000
ROUNDS = 8


def _round_snapshot(book: str, rnd: int, ids: list[int]) -> Snapshot:
    """Round ``rnd`` of ``book``: every event's kick-off and names move and the odds change, so that each
    round writes current, history, events and bookmaker_events for all events."""
    kickoff = KICKOFF + timedelta(minutes=rnd)
    p = Decimal("1.5") + Decimal(rnd) / 100 + (Decimal("0.005") if book == "sportybet" else 0)
    evs = [EventOdds(Event(book, sr, f"{book[:2]}{sr}", f"Home {sr} r{rnd}", f"Away {sr}", kickoff, "League",
                           "Land"),
                     (Market(3743, None, (Outcome("1", p), Outcome("X", p + 1), Outcome("2", p + 2))),
                      Market(5000, Decimal("2.5"), (Outcome("Over", p), Outcome("Under", p + 1)))))
           for sr in ids]
    return build_snapshot(book, at(5 * rnd), evs)


def _deadlocks(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as c:
        c.execute("SELECT pg_stat_clear_snapshot()")
        return scalar(c, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")


def test_6_two_books_writing_the_same_events_in_opposite_orders_never_deadlock(odds_db_url: str) -> None:
    ids = list(range(1, N_EVENTS + 1))
    plan = {"betpawa": [_round_snapshot("betpawa", r, ids) for r in range(ROUNDS)],
            "sportybet": [_round_snapshot("sportybet", r, ids[::-1]) for r in range(ROUNDS)]}
    before = _deadlocks(odds_db_url)
    conns = {b: psycopg.connect(odds_db_url, autocommit=True) for b in plan}
    pids = [c.info.backend_pid for c in conns.values()]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer(book: str) -> None:
        for s in plan[book]:
            try:
                barrier.wait(timeout=120)
                apply_snapshot(conns[book], s)
            except psycopg.errors.DeadlockDetected as exc:
                errors.append(exc)
            except threading.BrokenBarrierError:
                return
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                barrier.abort()
                return

    threads = [threading.Thread(target=writer, args=(b,)) for b in plan]
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=600)
        assert not any(th.is_alive() for th in threads), "a writer hung"
    finally:
        for c in conns.values():
            c.close()
    # statistics are flushed when the writers' backends exit
    with psycopg.connect(odds_db_url, autocommit=True) as c:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and scalar(
                c, "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,)):
            time.sleep(0.1)
    after = _deadlocks(odds_db_url)
    deadlocked = [e for e in errors if isinstance(e, psycopg.errors.DeadlockDetected)]
    assert not [e for e in errors if e not in deadlocked], f"writers failed: {errors!r}"
    assert (len(deadlocked), after - before) == (0, 0), (
        f"{len(deadlocked)} DeadlockDetected raised; pg_stat_database.deadlocks went {before} -> {after}")
    # and the work was done: betpawa's last round names every event
    with psycopg.connect(odds_db_url, autocommit=True) as c:
        last = KICKOFF + timedelta(minutes=ROUNDS - 1)
        assert scalar(c, "SELECT count(*) FROM events WHERE kickoff = %s AND home LIKE %s AND source_bookmaker = 1",
                      (last, f"% r{ROUNDS - 1}")) == N_EVENTS
        assert scalar(c, "SELECT count(*) FROM snapshots") == 2 * ROUNDS


# ---------------------------------------------------------------- 7) snapshots row, frames path, counts

def test_7_reapplying_a_snapshot_leaves_its_snapshots_row_identical(odds_conn):
    s1 = snap(0, event_odds(1, X12, AH0), event_odds(2, X12))
    s2 = snap(5, event_odds(1, X12, AH0), event_odds(2, X12_MOVED))
    r1 = apply_snapshot(odds_conn, s1)
    r2 = apply_snapshot(odds_conn, s2)
    assert (r1.new, r1.changed, r1.unchanged, r1.gone, r1.back, r1.history_rows) == (3, 0, 0, 0, 0, 3)
    assert (r2.new, r2.changed, r2.unchanged, r2.gone, r2.back, r2.history_rows) == (0, 1, 2, 0, 0, 1)
    rows = snapshot_rows(odds_conn)
    assert len(rows) == 2
    time.sleep(0.05)  # a rewrite would show in applied_at
    for s in (s2, s1, s2):
        r = apply_snapshot(odds_conn, s)
        assert (r.new, r.changed, r.unchanged, r.gone, r.back, r.history_rows) == (0, 0, 3, 0, 0, 0)
        assert snapshot_rows(odds_conn) == rows


@pytest.mark.parametrize("stored", [False, True], ids=["nothing_stored", "line_0_stored"])
def test_7_frames_path_rejects_duplicate_outcome_names_and_negative_zero_line(odds_conn, stored):
    if stored:  # event 1 already holds AH line 0 with the same odds
        apply_snapshot(odds_conn, snap(0, event_odds(1, AH0)))
    s = frames(5, [(1, "Home 1"), (2, "Home 2"), (3, "Home 3")], [
        (1, 3774, "-0", AH0_TEXT),                   # -0 is not a canonical line
        (2, 3743, None, "1=2;1=3;X=4"),              # outcome 1 twice
        (3, 3743, None, X12_TEXT),
    ])
    r = apply_snapshot(odds_conn, s)
    assert rejected(r) == {("betpawa", 1, "line"), ("betpawa", 2, "outcomes")}
    assert cur(odds_conn, 3, 3743) == (X12_TEXT, True, at(5), at(5), None, at(5))
    assert cur(odds_conn, 2, 3743) is None and event_row(odds_conn, 2) is None
    assert hist(odds_conn, 2, 3743) == []
    if stored:  # event 1 was not scraped (validly) at 12:05: it stays as of 12:00
        assert cur(odds_conn, 1, 3774, "0") == (AH0_TEXT, True, at(0), at(0), None, at(0))
        assert book_event(odds_conn, 1)[-2:] == (at(0), at(0))
    else:
        assert cur(odds_conn, 1, 3774, "0") is None and book_event(odds_conn, 1) is None


@pytest.mark.parametrize("stored", [False, True], ids=["nothing_stored", "line_0.5_stored"])
def test_7_non_canonical_line_is_rejected_whatever_is_stored(odds_conn, stored):
    ah = market(3774, "0.5", "1.80", "2.00")
    if stored:  # the same market, same odds, already stored with the canonical line 0.5
        apply_snapshot(odds_conn, snap(0, event_odds(1, ah)))
    s = frames(5, [(1, "Home 1"), (2, "Home 2")], [(1, 3774, "0.50", "1=1.8;2=2"), (2, 3743, None, X12_TEXT)])
    r = apply_snapshot(odds_conn, s)
    assert rejected(r) == {("betpawa", 1, "line")}
    assert cur(odds_conn, 2, 3743) == (X12_TEXT, True, at(5), at(5), None, at(5))
    if stored:
        assert cur(odds_conn, 1, 3774, "0.5") == ("1=1.8;2=2", True, at(0), at(0), None, at(0))
        assert book_event(odds_conn, 1)[-2:] == (at(0), at(0))
    else:
        assert cur(odds_conn, 1, 3774, "0.5") is None and book_event(odds_conn, 1) is None
    assert odds_conn.execute("SELECT count(*) FROM market_odds_current WHERE line::text <> trim_scale(line)::text"
                             ).fetchone()[0] == 0


def test_7_write_result_counts_markets_of_unchanged_and_rejected_events(odds_conn):
    apply_snapshot(odds_conn, snap(0, event_odds(1, X12, AH0), event_odds(2, X12), event_odds(3, OU25)))
    # event 1 unchanged, event 2 changed, event 3 gone entirely from its board, event 4 new, event 5 invalid
    s = build_snapshot("betpawa", at(5), [event_odds(1, X12, AH0), event_odds(2, X12_MOVED), event_odds(3),
                                          event_odds(4, X12), ev(5, X12, home="")])
    r = apply_snapshot(odds_conn, s)
    assert (r.new, r.changed, r.unchanged, r.gone, r.back, r.history_rows) == (1, 1, 2, 1, 0, 3)
    r = apply_snapshot(odds_conn, s)
    assert (r.new, r.changed, r.unchanged, r.gone, r.back, r.history_rows) == (0, 0, 4, 0, 0, 0)
