"""No window is ever stuck, and a late scrape never crowds out a live one.

- a scheduled scrape run that starts after its window closed ends without scraping: not failed, not
  materialised, tagged ``odds/skipped`` with the reason (a run by hand for such a window still fails,
  saying why);
- the scrape schedule cancels its own runs still queued for a closed window and requests nothing for a
  tick evaluated after its window closed;
- a scrape run hung past ``ODDS_SCRAPE_MAX_RUNTIME_S`` (a frozen process) is failed by the watchdog at
  once, its local process killed, so the bookmaker's next scrape leaves the queue;
- a window whose archived snapshot cannot be read is materialised as not written, its ``applied`` check
  is an ERROR that fails the run (one failure-sensor line naming window and reason), the bookmaker's
  later windows are written in the same chain, and a backfill after the fix writes it — history as of
  that window equal to the simulator's truth then, current still the newest window's.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import uuid
from datetime import datetime, timedelta

import dagster as dg
import pytest
from dagster._core.events import DagsterEvent, DagsterEventType
from dagster._core.remote_origin import RegisteredCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin

from odds_assets.archive import Archive
from odds_assets.defs.common.partitions import partition_key
from odds_assets.models import BOOKMAKERS

from ..factories import scalar
from ._dagster import checks, materializations, meta
from .conftest import STEP, T0, Pipeline, current_markets, history_as_of, truth_events, truth_markets

SCHEDULED = {"dagster/schedule_name": "scrape_odds_schedule"}


def _clock_at(monkeypatch: pytest.MonkeyPatch, t: datetime) -> None:
    monkeypatch.setattr("odds_assets.catchup.clock", lambda: t.timestamp())


def _queued_scrape(instance: dg.DagsterInstance, book: str, window: datetime, tags: dict[str, str]) -> str:
    run_id = str(uuid.uuid4())
    key = str(partition_key(book, window))
    # a queued run names the code location it comes from (any: the queue is never processed here)
    origin = RemoteJobOrigin(RemoteRepositoryOrigin(RegisteredCodeLocationOrigin("odds_assets"), "__repository__"),
                             "scrape_odds_job")
    instance.add_run(dg.DagsterRun(job_name="scrape_odds_job", run_id=run_id, status=dg.DagsterRunStatus.QUEUED,
                                   tags={"dagster/partition": key, "odds/bookmaker": book, **tags},
                                   remote_job_origin=origin))
    return run_id


def _evaluate_schedule(pipeline: Pipeline, tick: datetime) -> dg.ScheduleExecutionData:
    schedule = pipeline.defs.get_schedule_def("scrape_odds_schedule")
    ctx = dg.build_schedule_context(instance=pipeline.instance, scheduled_execution_time=tick,
                                    repository_def=pipeline.defs.get_repository_def())
    return schedule.evaluate_tick(ctx)


def test_schedule_cancels_its_stale_queued_scrapes_and_skips_a_closed_tick(
        pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    tick = T0 + 2 * STEP
    stale = _queued_scrape(pipeline.instance, "betpawa", T0 + STEP, SCHEDULED)  # closed at the tick
    live = _queued_scrape(pipeline.instance, "sportybet", tick, SCHEDULED)  # the tick's own window
    by_hand = _queued_scrape(pipeline.instance, "bet9ja", T0, {})  # a backfill of an archived window
    _clock_at(monkeypatch, tick + timedelta(seconds=3))
    data = _evaluate_schedule(pipeline, tick)
    assert data.run_requests is not None and len(data.run_requests) == len(BOOKMAKERS)

    def status(run_id: str) -> dg.DagsterRun:
        run = pipeline.instance.get_run_by_id(run_id)
        assert run is not None
        return run

    assert status(stale).status == dg.DagsterRunStatus.CANCELED
    reason = status(stale).tags["odds/skipped"]
    assert str(partition_key("betpawa", T0 + STEP)) in reason and "closed" in reason
    assert status(live).status == dg.DagsterRunStatus.QUEUED and "odds/skipped" not in status(live).tags
    assert status(by_hand).status == dg.DagsterRunStatus.QUEUED

    # the same tick evaluated after its window closed (a daemon far behind, a restart): nothing requested
    _clock_at(monkeypatch, tick + STEP + timedelta(seconds=1))
    late = _evaluate_schedule(pipeline, tick)
    assert not late.run_requests
    assert late.skip_message is not None and "closed" in late.skip_message
    assert status(live).status == dg.DagsterRunStatus.CANCELED  # now stale itself


def test_a_scheduled_scrape_starting_after_its_window_closed_is_skipped_not_failed(pipeline: Pipeline) -> None:
    job = pipeline.defs.resolve_job_def("scrape_odds_job")
    key = partition_key("betpawa", T0)
    pipeline.at(T0 + STEP + timedelta(seconds=5))  # the run leaves the queue 5 s after its window closed
    result = job.execute_in_process(instance=pipeline.instance, partition_key=key, tags=SCHEDULED)
    assert result.success
    assert materializations(result, "odds_snapshot") == []
    assert checks(result) == {}  # the checks never ran: skipped, not failed
    run = pipeline.instance.get_run_by_id(result.run_id)
    assert run is not None and "in the past" in run.tags["odds/skipped"]
    observations = [e.asset_observation_data.asset_observation for e in result.all_events
                    if e.event_type == dg.DagsterEventType.ASSET_OBSERVATION]
    assert [o.partition for o in observations] == [str(key)]
    assert not Archive(pipeline.archive_url).window("betpawa", T0).has_raw()  # nothing fetched
    # a run by hand (a backfill) asking for that never-archived window fails and says why
    manual = job.execute_in_process(instance=pipeline.instance, partition_key=key, raise_on_error=False)
    assert not manual.success


def _started_scrape(instance: dg.DagsterInstance, book: str, pid: int | None) -> str:
    """A scrape run STARTED now by process ``pid`` (its RUN_START event carries the pid, as a run's does)."""
    run_id = str(uuid.uuid4())
    instance.add_run(dg.DagsterRun(job_name="scrape_odds_job", run_id=run_id, status=dg.DagsterRunStatus.NOT_STARTED,
                                   tags={"dagster/partition": str(partition_key(book, T0))}))
    instance.report_dagster_event(DagsterEvent(DagsterEventType.RUN_START.value, job_name="scrape_odds_job", pid=pid),
                                  run_id=run_id)
    return run_id


def test_the_watchdog_fails_a_hung_scrape_at_once_and_kills_its_frozen_process(pipeline: Pipeline) -> None:
    from odds_assets.defs.scrape.sensors import fail_hung_scrapes

    worker = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(300,))  # a run worker's kind
    worker.start()
    try:
        assert worker.pid is not None
        time.sleep(0.05)  # the run starts after its process
        hung = _started_scrape(pipeline.instance, "betpawa", worker.pid)
        os.kill(worker.pid, signal.SIGSTOP)  # frozen: it answers no termination request
        limit = pipeline.settings.scrape_max_runtime_s
        record = pipeline.instance.get_run_record_by_id(hung)
        assert record is not None and record.start_time is not None
        assert fail_hung_scrapes(pipeline.instance, pipeline.settings, record.start_time + limit - 1) == []
        [line] = fail_hung_scrapes(pipeline.instance, pipeline.settings, record.start_time + limit + 1)
        assert hung[:8] in line and "maximum runtime" in line and f"process {worker.pid} killed" in line
        worker.join(timeout=10)
        assert worker.exitcode == -signal.SIGKILL  # killed, although frozen
        run = pipeline.instance.get_run_by_id(hung)
        assert run is not None and run.status == dg.DagsterRunStatus.FAILURE
    finally:
        if worker.is_alive():
            worker.kill()
    # a run whose process is elsewhere (another machine's launcher) is only marked failed
    remote = _started_scrape(pipeline.instance, "sportybet", None)
    record = pipeline.instance.get_run_record_by_id(remote)
    assert record is not None and record.start_time is not None
    [line] = fail_hung_scrapes(pipeline.instance, pipeline.settings, record.start_time + limit + 1)
    assert "not on this machine" in line
    run = pipeline.instance.get_run_by_id(remote)
    assert run is not None and run.status == dg.DagsterRunStatus.FAILURE


