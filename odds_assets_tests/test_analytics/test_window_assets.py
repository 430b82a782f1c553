"""Window-level analytics (``odds_assets.db.analytics_window``; the Dagster assets ``fair_prices`` and
``exposure``) against windows written with the write engine.

Oracles are independent of the product: the power method is solved here by bisection, edges and best
implied are computed by hand from the odds, and the expected episodes are read off the scripted price
sequence."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import psycopg
import pytest

from odds_assets.db import analytics_window as aw
from odds_assets.db.engine import apply_snapshot
from odds_assets_tests.factories import at, event_odds, market, snap

CADENCE = 5
BOOKS = ("betpawa", "sportybet", "bet9ja")


def power_reference(odds: list[str]) -> list[float]:
    """Fair probabilities by the power method, solved here by bisection on k (sum r_i^k = 1)."""
    r = [1 / float(o) for o in odds]
    lo, hi = 0.5, 5.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if sum(x ** mid for x in r) > 1:
            lo = mid
        else:
            hi = mid
    return [x ** lo for x in r]


def write(conn: psycopg.Connection, minute: int, boards: dict[str, dict[int, tuple[str, ...]]]) -> None:
    """One window: each book's board (event -> 1X2 odds), scraped at ``minute`` + 1."""
    for book, events in boards.items():
        apply_snapshot(conn, snap(minute + 1, *(event_odds(sr, market(3743, None, *odds), bookmaker=book)
                                                for sr, odds in events.items()), bookmaker=book))


def run(conn: psycopg.Connection, minute: int, edge: float = 0.03) -> tuple[aw.FairResult, aw.ExposureResult]:
    start, end = at(minute), at(minute + CADENCE)
    state = aw.window_state(conn, start, end)
    fair = aw.write_fair_prices(conn, start, end, state)
    return fair, aw.update_exposure(conn, start, end, state, edge)


def episodes(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        "SELECT sr_event_id, outcome, kind, started_at, ended_at, peak_edge, peak_betpawa_odds, first_mover, "
        "correction_s FROM exposure_episodes ORDER BY 1, 2, 3, 4").fetchall()


def dump(conn: psycopg.Connection) -> dict[str, list]:
    out = {}
    for table in ("fair_prices_current", "fair_prices_history", "exposure_episodes"):
        out[table] = sorted(map(repr, conn.execute(f"SELECT * FROM {table}").fetchall()))
    out["ledger"] = sorted(map(repr, conn.execute(
        "SELECT asset, window_start, window_end, figures FROM analytics_windows").fetchall()))
    return out


FAIR = ("2.10", "3.40", "3.60")


def test_fair_price_and_edge_known_answer(odds_conn: psycopg.Connection) -> None:
    write(odds_conn, 0, {"betpawa": {1: ("2.30", "3.30", "3.20")}, "sportybet": {1: FAIR},
                         "bet9ja": {1: ("2.00", "3.50", "3.80")}})
    fair, _ = run(odds_conn, 0)
    a, b = power_reference(list(FAIR)), power_reference(["2.00", "3.50", "3.80"])
    expected = {n: (x + y) / 2 for n, x, y in zip(("1", "X", "2"), a, b)}
    rows = odds_conn.execute("SELECT outcome, betpawa_odds, fair_probability, fair_odds, edge, competitors, method "
                             "FROM fair_prices_current ORDER BY outcome").fetchall()
    assert len(rows) == 3
    for outcome, bp, p, fo, e, comp, method in rows:
        assert p == pytest.approx(expected[outcome], abs=1e-9)
        assert fo == pytest.approx(1 / expected[outcome], rel=1e-9)
        assert e == pytest.approx(float(bp) * expected[outcome] - 1, abs=1e-9)
        assert (comp, method) == ("sportybet,bet9ja", "power")
    assert fair.figures["priced_instances"] == 1
    # the notes' known answer for 2.10/3.40/3.60 (power): the reference solver agrees
    assert a == pytest.approx([0.460174, 0.277980, 0.261846], abs=1e-6)


