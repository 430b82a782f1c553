"""Outage: the odds database (on its own embedded PostgreSQL) is down for three windows while Dagster's
storage stays up. Scrapes go on and archive; the write sensor's runs fail, it backs off; when the
database is back the sensor writes every missed window in window order with no operator action, and
current odds and history equal the simulator's ground truth."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from odds_assets.db import migrate
from odds_assets.db.server import start_embedded, stop_embedded
from odds_assets.defs.common.partitions import partition_key
from odds_assets.models import BOOKMAKERS

from .conftest import (
    STEP,
    T0,
    Pipeline,
    current_markets,
    history_as_of,
    make_defs,
    settings_for_test,
    truth_events,
    truth_markets,
)


@pytest.fixture
def odds_server() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="odds-outage-pg-"))
    pgdata = root / "pgdata"
    server = start_embedded(pgdata)
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE odds")
    migrate.upgrade(server.url("odds"))
    try:
        yield pgdata
    finally:
        stop_embedded(pgdata)
        shutil.rmtree(root, ignore_errors=True)


def _tick_and_run(p: Pipeline) -> list[dg.ExecuteInProcessResult]:
    """One write-sensor tick; its run requests executed as the daemon would."""
    result = p.sensor("write_odds_sensor")
    return [p.run_request("write_odds_job", req) for req in result.run_requests]


def test_outage_catches_up_in_order(pipeline: Pipeline, odds_server: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = start_embedded(odds_server).url("odds")
    settings = settings_for_test(write_backoff_base_s=30, write_backoff_cap_s=60)
    p = Pipeline(make_defs(settings, pipeline.archive_url, url, pipeline.sim_url), pipeline.instance,
                 pipeline.app, pipeline.sim_url, pipeline.archive_url, url, pipeline.settings)
    windows = [T0 + k * STEP for k in range(5)]

    p.scrape_all(windows[0])
    assert all(r.success for r in _tick_and_run(p))

    stop_embedded(odds_server)  # the odds database goes away; Dagster's storage does not
    # the sensor's clock stands still during the outage, so its backoff does not run out while a loaded
    # machine takes long over the three windows' scrapes (each a Dagster run of several steps)
    outage_at = time.time()
    monkeypatch.setattr("odds_assets.catchup.clock", lambda: outage_at)
    failed = 0
    for w in windows[1:4]:
        p.scrape_all(w)  # scrapes go on and archive
        runs = _tick_and_run(p)
        assert not any(r.success for r in runs)
        failed += len(runs)
    assert failed == 3  # the first try per bookmaker; later ticks back off
    snaps = p.instance.get_materialized_partitions(dg.AssetKey("odds_snapshot"))
    assert len(snaps) == 3 * 4
    # right after a failure the sensor backs off instead of hammering the database
    backing_off = p.sensor("write_odds_sensor")
    assert not backing_off.run_requests and "failed write" in backing_off.skip_reason.skip_message

    start_embedded(odds_server)  # back
    monkeypatch.setattr("odds_assets.catchup.clock", lambda: time.time() + 61)  # backoff over
    runs = _tick_and_run(p)
    assert len(runs) == 3 and all(r.success for r in runs)  # one range run per bookmaker: windows 1..3
    p.scrape_all(windows[4])
    assert all(r.success for r in _tick_and_run(p))
    assert not p.sensor("write_odds_sensor").run_requests

    written = p.instance.get_materialized_partitions(dg.AssetKey("current_odds"))
    assert written == snaps | {f"{b}|{windows[4]:%Y-%m-%d-%H:%M}" for b in BOOKMAKERS}
    with psycopg.connect(url, autocommit=True) as conn:
        for book in BOOKMAKERS:
            applied = [t for (t,) in conn.execute(
                "SELECT s.captured_at FROM snapshots s JOIN bookmakers b ON b.id = s.bookmaker "
                "WHERE b.name = %s ORDER BY s.applied_at", (book,)).fetchall()]
            assert applied == [w + timedelta(seconds=30) for w in windows]  # every window, in order
            last = windows[4] + timedelta(seconds=30)
            assert current_markets(conn, book, truth_events(p.app, book, last)) == truth_markets(p.app, book, last)
            for w in windows:
                t = w + timedelta(seconds=30)
                truth = truth_markets(p.app, book, t)
                assert history_as_of(conn, book, t, {sr for sr, *_ in truth}) == truth


def test_a_lock_held_on_history_times_the_write_out_instead_of_hanging(pipeline: Pipeline) -> None:
    """Someone holds an exclusive lock on market_odds_history: the write gives up after the lock timeout
    (transient: retried once here, then the run fails), writes nothing, and writes the window once the
    lock is gone — instead of holding its bookmaker's write slot until the run's max runtime."""
    from odds_assets.defs.common.resources import OddsDatabaseResource

    assert pipeline.scrape("betpawa", T0).success
    odds_db = OddsDatabaseResource(url=pipeline.db_url, connect_timeout_s=2, lock_timeout_s=1)
    defs = make_defs(pipeline.settings, pipeline.archive_url, pipeline.db_url, pipeline.sim_url, odds_db=odds_db)
    job = defs.resolve_job_def("write_odds_job")
    key = partition_key("betpawa", T0)
    with psycopg.connect(pipeline.db_url) as holder:
        holder.execute("LOCK TABLE market_odds_history IN ACCESS EXCLUSIVE MODE")
        t0 = time.monotonic()
        result = job.execute_in_process(instance=pipeline.instance, partition_key=key, raise_on_error=False)
        waited = time.monotonic() - t0
        assert not result.success
        causes = []
        for event in result.all_events:
            if event.event_type == dg.DagsterEventType.STEP_FAILURE:
                error = event.step_failure_data.error
                while error is not None:
                    causes.append(f"{error.cls_name}: {error.message}")
                    error = error.cause
        assert any("LockNotAvailable" in c and "lock timeout" in c for c in causes), causes
        # two attempts (retry_max=1) of about a second each, far from a hang (generous on a slow machine)
        assert waited < 60, waited
    with pipeline.conn() as conn:
        assert conn.execute("SELECT count(*) FROM market_odds_current").fetchone() == (0,)
    assert job.execute_in_process(instance=pipeline.instance, partition_key=key).success
    with pipeline.conn() as conn:
        row = conn.execute("SELECT count(*) FROM market_odds_current").fetchone()
        assert row is not None and row[0] > 0
