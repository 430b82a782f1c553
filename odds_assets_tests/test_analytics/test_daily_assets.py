"""The daily reports (``opening_closing``, ``margin_report``, ``lead_lag``, ``coverage_gaps``) on a hand-built
day written through the write engine, against answers computed here from the boards themselves (the
test's own model of "observed state", margins by hand from the odds, listings as sets), not by the
product's code; plus an idempotent re-run and one in-process materialisation of the four with checks.

The day D = 2026-11-24, windows every 5 minutes from 12:00 to 12:55 (and one at 23:50 the day before).
Event 101 kicks off at 13:00 (the only one owned by D); SportyBet moves its 1X2 at 12:10, BetPawa
follows at 12:25 (a planted lead of 15 minutes), Bet9ja flickers (12:15 there and 12:20 back: no move)
and stops listing 101 after 12:30 (its closing prices are then 30 minutes old: low confidence).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import dagster as dg
import psycopg
import pytest

from odds_assets.db.analytics_daily import run_daily
from odds_assets.db.engine import apply_snapshot
from odds_assets.defs import build_definitions
from odds_assets.defs.analytics.daily import build_daily_analytics
from odds_assets.defs.common.resources import OddsDatabaseResource
from odds_assets.models import BOOKMAKER_IDS, BOOKMAKERS, Event, EventOdds, Market, Outcome
from odds_assets.settings import PipelineSettings
from odds_assets.snapshot import build_snapshot
from odds_assets_tests.conftest import drop_database, make_database

UTC = timezone.utc
DAY = date(2026, 11, 24)
D0 = datetime(2026, 11, 24, tzinfo=UTC)
CADENCE_S = 300


def at(h: int, m: int, days: int = 0) -> datetime:
    return D0 + timedelta(days=days, hours=h, minutes=m)


#: sr -> (kick-off, competition)
EVENTS = {101: (at(13, 0), "League A"), 102: (at(12, 0, 8), "League A"), 103: (at(12, 0, 4), "League B"),
          104: (at(12, 0, 2), "League B"), 105: (at(6, 0, 1), "League B")}
LISTED = {"betpawa": {101, 102, 103}, "sportybet": {101, 102, 105}, "bet9ja": {101, 104}}
ONE_X_TWO, TOTALS = (3743, None), (5000, "2.5")
NAMES = {3743: ("1", "X", "2"), 5000: ("Over", "Under")}
BASE = {"betpawa": ("2.00", "3.50", "4.00"), "sportybet": ("2.05", "3.40", "3.90"), "bet9ja": ("1.95", "3.60", "4.10")}
MOVED = ("1.60", "4.00", "5.50")
WINDOWS = [at(12, m) for m in range(0, 60, 5)]
BEFORE = at(23, 50, -1)  # betpawa and sportybet already listed 102 the day before

Quote = tuple[tuple[str, str | None, bool], ...]  # (name, odds, active) per outcome
Board = dict[int, dict[tuple[int, str | None], Quote]]


def quote(market_id: int, *odds: str | None, inactive: tuple[str, ...] = ()) -> Quote:
    return tuple((n, o, n not in inactive) for n, o in zip(NAMES[market_id], odds))


def board(book: str, t: datetime) -> Board:
    """What ``book`` shows at ``t``: the scenario of the module docstring."""
    out: Board = {}
    events = {102} & LISTED[book] if t < D0 else set(LISTED[book])
    if book == "bet9ja" and t > at(12, 30):
        events.discard(101)
    for sr in sorted(events):
        one = BASE[book]
        if sr == 101 and ((book == "sportybet" and t >= at(12, 10)) or (book == "betpawa" and t >= at(12, 25))
                          or (book == "bet9ja" and t == at(12, 15))):
            one = MOVED
        markets = {ONE_X_TWO: quote(3743, *one), TOTALS: quote(5000, "1.90", "1.90")}
        if sr == 101 and book == "betpawa" and t == at(12, 40):
            markets[TOTALS] = quote(5000, "1.80", "2.00", inactive=("Over",))
        elif sr == 101 and book == "betpawa" and t >= at(12, 45):
            markets[TOTALS] = quote(5000, "1.85", "1.95")
        if sr == 101 and book == "sportybet":
            markets[(5000, "3.5")] = quote(5000, "2.50", "1.50")
        out[sr] = markets
    return out


def scrapes(book: str) -> list[datetime]:
    return ([BEFORE] if book != "bet9ja" else []) + WINDOWS


def snapshot_of(book: str, t: datetime) -> Any:
    events = []
    for sr, markets in board(book, t).items():
        kickoff, competition = EVENTS[sr]
        ev = Event(bookmaker=book, sr_event_id=sr, bookmaker_event_id=f"{book[:2]}{sr}", home=f"Home {sr}",
                   away=f"Away {sr}", kickoff=kickoff, competition=competition, country="Land")
        events.append(EventOdds(ev, tuple(
            Market(mid, None if line is None else Decimal(line),
                   tuple(Outcome(n, None if o is None else Decimal(o), a) for n, o, a in q))
            for (mid, line), q in markets.items())))
    return build_snapshot(book, t, events)


@pytest.fixture(scope="module")
def day_db(pg_admin_url: str, odds_template_url: str) -> Iterator[str]:
    """One database with the day written, for the whole module (each test writes the reports it reads, and
    every report replaces its day)."""
    url = make_database(pg_admin_url, odds_template_url)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            for book in BOOKMAKERS:
                for t in scrapes(book):
                    apply_snapshot(conn, snapshot_of(book, t))
        yield url
    finally:
        drop_database(pg_admin_url, url)


# -- the test's own model --------------------------------------------------------------------------------

def observed_states(book: str) -> list[tuple[int, tuple[int, str | None], datetime, Quote]]:
    """(sr, key, observed at, quote): each state of an instance seen on D once (a new quote at a scrape on
    D, or the quote carried in from before D, seen at the event's first scrape on D)."""
    out = []
    last: dict[tuple[int, tuple[int, str | None]], Quote] = {}
    seen_on_day: set[tuple[int, tuple[int, str | None]]] = set()
    for t in scrapes(book):
        for sr, markets in board(book, t).items():
            for key, q in markets.items():
                k = (sr, key)
                new = last.get(k) != q
                if t >= D0 and (new or k not in seen_on_day):
                    out.append((sr, key, t, q))
                if t >= D0:
                    seen_on_day.add(k)
                last[k] = q
    return out


def margin(q: Quote) -> float | None:
    if not all(a and o is not None for _, o, a in q):
        return None
    return float(sum(Decimal(1) / Decimal(o) for _, o, _ in q if o is not None) - 1)


def bucket(kickoff: datetime, t: datetime) -> str:
    d = kickoff - t
    return "7d+" if d >= timedelta(days=7) else "3-7d" if d >= timedelta(days=3) else \
        "24-72h" if d >= timedelta(hours=24) else "<24h"


def rows(conn: psycopg.Connection, query: str) -> list[tuple[Any, ...]]:
    return conn.execute(query, {"day": DAY}).fetchall()


# -- the reports -------------------------------------------------------------------------------------------

def test_margin_report_equals_the_margins_of_every_state_observed(day_db: str) -> None:
    expected: dict[tuple[str, str, int, str], list[float | None]] = defaultdict(list)
    for book in BOOKMAKERS:
        for sr, (mid, _), t, q in observed_states(book):
            kickoff, competition = EVENTS[sr]
            expected[(book, competition, mid, bucket(kickoff, t))].append(margin(q))
    with psycopg.connect(day_db, autocommit=True) as conn:
        result = run_daily(conn, "margin_report", DAY, cadence_s=CADENCE_S)
        got = {(b, c, m, k): (n, w, mean, median) for b, c, m, k, n, w, mean, median in rows(
            conn, "SELECT b.name, competition, market_id, bucket, observations, with_margin, mean_margin, "
                  "median_margin FROM analytics_margin_report m JOIN bookmakers b ON b.id = m.bookmaker "
                  "WHERE day = %(day)s")}
    assert set(got) == set(expected)
    assert {k[3] for k in got} == {"7d+", "3-7d", "24-72h", "<24h"}
    for key, margins in expected.items():
        priced = [m for m in margins if m is not None]
        n, w, mean, median = got[key]
        assert (n, w) == (len(margins), len(priced)), key
        assert mean == pytest.approx(statistics.fmean(priced), abs=1e-12), key
        assert median == pytest.approx(statistics.median(priced), abs=1e-12), key
    # the carried-in states of 102 (unchanged since the day before) count once, seen at 12:00
    assert got[("betpawa", "League A", 3743, "7d+")][0] == 1
    assert result.books_covered == result.books_expected == tuple(BOOKMAKERS)


def test_opening_and_closing_prices_with_their_age_at_kickoff(day_db: str) -> None:
    kickoff = EVENTS[101][0]
    expected = {}
    for book in BOOKMAKERS:
        history: dict[tuple[tuple[int, str | None], str], list[tuple[datetime, str, datetime]]] = defaultdict(list)
        began: dict[tuple[int, str | None], datetime] = {}
        last: dict[tuple[int, str | None], Quote] = {}
        for t in scrapes(book):
            for key, q in board(book, t).get(101, {}).items():
                if t < kickoff:
                    if last.get(key) != q:
                        began[key] = t
                    last[key] = q
                    for name, odds, active in q:
                        if active and odds is not None:
                            history[(key, name)].append((t, odds, began[key]))
        for ((mid, line), name), seen in history.items():
            (_, opening, opened), (seen_at, closing, closed) = seen[0], seen[-1]
            age = (kickoff - seen_at).total_seconds()
            lh = -32768 if line is None else int(Decimal(line) * 100)
            expected[(BOOKMAKER_IDS[book], mid, lh, name)] = (
                Decimal(opening), opened, Decimal(closing), closed, seen_at, age, age > 2 * CADENCE_S)
    with psycopg.connect(day_db, autocommit=True) as conn:
        result = run_daily(conn, "opening_closing", DAY, cadence_s=CADENCE_S)
        got = {(b, m, lh, o): tuple(rest) for b, m, lh, o, *rest in rows(
            conn, "SELECT bookmaker, market_id, line_hundredths, outcome, opening_odds, opening_at, closing_odds, "
                  "closing_at, closing_seen_at, closing_age_s, low_confidence FROM analytics_opening_closing "
                  "WHERE day = %(day)s AND sr_event_id = 101")}
        assert rows(conn, "SELECT DISTINCT sr_event_id FROM analytics_opening_closing") == [(101,)]
    assert got == expected
    bp = got[(1, 3743, -32768, "1")]
    assert bp[:5] == (Decimal("2.00"), at(12, 0), Decimal("1.60"), at(12, 25), at(12, 55))
    assert got[(1, 5000, 250, "Over")][2:4] == (Decimal("1.85"), at(12, 45))  # the last bettable price
    assert got[(3, 3743, -32768, "1")][4:] == (at(12, 30), 1800.0, True)  # Bet9ja stopped at 12:30
    assert result.figures["closing_prices"] == 17 and result.figures["low_confidence"] == 5
    assert result.books_covered == result.books_expected == tuple(BOOKMAKERS)


def test_lead_lag_recovers_the_planted_leader_and_lag(day_db: str) -> None:
    with psycopg.connect(day_db, autocommit=True) as conn:
        result = run_daily(conn, "lead_lag", DAY, cadence_s=CADENCE_S)
        got = rows(conn, "SELECT book_a, book_b, market_id, pairs, a_first, b_first, ties, events, median_lag_s, "
                         "median_lag_a_first_s, median_lag_b_first_s FROM analytics_lead_lag WHERE day = %(day)s "
                         "ORDER BY 1, 2, 3")
        leader = rows(conn, "SELECT leader FROM lead_lag_v WHERE day = %(day)s AND book_a = 'betpawa' "
                            "AND book_b = 'sportybet'")
    # three outcomes each moved well over 1 pp; SportyBet 15 minutes ahead; Bet9ja's flicker is no move
    assert got == [(1, 2, 3743, 3, 0, 3, 0, 1, 900.0, None, 900.0),
                   (1, 3, 3743, 0, 0, 0, 0, 0, None, None, None),
                   (2, 3, 3743, 0, 0, 0, 0, 0, None, None, None)]
    assert leader == [("sportybet",)]
    assert result.figures["moves"] == 6  # three at SportyBet, three at BetPawa
    assert result.books_covered == ("betpawa", "sportybet", "bet9ja")


def test_coverage_gaps_both_ways(day_db: str) -> None:
    ref = LISTED["betpawa"]
    expected_details: set[tuple[str, int, str, int, int | None, int | None]] = set()
    for book in ("sportybet", "bet9ja"):
        for sr in LISTED[book] - ref:
            expected_details.add((EVENTS[sr][1], BOOKMAKER_IDS[book], "event_not_at_betpawa", sr, None, None))
        for sr in ref - LISTED[book]:
            expected_details.add((EVENTS[sr][1], BOOKMAKER_IDS[book], "event_not_at_competitor", sr, None, None))
        for sr in ref & LISTED[book]:
            theirs = {k for t in WINDOWS for k in board(book, t).get(sr, {})}
            ours = {k for t in WINDOWS for k in board("betpawa", t).get(sr, {})}
            for mid, line in theirs - ours:
                expected_details.add((EVENTS[sr][1], BOOKMAKER_IDS[book], "market_not_at_betpawa", sr, mid,
                                      -32768 if line is None else int(Decimal(line) * 100)))
    with psycopg.connect(day_db, autocommit=True) as conn:
        result = run_daily(conn, "coverage_gaps", DAY, cadence_s=CADENCE_S)
        details = set(rows(conn, "SELECT competition, bookmaker, kind, sr_event_id, market_id, line_hundredths "
                                 "FROM analytics_coverage_gap_details WHERE day = %(day)s"))
        summary = {(c, b): tuple(r) for c, b, *r in rows(
            conn, "SELECT competition, competitor, betpawa_events, competitor_events, shared_events, "
                  "events_not_at_betpawa, events_not_at_competitor, markets_not_at_betpawa FROM coverage_gaps_v "
                  "WHERE day = %(day)s")}
    assert details == expected_details
    assert (("League B", 2, "event_not_at_betpawa", 105, None, None) in details
            and ("League B", 3, "event_not_at_competitor", 103, None, None) in details
            and ("League A", 2, "market_not_at_betpawa", 101, 5000, 350) in details)
    for (competition, book), counts in summary.items():
        in_comp = {sr for sr, (_, c) in EVENTS.items() if c == competition}
        ours_ev, theirs_ev = ref & in_comp, LISTED[book] & in_comp
        markets = sum(1 for d in expected_details
                      if d[:3] == (competition, BOOKMAKER_IDS[book], "market_not_at_betpawa"))
        assert counts == (len(ours_ev), len(theirs_ev), len(ours_ev & theirs_ev), len(theirs_ev - ours_ev),
                          len(ours_ev - theirs_ev), markets), (competition, book)
    assert set(summary) == {(c, b) for c in ("League A", "League B") for b in ("sportybet", "bet9ja")}
    assert result.books_covered == result.books_expected == tuple(BOOKMAKERS)


def test_a_rerun_replaces_the_day_and_changes_nothing(day_db: str) -> None:
    tables = ("analytics_opening_closing", "analytics_margin_report", "analytics_lead_lag", "analytics_coverage_gaps",
              "analytics_coverage_gap_details")
    with psycopg.connect(day_db, autocommit=True) as conn:
        dumps = []
        for _ in range(2):
            for report in ("opening_closing", "margin_report", "lead_lag", "coverage_gaps"):
                run_daily(conn, report, DAY, cadence_s=CADENCE_S)
            dumps.append({t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}").fetchall())) for t in tables})
        assert dumps[0] == dumps[1] and all(dumps[0].values())
        # the day before (102 at two books at 23:50) is a report of its own and leaves D alone
        run_daily(conn, "margin_report", DAY - timedelta(days=1), cadence_s=CADENCE_S)
        assert sorted(map(repr, conn.execute("SELECT * FROM analytics_margin_report WHERE day = %s",
                                             (DAY,)).fetchall())) == dumps[0]["analytics_margin_report"]
        assert conn.execute("SELECT count(*), sum(observations) FROM analytics_margin_report WHERE day = %s",
                            (DAY - timedelta(days=1),)).fetchone() == (4, 4)
        # the web board's read-only role may read the views
        conn.execute("SET ROLE odds_web")
        assert conn.execute("SELECT count(*) FROM margin_report_v").fetchone()[0] > 0  # type: ignore[index]
        conn.execute("RESET ROLE")


def test_the_four_assets_materialise_with_their_checks(day_db: str) -> None:
    settings = PipelineSettings(cadence_minutes=5)
    defs = build_daily_analytics(settings, now=at(1, 0, 1))
    assets = [a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition)]
    with dg.instance_for_test() as instance:
        result = dg.materialize([*assets, *(defs.asset_checks or [])], partition_key=DAY.isoformat(),
                                instance=instance, resources={"odds_db": OddsDatabaseResource(url=day_db)})
        assert result.success
        mats = {str(e.asset_key.to_user_string() if e.asset_key else ""): e.step_materialization_data.materialization
                for e in result.get_asset_materialization_events()}
        assert set(mats) == {"opening_closing", "margin_report", "lead_lag", "coverage_gaps"}
        checks = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    assert mats["lead_lag"].metadata["pairs"].value == 3
    assert "sportybet" in str(mats["lead_lag"].metadata["summary"].value)
    assert len(checks) == 7
    failed = {k for k, e in checks.items() if not e.passed}
    # Bet9ja's closing prices are 30 minutes old: 12 of 17 fresh, under 90 %: a WARN, the rest pass
    assert failed == {("opening_closing", "closing_fresh")}
    assert checks[("opening_closing", "closing_fresh")].severity == dg.AssetCheckSeverity.WARN

def test_a_day_depends_on_every_books_windows_of_that_day() -> None:
    from dagster._core.definitions.partitions.context import partition_loading_context

    now = at(1, 0, 1)
    graph = build_definitions(PipelineSettings(cadence_minutes=5), now=now).resolve_asset_graph()
    child, parent = dg.AssetKey("margin_report"), dg.AssetKey("current_odds")
    assert graph.get(child).parent_keys == {parent}
    days, windows = graph.get(child).partitions_def, graph.get(parent).partitions_def
    assert days is not None and windows is not None
    with partition_loading_context(now):
        mapped = graph.get_partition_mapping(child, parent).get_upstream_mapped_partitions_result_for_partitions(
            days.subset_with_partition_keys([DAY.isoformat()]), days, windows)
        keys = sorted(mapped.partitions_subset.get_partition_keys())
        assert days.get_last_partition_key() == DAY.isoformat()  # only closed days
    assert len(keys) == 3 * 288 and keys[0] == "bet9ja|2026-11-24-00:00" and keys[-1] == "sportybet|2026-11-24-23:55"


def test_the_schedule_asks_for_the_day_that_closed() -> None:
    defs = build_definitions(PipelineSettings(cadence_minutes=5), now=at(1, 0, 1))
    schedule = defs.get_schedule_def("daily_analytics_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING and schedule.cron_schedule == "30 0 * * *"
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=at(0, 30, 1))
        data = schedule.evaluate_tick(context)
    assert [r.partition_key for r in data.run_requests or []] == [DAY.isoformat()]