OPEN = ("2.00", "3.20", "3.40")        # BetPawa, fairly priced against FAIR (every edge negative)
SHORT = ("1.60", "4.20", "5.50")       # the competitors shorten the home win
CORRECTED = ("1.55", "4.30", "5.80")   # BetPawa follows
#: (minute, boards written in that window): event 1 drifts into exposure and back; event 2 is an arbitrage
SCRIPT: list[tuple[int, dict[str, dict[int, tuple[str, ...]]]]] = [
    (0, {"betpawa": {1: OPEN, 2: ("2.60", "3.20", "3.20")}, "sportybet": {1: FAIR, 2: ("2.40", "3.60", "3.60")},
         "bet9ja": {1: FAIR, 2: ("2.40", "3.30", "4.00")}}),
    (5, {"sportybet": {1: SHORT, 2: ("2.40", "3.60", "3.60")}}),
    (10, {"bet9ja": {1: SHORT, 2: ("2.40", "3.30", "4.00")}}),
    (15, {"betpawa": {1: CORRECTED, 2: ("2.30", "3.20", "3.20")}}),
]


def edge_of(bp: str, competitors: list[tuple[str, ...]], i: int) -> float:
    p = sum(power_reference(list(c))[i] for c in competitors) / len(competitors)
    return float(bp) * p - 1


def play(conn: psycopg.Connection, analyse: bool = True) -> dict[int, pd.DataFrame]:
    states = {}
    for minute, boards in SCRIPT:
        write(conn, minute, boards)
        if analyse:
            states[minute] = aw.window_state(conn, at(minute), at(minute + CADENCE))
            run(conn, minute)
    return states


def test_exposure_episodes_across_windows(odds_conn: psycopg.Connection) -> None:
    play(odds_conn)
    got = episodes(odds_conn)
    t = at
    e5 = edge_of("2.00", [SHORT, FAIR], 0)
    e10 = edge_of("2.00", [SHORT, SHORT], 0)
    assert e5 > 0.03 and e10 > e5 and edge_of("2.00", [FAIR, FAIR], 0) < 0.03
    # event 1, home win: opens when SportyBet moves (minute 5), peaks when Bet9ja follows (10), closes when
    # BetPawa corrects (15); BetPawa took from SportyBet's move (scraped at minute 6) to its own (16)
    ev1 = [g for g in got if g[0] == 1 and g[2] == "edge"]
    assert len(ev1) == 1
    sr, outcome, kind, start, end, peak, peak_bp, mover, correction = ev1[0]
    assert (outcome, kind, start, end, peak_bp, mover) == ("1", "edge", t(5), t(15), Decimal("2"), "sportybet")
    assert peak == pytest.approx(e10, abs=1e-9)
    assert correction == pytest.approx(600.0)
    # once both competitors moved, BetPawa's 2.00 is the best home price and with their 4.20 and 5.50 the
    # best prices imply < 100 %: an arbitrage against BetPawa too (at minute 5 Bet9ja's 2.10 was the best
    # home price: the best prices were an arbitrage, but not against BetPawa)
    assert 1 / 2.00 + 1 / 4.20 + 1 / 5.50 < 1
    assert [(g[1], g[3], g[4]) for g in got if g[0] == 1 and g[2] == "arb"] == [("1", t(10), t(15))]
    # event 2: the best prices 2.60 (BetPawa) / 3.60 (SportyBet) / 4.00 (Bet9ja) imply < 100 % from minute 0
    implied = 1 / 2.60 + 1 / 3.60 + 1 / 4.00
    assert implied < 1
    arb = [g for g in got if g[0] == 2 and g[2] == "arb"]
    assert [(g[1], g[3], g[4]) for g in arb] == [("1", t(0), t(15))]
    peak_implied = odds_conn.execute("SELECT peak_market_implied FROM exposure_episodes WHERE sr_event_id = 2 "
                                     "AND kind = 'arb'").fetchone()
    assert peak_implied is not None and peak_implied[0] == pytest.approx(implied, abs=1e-12)
    # no closed episode ends before it starts; the open view is empty at the end
    assert odds_conn.execute("SELECT count(*) FROM exposure_episodes WHERE ended_at <= started_at").fetchone() == (0,)
    assert odds_conn.execute("SELECT count(*) FROM exposure_open_v").fetchone() == (0,)
    assert odds_conn.execute("SELECT count(*) FROM fair_prices_v WHERE sr_event_id = 1").fetchone() == (3,)


