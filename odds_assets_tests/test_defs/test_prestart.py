"""``ODDS_SCRAPE_PRESTART``: a window's scrape runs are requested one tick ahead, start their processes
early and wait for their window, so the scrape begins at the window's start.

- the window dimension reaches one window past the open one (end_offset 2);
- a tick requests the next window's runs for every bookmaker, and the tick's own window only for a
  bookmaker that has no run of it yet (the first tick, or the schedule switched back on);
- a single-window run started before its window waits for it, then scrapes: ``captured_at`` inside the
  window;
- the watchdog counts a run's time from its window's start, not from its (early) process start;
- the run's ``dagster/max_runtime`` covers the wait.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import DagsterEvent, DagsterEventType

from odds_assets.archive import Archive
from odds_assets.defs.common.partitions import partition_key
from odds_assets.models import BOOKMAKERS
from odds_assets.settings import PipelineSettings

from ._dagster import failure_messages, materializations
from .conftest import STEP, T0, Pipeline, make_defs, settings_for_test

SCHEDULED = {"dagster/schedule_name": "scrape_odds_schedule"}


@pytest.fixture
def early(pipeline: Pipeline) -> Pipeline:
    """The test pipeline with ``scrape_prestart`` on (same simulator, database, archive, instance)."""
    settings = settings_for_test(scrape_prestart=True)
    return Pipeline(make_defs(settings, pipeline.archive_url, pipeline.db_url, pipeline.sim_url), pipeline.instance,
                    pipeline.app, pipeline.sim_url, pipeline.archive_url, pipeline.db_url, settings)


def test_the_setting_is_read_from_the_environment_and_moves_the_window_dimensions_end() -> None:
    assert PipelineSettings.from_env({}).scrape_prestart is False
    on = PipelineSettings.from_env({"ODDS_SCRAPE_PRESTART": "1", "ODDS_CADENCE_MINUTES": "1"})
    assert on.scrape_prestart and on.window_end_offset == 2
    assert on.scrape_run_max_runtime_s == 60 + 60 + 60  # the scrape's minute, the backstop's, the wait
    assert PipelineSettings.from_env({"ODDS_CADENCE_MINUTES": "1"}).scrape_run_max_runtime_s == 120
    with pytest.raises(ValueError, match="ODDS_SCRAPE_PRESTART"):
        PipelineSettings.from_env({"ODDS_SCRAPE_PRESTART": "maybe"})


def _requested(early: Pipeline, tick: datetime, monkeypatch: pytest.MonkeyPatch) -> set[tuple[str, datetime]]:
    monkeypatch.setattr("odds_assets.catchup.clock", lambda: (tick + timedelta(seconds=2)).timestamp())
    schedule = early.defs.get_schedule_def("scrape_odds_schedule")
    ctx = dg.build_schedule_context(instance=early.instance, scheduled_execution_time=tick,
                                    repository_def=early.defs.get_repository_def())
    data = schedule.evaluate_tick(ctx)
    assert data.run_requests is not None
    out = set()
    for r in data.run_requests:
        book, window = str(r.partition_key).split("|")
        out.add((book, datetime.strptime(window, "%Y-%m-%d-%H:%M").replace(tzinfo=timezone.utc)))
        assert r.tags["odds/scrape_slot"] == book
    return out


def test_a_tick_requests_the_next_window_and_its_own_only_where_no_run_has_it(
        early: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    tick = T0 + 2 * STEP
    # the first tick: the open window (nobody requested it) and the next one, for every book
    assert _requested(early, tick, monkeypatch) == {(b, w) for b in BOOKMAKERS for w in (tick, tick + STEP)}
    # the previous tick requested the open window for two books: only the third still gets it
    for book in ("betpawa", "sportybet"):
        early.instance.add_run(dg.DagsterRun(job_name="scrape_odds_job", run_id=str(uuid.uuid4()),
                                             status=dg.DagsterRunStatus.SUCCESS,
                                             tags={"dagster/partition": str(partition_key(book, tick)), **SCHEDULED}))
    assert _requested(early, tick, monkeypatch) == {("bet9ja", tick)} | {(b, tick + STEP) for b in BOOKMAKERS}
    # the next window's partition exists already (the run request above was valid for the definitions)
    partitions = early.defs.resolve_assets_def("odds_snapshot").partitions_def
    assert partitions is not None and partitions.has_partition_key(str(partition_key("bet9ja", _open_window() + STEP)))


def test_a_run_started_before_its_window_waits_for_it_then_scrapes(early: Pipeline) -> None:
    window = T0 + STEP
    early.app.sim.clock.set((window - timedelta(seconds=1.5)).timestamp(), frozen=False)  # running from there
    job = early.defs.resolve_job_def("scrape_odds_job")
    result = job.execute_in_process(instance=early.instance, partition_key=partition_key("betpawa", window),
                                    tags=SCHEDULED)
    assert result.success
    [m] = materializations(result, "odds_snapshot")
    assert m.partition == str(partition_key("betpawa", window))
    waited = [r.user_message for r in early.instance.all_logs(result.run_id) if "the window opens in" in r.user_message]
    assert len(waited) == 1
    raw = Archive(early.archive_url).window("betpawa", window).read_raw()
    assert window <= raw.captured_at < window + STEP  # scraped once its window had opened



def test_a_run_before_its_window_on_a_clock_that_stands_still_is_refused_without_waiting(early: Pipeline) -> None:
    window = T0 + STEP
    early.app.sim.clock.set((window - timedelta(seconds=30)).timestamp(), frozen=True)
    job = early.defs.resolve_job_def("scrape_odds_job")
    result = job.execute_in_process(instance=early.instance, partition_key=partition_key("betpawa", window),
                                    tags=SCHEDULED, raise_on_error=False)
    assert not result.success
    messages = [r.user_message for r in early.instance.all_logs(result.run_id)]
    assert sum("the clock stands still 30.0 s before the window" in m for m in messages) == 1
    [failure] = failure_messages(result)
    assert "has not started yet" in failure

def _open_window() -> datetime:
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    return now - timedelta(minutes=now.minute % (STEP.seconds // 60))


def _started(instance: dg.DagsterInstance, key: str) -> dg.RunRecord:
    run_id = str(uuid.uuid4())
    instance.add_run(dg.DagsterRun(job_name="scrape_odds_job", run_id=run_id, status=dg.DagsterRunStatus.NOT_STARTED,
                                   tags={"dagster/partition": key}))
    instance.report_dagster_event(DagsterEvent(DagsterEventType.RUN_START.value, job_name="scrape_odds_job", pid=None),
                                  run_id=run_id)
    record = instance.get_run_record_by_id(run_id)
    assert record is not None and record.start_time is not None
    return record


def test_the_watchdog_counts_an_early_runs_time_from_its_windows_start(early: Pipeline, tmp_path: Path) -> None:
    from odds_assets.defs.scrape.sensors import fail_hung_scrapes

    limit = early.settings.scrape_max_runtime_s
    window = _open_window() + 2 * STEP  # opens minutes after the run started
    record = _started(early.instance, str(partition_key("betpawa", window)))
    assert record.start_time is not None
    opens = window.timestamp()
    # long past the run's start, but not past its window's start + the limit: left alone
    assert fail_hung_scrapes(early.instance, early.settings, record.start_time + limit + 5) == []
    assert fail_hung_scrapes(early.instance, early.settings, opens + limit - 1) == []
    [line] = fail_hung_scrapes(early.instance, early.settings, opens + limit + 1)
    assert record.dagster_run.run_id[:8] in line and f"hung for {limit + 1} s" in line
