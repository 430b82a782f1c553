"""A scheduled scrape run writes its own window when its bookmaker is caught up (the freshness path),
and otherwise leaves it to the write sensor without failing:

- caught up: ``current_odds`` is materialised in the scrape run (metadata, ``applied`` and the
  consistency check), the database equals the simulator's truth, and the write sensor requests nothing;
- an earlier window still waiting, or a write run of the book in flight: the scrape run writes nothing,
  the sensor writes both windows in window order;
- a database that does not answer in the budget — a lock held by another connection, a server that
  accepts connections and never answers (as a frozen one does) — the scrape run succeeds quickly, its
  window is not materialised, and the sensor writes it once the database answers;
- the write sensor never requests a window whose scrape run is still in flight, nor one already written.

The expected database contents come from the simulator's ground truth (``truth_markets``), not from the
product's code.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import dagster as dg
import psycopg
import pytest

from odds_assets.db.deadline import DeadlineExceeded, connection_deadline
from odds_assets.defs.common.partitions import partition_key
from odds_assets.defs.common.resources import OddsDatabaseResource

from ..factories import scalar
from ._dagster import checks, materializations, meta, partition_keys
from .conftest import STEP, T0, Pipeline, current_markets, make_defs, settings_for_test, truth_events, truth_markets

BOOK = "betpawa"
BUDGET_S = 4


def _scheduled(p: Pipeline, monkeypatch: pytest.MonkeyPatch, window: datetime,
               *, at: datetime | None = None) -> dg.ExecuteInProcessResult:
    """A run as the scrape schedule requests it, with the wall clock (the write's deadline) and the
    simulator's clock at ``at`` (default window start + 30 s)."""
    at = at or window + timedelta(seconds=30)
    monkeypatch.setattr("odds_assets.catchup.clock", lambda: at.timestamp())
    p.at(at)
    job = p.defs.resolve_job_def("scrape_odds_job")
    return job.execute_in_process(
        instance=p.instance, partition_key=partition_key(BOOK, window), raise_on_error=False,
        tags={"dagster/schedule_name": "scrape_odds_schedule", "odds/bookmaker": BOOK, "odds/scrape_slot": BOOK,
              "odds/scrape_write": "1"})


def _left_to_sensor(p: Pipeline, result: dg.ExecuteInProcessResult) -> str:
    """The scrape run's one line saying why it left its window to the write sensor."""
    lines = [e.user_message for e in p.instance.all_logs(result.run_id)
             if "not written by the scrape run" in e.user_message]
    assert len(lines) == 1, lines
    return lines[0]


def _written(p: Pipeline) -> list[datetime]:
    """captured_at of the book's applied windows, in the order they were applied."""
    with p.conn() as conn:
        return [t for (t,) in conn.execute(
            "SELECT s.captured_at FROM snapshots s JOIN bookmakers b ON b.id = s.bookmaker WHERE b.name = %s "
            "ORDER BY s.applied_at", (BOOK,))]


def _with(p: Pipeline, odds_db: OddsDatabaseResource | None = None) -> Pipeline:
    settings = settings_for_test(scrape_write_budget=BUDGET_S)
    return Pipeline(make_defs(settings, p.archive_url, p.db_url, p.sim_url, odds_db=odds_db), p.instance, p.app,
                    p.sim_url, p.archive_url, p.db_url, settings)


@pytest.fixture
def fast(pipeline: Pipeline) -> Pipeline:
    """The pipeline with a short write budget (the tests' windows are 5 minutes)."""
    return _with(pipeline)


def test_a_caught_up_scrape_writes_its_window_and_the_sensor_requests_nothing(
        fast: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    for w in (T0, T0 + STEP):
        result = _scheduled(fast, monkeypatch, w)
        assert result.success
        [mat] = materializations(result, "current_odds")
        assert mat.partition == str(partition_key(BOOK, w))
        m = meta(mat)
        assert m["written"] is True and m["windows_written"] == 1 and m["captured_at"] == (
            w + timedelta(seconds=30)).isoformat()
        evaluations = checks(result)
        assert evaluations["applied"].passed and evaluations["current_history_consistency"].passed
        assert not fast.sensor("write_odds_sensor").run_requests  # nothing left to write
    captured = [w + timedelta(seconds=30) for w in (T0, T0 + STEP)]
    assert _written(fast) == captured  # each once, in window order
    with fast.conn() as conn:
        newest = captured[-1]
        assert current_markets(conn, BOOK, truth_events(fast.app, BOOK, newest)) == truth_markets(
            fast.app, BOOK, newest)
        assert scalar(conn, "SELECT count(*) FROM snapshots") == 2


def test_a_scrape_behind_an_earlier_waiting_window_leaves_its_own_to_the_sensor_in_order(
        fast: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    assert fast.scrape(BOOK, T0).success  # by hand: never written by the scrape run
    result = _scheduled(fast, monkeypatch, T0 + STEP)
    assert result.success
    assert materializations(result, "current_odds") == [] and "applied" not in checks(result)
    assert "1 earlier window(s) wait" in _left_to_sensor(fast, result)
    assert _written(fast) == []
    [req] = fast.sensor("write_odds_sensor").run_requests  # both windows, one range run, in order
    assert req.tags["dagster/asset_partition_range_start"] == str(partition_key(BOOK, T0))
    assert req.tags["dagster/asset_partition_range_end"] == str(partition_key(BOOK, T0 + STEP))
    assert fast.run_request("write_odds_job", req).success
    assert _written(fast) == [T0 + timedelta(seconds=30), T0 + STEP + timedelta(seconds=30)]
    # caught up again: the next window is the scrape run's
    result = _scheduled(fast, monkeypatch, T0 + 2 * STEP)
    assert [m.partition for m in materializations(result, "current_odds")] == [str(partition_key(BOOK, T0 + 2 * STEP))]
    assert _written(fast)[-1] == T0 + 2 * STEP + timedelta(seconds=30)


def _write_run_in_flight(p: Pipeline) -> str:
    run_id = str(uuid.uuid4())
    p.instance.add_run(dg.DagsterRun(job_name="write_odds_job", run_id=run_id, status=dg.DagsterRunStatus.STARTED,
                                     tags={"odds/bookmaker": BOOK}))
    return run_id


def test_a_write_run_in_flight_or_too_little_time_left_leaves_the_window_to_the_sensor(
        fast: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    run_id = _write_run_in_flight(fast)
    result = _scheduled(fast, monkeypatch, T0)
    assert result.success and materializations(result, "current_odds") == []
    assert "a write run of the bookmaker is queued or running" in _left_to_sensor(fast, result)
    run = fast.instance.get_run_by_id(run_id)
    assert run is not None
    fast.instance.report_run_failed(run)
    # a scrape ending 2 s before its window does: no time to write before the next window's run
    result = _scheduled(fast, monkeypatch, T0 + STEP, at=T0 + 2 * STEP - timedelta(seconds=2))
    assert result.success and materializations(result, "current_odds") == []
    assert "left before the window ends" in _left_to_sensor(fast, result)
    assert _written(fast) == []
    [req] = fast.sensor("write_odds_sensor").run_requests
    assert fast.run_request("write_odds_job", req).success
    assert len(_written(fast)) == 2


def test_a_locked_database_costs_the_scrape_run_its_budget_at_most_and_the_sensor_writes_later(
        fast: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    with psycopg.connect(fast.db_url, autocommit=True, application_name="test lock") as lock:
        lock.execute("BEGIN")
        lock.execute("LOCK TABLE market_odds_history IN ACCESS EXCLUSIVE MODE")
        t0 = time.monotonic()
        result = _scheduled(fast, monkeypatch, T0)
        took = time.monotonic() - t0
        assert result.success, "a locked database must not fail the scrape run"
        assert materializations(result, "odds_snapshot") and materializations(result, "current_odds") == []
        assert "applied" not in checks(result)
        assert "lock timeout" in _left_to_sensor(fast, result)
        assert took < 30, took  # the scrape (~1-3 s) plus at most the write budget, nowhere near a window
        lock.execute("ROLLBACK")
    assert _written(fast) == []  # the attempt's transaction was rolled back: nothing half-written
    [req] = fast.sensor("write_odds_sensor").run_requests
    assert partition_keys([req]) == [str(partition_key(BOOK, T0))]
    assert fast.run_request("write_odds_job", req).success
    assert _written(fast) == [T0 + timedelta(seconds=30)]


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP port that accepts connections and never answers, as a frozen PostgreSQL does (its kernel
    still completes the handshake)."""
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(16)
        yield f"postgresql://odds@127.0.0.1:{srv.getsockname()[1]}/odds"


def test_a_database_that_never_answers_does_not_hold_the_scrape_run(
        fast: Pipeline, silent_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    frozen = _with(fast, odds_db=OddsDatabaseResource(url=silent_server, connect_timeout_s=30))
    t0 = time.monotonic()
    result = _scheduled(frozen, monkeypatch, T0)
    took = time.monotonic() - t0
    assert result.success and materializations(result, "odds_snapshot")
    assert materializations(result, "current_odds") == []
    assert "timeout" in _left_to_sensor(frozen, result)
    assert took < BUDGET_S + 15, took
    # the database answers again: the sensor writes the window
    [req] = fast.sensor("write_odds_sensor").run_requests
    assert fast.run_request("write_odds_job", req).success
    assert _written(fast) == [T0 + timedelta(seconds=30)]


def test_the_sensor_leaves_a_window_to_its_scrape_run_while_it_is_in_flight(fast: Pipeline) -> None:
    assert fast.scrape(BOOK, T0).success  # snapshot materialised, not written
    key = str(partition_key(BOOK, T0))
    run_id = str(uuid.uuid4())
    fast.instance.add_run(dg.DagsterRun(job_name="scrape_odds_job", run_id=run_id, status=dg.DagsterRunStatus.STARTED,
                                        tags={"dagster/partition": key, "odds/bookmaker": BOOK}))
    result = fast.sensor("write_odds_sensor")
    assert not result.run_requests and result.skip_reason is not None
    assert "its scrape run's to write" in (result.skip_reason.skip_message or "")
    run = fast.instance.get_run_by_id(run_id)
    assert run is not None
    fast.instance.report_run_failed(run)  # it ended without writing: the sensor's now
    assert partition_keys(fast.sensor("write_odds_sensor").run_requests) == [key]


def test_the_client_deadline_cuts_a_statement_the_server_would_let_run(odds_db_url: str) -> None:
    with psycopg.connect(odds_db_url, autocommit=True) as conn:
        t0 = time.monotonic()
        with pytest.raises(DeadlineExceeded), connection_deadline(conn, 0.5):
            conn.execute("SELECT pg_sleep(20)")
        assert time.monotonic() - t0 < 5
    with psycopg.connect(odds_db_url, autocommit=True) as conn, connection_deadline(conn, 5):
        assert conn.execute("SELECT 1").fetchone() == (1,)  # in time: untouched