def test_rerun_is_idempotent_and_a_backfill_equals_the_live_run(odds_conn: psycopg.Connection) -> None:
    live_states = play(odds_conn)
    live = dump(odds_conn)
    for minute in (15, 10, 0):  # the newest window and older ones again: nothing changes
        run(odds_conn, minute)
        assert dump(odds_conn) == live, minute
    # prices as of an old window read from history equal what the live run read from current
    for minute, state in live_states.items():
        again = aw.window_state(odds_conn, at(minute), at(minute + CADENCE))
        assert again.equals(state), minute
    # everything recomputed from scratch over the range, in order, after all windows were written
    odds_conn.execute("TRUNCATE fair_prices_current, fair_prices_history, exposure_episodes, analytics_windows")
    for minute, _ in SCRIPT:
        run(odds_conn, minute)
    assert dump(odds_conn) == live
    # change-only: event 1's home win has rows at 0 (new), 5, 10 (fair moved) and 15 (BetPawa moved)
    rows = odds_conn.execute("SELECT window_start FROM fair_prices_history WHERE sr_event_id = 1 AND outcome = '1' "
                             "ORDER BY 1").fetchall()
    assert [r[0] for r in rows] == [at(0), at(5), at(10), at(15)]


def test_a_window_with_a_book_missing_computes_with_what_is_there(odds_conn: psycopg.Connection) -> None:
    write(odds_conn, 0, {"betpawa": {1: OPEN}, "sportybet": {1: FAIR}})
    state = aw.window_state(odds_conn, at(0), at(CADENCE))
    assert set(state["competitors"]) == {"sportybet"}
    assert state["bet9ja_changed_at"].isna().all()


def test_both_assets_materialise_in_dagster_with_their_checks(odds_conn: psycopg.Connection, odds_db_url: str) -> None:
    import warnings

    import dagster as dg

    from odds_assets.defs.analytics import build_analytics_definitions
    from odds_assets.defs.common.partitions import window_partitions
    from odds_assets.defs.common.resources import OddsDatabaseResource
    from odds_assets.settings import PipelineSettings

    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    settings = PipelineSettings(cadence_minutes=CADENCE)
    defs = build_analytics_definitions(settings, window_partitions(settings, now=at(60)))
    window = {dg.AssetKey("fair_prices"), dg.AssetKey("exposure")}  # not the daily reports of the domain
    objects = [a for a in [*(defs.assets or []), *(defs.asset_checks or [])]
               if isinstance(a, dg.AssetsDefinition) and set(a.keys | {k.asset_key for k in a.check_keys}) <= window]
    with dg.instance_for_test() as instance:
        for minute, boards in SCRIPT[:3]:
            write(odds_conn, minute, boards)
            result = dg.materialize(objects, instance=instance, partition_key=at(minute).strftime("%Y-%m-%d-%H:%M"),
                                    resources={"odds_db": OddsDatabaseResource(url=odds_db_url)})
            assert result.success
            evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
            assert evaluations == {"fair_probabilities_sum": True, "edge_range": True, "episodes_ordered": True}
        mats = {m.asset_key.to_user_string(): m for m in
                (e.step_materialization_data.materialization for e in result.get_asset_materialization_events())}
        fair, exp = mats["fair_prices"].metadata, mats["exposure"].metadata
        assert fair["priced_instances"].value == 2
        assert isinstance(fair["max_edge"], dg.FloatMetadataValue)
        assert isinstance(exp["open_episodes"], dg.IntMetadataValue)
        # at minute 10: event 1's home win (edge and arbitrage), event 2's home win (arbitrage, and an edge of
        # about 11 %) are open
        ev2_edge = edge_of("2.60", [("2.40", "3.60", "3.60"), ("2.40", "3.30", "4.00")], 0)
        assert ev2_edge > 0.03
        assert exp["open_episodes"].value == 4
        assert "| 1 | 3743 |" in str(exp["top_open_exposures"].value)


