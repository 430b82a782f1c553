"""The analytics against planted truth: an hour of one-minute windows of a scenario simulator (planted
margins per book and market type, a lead book per market type with the other competitor 2 minutes and
BetPawa 5 minutes behind it on half the events, planted exposures of known start and end), written
through the write engine (``planted.py``), then the window analytics computed window by window in order
(as ``analytics_sensor`` runs them) and the daily reports for the day. The expected values are the
scenario's planted facts, never the product's code:

- exposure episodes against the planted ones: precision and recall >= 0.95, start and end within one
  cadence (60 s);
- who moves first: the planted lead book of every market type with enough paired moves, the median lag
  within one cadence of the planted lag, for the follower competitor and for BetPawa;
- the margin report equals the planted margin of every book × market type within 0.1 percentage point.

(The de-margin methods' known answers are ``test_fair.py``'s.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import psycopg
import pytest

from odds_assets.analytics.daily import REPORTS
from odds_assets.db import analytics_daily, analytics_window
from odds_assets.simulator import PlantedTruth, Simulator, SimulatorConfig
from odds_assets_tests.conftest import drop_database, make_database
from odds_assets_tests.test_analytics.planted import scenario_settings, write_planted_history

START = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
WINDOWS = 60
CADENCE = timedelta(minutes=1)
FOLLOWER_LAG, BETPAWA_LAG = 2, 5  # minutes behind the lead book
MIN_PAIRS = 5  # a market type's lead-lag is judged on at least this many paired moves
MIN_STATES = 10  # a margin-report row is judged on at least this many priced states


@dataclass(frozen=True)
class Planted:
    url: str
    truth: PlantedTruth


@pytest.fixture(scope="module")
def planted(pg_admin_url: str, odds_template_url: str) -> Iterator[Planted]:
    url = make_database(pg_admin_url, odds_template_url, prefix="odds_planted")
    try:
        scenario = scenario_settings(START, WINDOWS, arbitrages=6, follower_lag_minutes=FOLLOWER_LAG,
                                     betpawa_lag_minutes=BETPAWA_LAG, betpawa_lag_share=0.5)
        sim = Simulator(SimulatorConfig(seed=7, events=20, frozen_at=START.timestamp(), realistic=False,
                                        scenario=scenario))
        truth = write_planted_history(url, sim, start=START, windows=WINDOWS)
        with psycopg.connect(url, autocommit=True) as conn:
            for w in range(WINDOWS):  # in window order, as analytics_sensor runs them
                start = START + w * CADENCE
                state = analytics_window.window_state(conn, start, start + CADENCE)
                analytics_window.write_fair_prices(conn, start, start + CADENCE, state)
                analytics_window.update_exposure(conn, start, start + CADENCE, state)
            for report in REPORTS:
                analytics_daily.run_daily(conn, report, START.date(), cadence_s=int(CADENCE.total_seconds()))
        yield Planted(url, truth)
    finally:
        drop_database(pg_admin_url, url)


Key = tuple[int, int, Decimal | None, str]  # (sr_event_id, market_id, line, outcome)


def _merged(intervals: list[tuple[datetime, datetime | None]]) -> list[tuple[datetime, datetime | None]]:
    """Overlapping or touching intervals as one (an outcome both over the edge threshold and in an
    arbitrage is two episodes of two kinds: one exposure)."""
    out: list[list[datetime | None]] = []
    far = START + 10 * WINDOWS * CADENCE
    for start, end in sorted(intervals, key=lambda i: i[0]):
        if out and start <= (out[-1][1] or far):
            prev = out[-1][1]
            out[-1][1] = None if prev is None or end is None else max(prev, end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]  # type: ignore[misc]


def test_exposure_episodes_match_the_planted_ones(planted: Planted) -> None:
    """A planted episode raises BetPawa's price of one outcome: an ``edge`` episode of that outcome, and an
    ``arb`` episode of each outcome whose best price BetPawa then quotes (an arbitrage is the market's, so
    arb episodes are compared per market instance). Every detection must be one of the planted, every
    planted one detected, start and end within one cadence."""
    with psycopg.connect(planted.url) as conn:
        rows = conn.execute(
            "SELECT sr_event_id, market_id, odds_line_from_hundredths(line_hundredths), outcome, kind, started_at, "
            "ended_at FROM exposure_episodes").fetchall()
    found: dict[tuple[str, Key], list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for sr, market, line, outcome, kind, start, end in rows:
        found[(kind, (sr, market, line, outcome if kind == "edge" else "*"))].append((start, end))
    detected = [(key, s, e) for key, spans in found.items() for s, e in _merged(spans)]
    wanted = [(kind, (p.sr_event_id, p.market_id, p.line, p.outcome if kind == "edge" else "*"), p.start, p.end)
              for p in planted.truth.episodes for kind in ("edge", "arb")]
    assert len(planted.truth.episodes) >= 5, planted.truth.episodes

    def close(a: datetime | None, b: datetime) -> bool:
        return a is not None and abs(a - b) <= CADENCE

    matched = [(d, p) for d in detected for p in wanted
               if d[0] == (p[0], p[1]) and close(d[1], p[2]) and close(d[2], p[3])]
    precision = len({d for d, _ in matched}) / len(detected) if detected else 0.0
    recall = len({p for _, p in matched}) / len(wanted)
    missed = [p for p in wanted if p not in {q for _, q in matched}]
    spurious = [d for d in detected if d not in {q for q, _ in matched}]
    assert precision >= 0.95 and recall >= 0.95, (precision, recall, missed, spurious[:10])


def test_who_moves_first_recovers_the_lead_book_and_the_lags(planted: Planted) -> None:
    """Per market type, each pair of the lead book with another book that has at least MIN_PAIRS paired
    moves with a leader: the lead book moved first, and the median lag is the planted one within one
    cadence — the follower competitor's, or BetPawa's on the events where it lags (on the others it moves
    in the lead book's minute: ties, which the report counts apart and leaves out of the lag). A pair of
    two followers mixes both lags and has no planted answer."""
    with psycopg.connect(planted.url) as conn:
        rows = conn.execute(
            "SELECT book_a, book_b, market_id, a_first, b_first, leader, median_lag_s FROM lead_lag_v "
            "WHERE day = %s", (START.date(),)).fetchall()
    judged: dict[str, set[int]] = defaultdict(set)
    for book_a, book_b, market_id, a_first, b_first, leader, median_lag in rows:
        lead = planted.truth.lead.get(market_id)
        if lead not in (book_a, book_b) or a_first + b_first < MIN_PAIRS:
            continue
        other = book_b if book_a == lead else book_a
        lag = planted.truth.lag_minutes[market_id][other]
        assert leader == lead, (market_id, book_a, book_b, a_first, b_first, leader)
        assert median_lag is not None and abs(median_lag - lag * 60) <= CADENCE.total_seconds(), (
            market_id, other, median_lag, lag)
        judged[other].add(market_id)
    # both kinds of follower judged, on several market types
    assert len(judged["betpawa"]) >= 2 and len(judged["sportybet"] | judged["bet9ja"]) >= 2, (judged, rows)


def test_margin_report_equals_the_planted_margins(planted: Planted) -> None:
    """Every row of the report (book × competition × market type × time to kick-off) with at least
    MIN_STATES priced states: its median margin is the planted one within 0.1 point; a competitor's mean too
    (BetPawa's planted exposures lower its margin while they last, so its mean moves by design, not its
    median). A row of a few states is left out: one state's margin is the planted one up to the books'
    rounding to the cent (up to ~0.3 point on short odds)."""
    with psycopg.connect(planted.url) as conn:
        rows = conn.execute(
            "SELECT b.name, m.market_id, m.competition, m.bucket, m.with_margin, m.mean_margin, m.median_margin "
            "FROM analytics_margin_report m JOIN bookmakers b ON b.id = m.bookmaker "
            "WHERE m.day = %s AND m.with_margin >= %s", (START.date(), MIN_STATES)).fetchall()
    off = []
    for book, market_id, competition, bucket, n, mean, median in rows:
        want = planted.truth.margins[(book, market_id)]
        if abs(median - want) > 0.001 or (book != "betpawa" and abs(mean - want) > 0.001):
            off.append((book, market_id, competition, bucket, n, mean, median, want))
    assert not off, off
    assert len(rows) >= 30 and {r[0] for r in rows} == {"betpawa", "sportybet", "bet9ja"}
    assert len({r[1] for r in rows}) >= 3  # several market types