def test_an_unreadable_window_is_passed_over_reported_and_written_by_a_backfill_after_the_fix(
        pipeline: Pipeline, caplog: pytest.LogCaptureFixture) -> None:
    book = "betpawa"
    windows = [T0, T0 + STEP, T0 + 2 * STEP]
    for w in windows:
        assert pipeline.scrape(book, w).success
    bad = Archive(pipeline.archive_url).window(book, windows[1])
    parquet = bad.path / "markets.parquet"
    good_bytes = parquet.read_bytes()
    parquet.write_bytes(b"PAR1 not a parquet file")  # e.g. a truncated upload, a disk error

    [req] = pipeline.sensor("write_odds_sensor").run_requests  # the three windows, one range run
    result = pipeline.run_request("write_odds_job", req)
    assert not result.success  # the applied check is an ERROR and blocking: the run fails ...
    [mat] = materializations(result, "current_odds")[:1]
    [blocked] = meta(mat)["blocked"]
    bad_key = str(partition_key(book, windows[1]))
    assert blocked["partition"] == bad_key and blocked["failed"] is True and "unreadable" in blocked["reason"]
    applied = checks(result)["applied"]
    assert not applied.passed and applied.severity == dg.AssetCheckSeverity.ERROR
    assert bad_key in (applied.description or "") and "unreadable" in (applied.description or "")
    with pipeline.conn() as conn:  # ... but the windows around it are written, in order
        applied_at = [t for (t,) in conn.execute("SELECT captured_at FROM snapshots ORDER BY applied_at")]
    assert applied_at == [windows[0] + timedelta(seconds=30), windows[2] + timedelta(seconds=30)]
    assert not pipeline.sensor("write_odds_sensor").run_requests  # nothing pending: the chain goes on

    # one failure-sensor line naming the window and the reason
    [line] = pipeline.failure_lines(result, caplog)
    assert line.startswith("odds run failed: job=write_odds_job bookmaker=betpawa ")
    assert "check applied failed" in line and bad_key in line and "unreadable" in line

    # the fix (the file restored), then a backfill of that window: written, as of that window
    parquet.write_bytes(good_bytes)
    backfill = pipeline.write(book, windows[1])
    assert backfill.success and checks(backfill)["applied"].passed
    captured = windows[1] + timedelta(seconds=30)
    with pipeline.conn() as conn:
        assert scalar(conn, "SELECT count(*) FROM snapshots WHERE captured_at = %s", (captured,)) == 1
        truth_then = truth_markets(pipeline.app, book, captured)
        events = {sr for sr, *_ in truth_then}
        assert history_as_of(conn, book, captured, events) == truth_then
        # current is the newest window's, not moved back by the late window (for the events on the board
        # then: one that kicked off keeps its last rows, never marked gone)
        newest = windows[2] + timedelta(seconds=30)
        assert current_markets(conn, book, truth_events(pipeline.app, book, newest)) == truth_markets(
            pipeline.app, book, newest)