def test_the_sensor_takes_windows_in_order_once_every_book_wrote_or_passed_them() -> None:
    import warnings
    from datetime import datetime, timedelta, timezone

    import dagster as dg

    from odds_assets.defs.analytics.sensors import ready_windows
    from odds_assets.defs.common.partitions import window_partitions
    from odds_assets.settings import PipelineSettings

    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    w3 = datetime.now(timezone.utc).replace(second=0, microsecond=0) - timedelta(minutes=30)
    w3 -= timedelta(minutes=w3.minute % CADENCE)
    w = [w3 - timedelta(minutes=CADENCE * (3 - i)) for i in range(4)]
    key = [t.strftime("%Y-%m-%d-%H:%M") for t in w]
    pdef = window_partitions(PipelineSettings(cadence_minutes=CADENCE, first_window=w[0]), now=w3)
    step, grace = timedelta(minutes=CADENCE), timedelta(minutes=2 * CADENCE)
    written = {"betpawa": (0, 1, 2), "sportybet": (0, 2), "bet9ja": (0,)}  # sportybet skipped W1
    with dg.instance_for_test() as instance:
        for book, idx in written.items():
            for i in idx:
                instance.report_runless_asset_event(
                    dg.AssetMaterialization("current_odds", partition=f"{book}|{key[i]}"))
        exposure = dg.AssetKey("exposure")
        # one minute into W3: W0 is ready (every book wrote it); W1 waits for bet9ja (ended 6 minutes ago)
        assert ready_windows(instance, exposure, pdef, w3 + timedelta(minutes=1), grace, step) == key[:1]
        # bet9ja still silent 11 minutes into W3: W1 and W2 ended more than two cadences ago, so they are
        # computed with what is there; W3 is not (it ended 6 minutes ago)
        assert ready_windows(instance, exposure, pdef, w3 + timedelta(minutes=11), grace, step) == key[:3]
        # after W0 was computed, the next run starts after it
        instance.report_runless_asset_event(dg.AssetMaterialization("exposure", partition=key[0]))
        assert ready_windows(instance, exposure, pdef, w3 + timedelta(minutes=11), grace, step) == key[1:3]
        # bet9ja wrote W3: everything is past W3 except sportybet and betpawa, who wrote W2 last
        assert ready_windows(instance, exposure, pdef, w3 + timedelta(minutes=6), grace, step) == key[1:2]
        # every book has written W3 half a minute into it: W3 is ready before it ends (the run then does
        # not compete with the next window's scrapes); W1 and W2 computed meanwhile
        for i in (1, 2):
            instance.report_runless_asset_event(dg.AssetMaterialization("exposure", partition=key[i]))
        for book in ("betpawa", "sportybet"):
            instance.report_runless_asset_event(dg.AssetMaterialization("current_odds", partition=f"{book}|{key[3]}"))
        assert ready_windows(instance, exposure, pdef, w3 + timedelta(seconds=30), grace, step) == []  # bet9ja's W3
        instance.report_runless_asset_event(dg.AssetMaterialization("current_odds", partition=f"bet9ja|{key[3]}"))
        assert ready_windows(instance, exposure, pdef, w3 + timedelta(seconds=30), grace, step) == key[3:4]


def test_a_market_devigs_to_the_same_bits_whatever_shares_its_batch() -> None:
    """Unchanged prices give unchanged fair prices from window to window (no change row from float noise)."""
    import numpy as np

    from odds_assets.analytics.fair import devig_many

    # found by search: with every market stepping until the slowest converged, these differed in the last bit
    one = np.array([1.21, 3.51, 6.43])
    others = np.array([1.01, 40.0, 25.0, 1.30, 3.70, 1.90, 1.90, 1.02, 30.0])
    alone = devig_many(one, np.array([3]))
    batch = devig_many(np.concatenate([others, one]), np.array([3, 2, 2, 2, 3]))
    assert alone.probabilities.tolist() == batch.probabilities[-3:].tolist()


def test_exposure_announces_its_window_on_the_boards_channel(odds_conn: psycopg.Connection, odds_db_url: str) -> None:
    """The board's pages refresh when ``exposure`` wrote a window: one NOTIFY on the engine's channel,
    delivered at COMMIT, saying which window and how many episodes are open (read back here)."""
    import json

    from odds_assets.db.engine import NOTIFY_CHANNEL

    minute, boards = SCRIPT[0]
    write(odds_conn, minute, boards)
    with psycopg.connect(odds_db_url, autocommit=True) as listener:
        listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        run(odds_conn, minute)
        payloads = [json.loads(n.payload) for n in listener.notifies(timeout=5, stop_after=1)]
    (n_open,) = odds_conn.execute("SELECT count(*) FROM exposure_episodes WHERE ended_at IS NULL").fetchone() or (0,)
    assert n_open > 0
    assert payloads == [{"asset": "exposure", "window": at(minute).strftime("%Y-%m-%dT%H:%M:%SZ"), "open": n_open}]
