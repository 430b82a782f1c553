"""The window dimension's span: ``ODDS_PARTITION_DAYS`` and ``ODDS_FIRST_WINDOW`` shorten it, retention
does not follow it. Expected starts and counts are worked out by hand from an explicit ``now``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from odds_assets.archive import Archive
from odds_assets.defs.common.partitions import bookmaker_window_partitions, partition_count
from odds_assets.settings import PipelineSettings

from ._dagster import materializations, meta
from .conftest import T0, Pipeline, make_defs, settings_for_test

#: 10:07 UTC: today's windows at 5 minutes are 00:00 .. 10:05 (the open one) = 10 × 12 + 2 = 122
NOW = datetime(2026, 11, 24, 10, 7, 30, tzinfo=timezone.utc)


def _window_keys(settings: PipelineSettings, now: datetime) -> tuple[str, str, int]:
    """(first window key, last window key, partition count) of the definition at ``now``."""
    from dagster._core.definitions.partitions.context import partition_loading_context

    pdef = bookmaker_window_partitions(settings, now=now)
    window = next(d.partitions_def for d in pdef.partitions_defs if d.name == "window")
    with partition_loading_context(now):
        keys = window.get_partition_keys()
    return keys[0], keys[-1], partition_count(pdef, now)


def test_default_span_is_retention() -> None:
    first, last, n = _window_keys(PipelineSettings(cadence_minutes=5), NOW)
    assert (first, last) == ("2026-11-10-00:00", "2026-11-24-10:05")
    assert n == 3 * (14 * 288 + 122) == 12_462


def test_partition_days_shorter_than_retention() -> None:
    first, last, n = _window_keys(PipelineSettings(cadence_minutes=5, partition_days=2), NOW)
    assert (first, last) == ("2026-11-22-00:00", "2026-11-24-10:05")
    assert n == 3 * (2 * 288 + 122) == 2_094
    # the start is a day boundary: later the same day it has not moved
    assert _window_keys(PipelineSettings(cadence_minutes=5, partition_days=2),
                        NOW.replace(hour=23, minute=59))[0] == "2026-11-22-00:00"


def test_first_window_starts_the_span() -> None:
    # 09:33:20 lies in the 09:30 window; 09:30 .. 10:05 = 8 windows per book
    settings = PipelineSettings(cadence_minutes=5, first_window=datetime(2026, 11, 24, 9, 33, 20, tzinfo=timezone.utc))
    first, last, n = _window_keys(settings, NOW)
    assert (first, last, n) == ("2026-11-24-09:30", "2026-11-24-10:05", 3 * 8)
    # the demo's case: 1-minute windows, started 10 minutes ago (09:57:30 -> 09:57 .. 10:07 = 11 windows)
    demo = PipelineSettings.from_env({"ODDS_CADENCE_MINUTES": "1", "ODDS_PARTITION_DAYS": "1",
                                      "ODDS_FIRST_WINDOW": "2026-11-24T09:57:30Z"})
    assert _window_keys(demo, NOW) == ("2026-11-24-09:57", "2026-11-24-10:07", 3 * 11)
    # two days later the one-day horizon is later than the first window: yesterday 00:00 .. 10:07
    later = NOW + timedelta(days=2)
    assert _window_keys(demo, later) == ("2026-11-25-00:00", "2026-11-26-10:07", 3 * (1440 + 10 * 60 + 8))


def test_first_window_earlier_than_the_horizon_or_in_the_future() -> None:
    old = PipelineSettings(cadence_minutes=5, partition_days=2,
                           first_window=datetime(2026, 11, 1, tzinfo=timezone.utc))
    assert _window_keys(old, NOW)[0] == "2026-11-22-00:00"
    # a first window ahead of the clock: the open window is still a partition (the schedule scrapes it)
    ahead = PipelineSettings(cadence_minutes=5, first_window=datetime(2026, 11, 25, tzinfo=timezone.utc))
    assert _window_keys(ahead, NOW) == ("2026-11-24-10:05", "2026-11-24-10:05", 3)


def test_write_sensor_ignores_windows_before_the_first_window(pipeline: Pipeline) -> None:
    # a snapshot landed in a window before ODDS_FIRST_WINDOW is no partition: the sensor does not ask for it
    pipeline.scrape("betpawa", T0)
    settings = pipeline.settings.with_(first_window=T0 + timedelta(minutes=5))
    started_later = replace(pipeline, settings=settings,
                            defs=make_defs(settings, pipeline.archive_url, pipeline.db_url, pipeline.sim_url))
    assert not started_later.sensor("write_odds_sensor").run_requests
    # without it the same window is pending
    requests = pipeline.sensor("write_odds_sensor").run_requests
    assert [r.partition_key for r in requests] == ["betpawa|" + T0.strftime("%Y-%m-%d-%H:%M")]


def test_retention_keeps_archive_days_outside_the_partition_horizon(pipeline: Pipeline) -> None:
    # a one-day partition horizon, 14 days of retention: the archive keeps 14 days all the same
    settings = settings_for_test(partition_days=1)
    defs = make_defs(settings, pipeline.archive_url, pipeline.db_url, pipeline.sim_url)
    today = datetime.now(timezone.utc).date()
    archive = Archive(pipeline.archive_url)
    kept_day, expired_day = today - timedelta(days=5), today - timedelta(days=15)
    for day in (kept_day, expired_day, today - timedelta(days=14)):
        t = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc).replace(hour=12)
        archive.window("sportybet", t).write_raw([], captured_at=t, started_at=t, finished_at=t)
    result = defs.resolve_job_def("maintain_odds_job").execute_in_process(instance=pipeline.instance)
    assert result.success
    m = meta(materializations(result)[0])
    assert m["archive_first_day"] == (today - timedelta(days=14)).isoformat()
    [pruned] = m["archive_days_pruned"]
    assert pruned.endswith(f"sportybet/{expired_day:%Y-%m-%d}")
    assert archive.days("sportybet") == [today - timedelta(days=14), kept_day]
