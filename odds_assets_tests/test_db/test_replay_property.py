"""Property (hypothesis): for any sequence of snapshots, replaying the history rows in order reproduces
current exactly; applied in time order, current also equals a simple model of what the books showed."""

from __future__ import annotations

import os
from decimal import Decimal

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odds_assets.db.engine import apply_snapshot
from odds_assets.models import Market, Outcome
from odds_assets.snapshot import encode_outcomes
from odds_assets_tests.factories import event_odds, snap

KEYS = [(3743, None), (3774, Decimal("0")), (3774, Decimal("-0.5")), (5000, Decimal("2.5")), (4693, None)]
ODDS = [Decimal(x) for x in ("1.5", "1.9", "2.05", "3.4")]

outcome_st = st.tuples(st.sampled_from(ODDS), st.booleans(), st.booleans())  # odds, active, priced


@st.composite
def board(draw):
    """One snapshot: which events were scraped completely, and their markets."""
    events = {}
    for sr in draw(st.sets(st.sampled_from([1, 2, 3]), min_size=0, max_size=3)):
        keys = draw(st.sets(st.sampled_from(range(len(KEYS))), max_size=len(KEYS)))
        markets = []
        for k in sorted(keys):
            mid, line = KEYS[k]
            outs = []
            for name in ("a", "b"):
                odds, active, priced = draw(outcome_st)
                outs.append(Outcome(name, odds if (priced or active) else None, active))
            markets.append(Market(mid, line, tuple(outs)))
        events[sr] = markets
    return events


@pytest.fixture(scope="module")
def prop_conn(pg_admin_url, odds_template_url):
    from odds_assets_tests.conftest import drop_database, make_database

    url = make_database(pg_admin_url, odds_template_url, prefix="odds_prop")
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn
    drop_database(pg_admin_url, url)


def _reset(conn):
    conn.execute("TRUNCATE market_odds_current, market_odds_history, bookmaker_events, events, snapshots, "
                      "bookmaker_event_history")


def _current_state(conn):
    return {(r[0], r[1], r[2]): (r[3] if r[4] else None) for r in conn.execute(
        "SELECT sr_event_id, market_id, line, outcomes, unavailable_at IS NULL FROM market_odds_current")}


def _replayed_state(conn):
    state = {}
    for sr, mid, line, outcomes in conn.execute(
            "SELECT sr_event_id, market_id, odds_line_from_hundredths(line_hundredths), outcomes "
            "FROM market_odds_history ORDER BY captured_at"):
        state[(sr, mid, line)] = outcomes
    return state


def _apply(conn, minutes, events):
    return apply_snapshot(conn, snap(minutes, *[event_odds(sr, *ms) for sr, ms in sorted(events.items())]))


@settings(max_examples=int(os.environ.get("ODDS_HYPOTHESIS_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(board(), min_size=1, max_size=6))
def test_in_order_history_replays_to_current_and_matches_model(prop_conn: psycopg.Connection,
                                                               boards: list[dict[int, list[Market]]]) -> None:
    _reset(prop_conn)
    model: dict = {}
    for i, events in enumerate(boards):
        _apply(prop_conn, 5 * i, events)
        for sr, markets in events.items():
            present = {(sr, m.market_id, m.line): encode_outcomes(m.outcomes) for m in markets}
            for key in [k for k in model if k[0] == sr and k not in present]:
                model[key] = None
            model.update(present)
    assert _current_state(prop_conn) == model
    assert _replayed_state(prop_conn) == model
    # change-only: no two consecutive history rows of a key carry the same state
    prev: dict[tuple[int, int, int | None], str | None] = {}
    for sr, mid, line, outcomes in prop_conn.execute(
            "SELECT sr_event_id, market_id, line_hundredths, outcomes FROM market_odds_history "
            "ORDER BY captured_at"):
        key = (sr, mid, line)
        assert key not in prev or prev[key] != outcomes
        prev[key] = outcomes


@settings(max_examples=int(os.environ.get("ODDS_HYPOTHESIS_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 8), board()), min_size=1, max_size=7))
def test_any_order_history_replays_to_current(prop_conn, timed_boards):
    """Windows applied out of order (backfills) and repeated (re-runs) keep the invariant."""
    _reset(prop_conn)
    for minute_slot, events in timed_boards:
        _apply(prop_conn, 5 * minute_slot, events)
    assert _replayed_state(prop_conn) == _current_state(prop_conn)
