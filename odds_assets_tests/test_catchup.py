"""How writes catch up (``odds_assets.catchup``): the chain of consecutive pending windows one write
run takes, and the backoff after failed writes. Expected values are written out by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from odds_assets.catchup import backoff_s, next_chain
from odds_assets.settings import PipelineSettings

FIVE = timedelta(minutes=5)


def test_next_chain_of_nothing_is_empty() -> None:
    assert next_chain([], FIVE, 48) == []


def test_next_chain_takes_consecutive_windows_in_order() -> None:
    windows = ["2026-11-24-10:00", "2026-11-24-10:05", "2026-11-24-10:10", "2026-11-24-10:15"]
    assert next_chain(windows, FIVE, 48) == windows


def test_a_gap_ends_the_chain() -> None:
    # 10:10 has no snapshot (a failed scrape): 10:15 and 10:20 wait for the next run
    windows = ["2026-11-24-10:00", "2026-11-24-10:05", "2026-11-24-10:15", "2026-11-24-10:20"]
    assert next_chain(windows, FIVE, 48) == ["2026-11-24-10:00", "2026-11-24-10:05"]
    assert next_chain(["2026-11-24-10:00", "2026-11-24-11:00"], FIVE, 48) == ["2026-11-24-10:00"]
    # the same window twice is no step forward either
    assert next_chain(["2026-11-24-10:00", "2026-11-24-10:00"], FIVE, 48) == ["2026-11-24-10:00"]


@pytest.mark.parametrize("limit,expected", [
    (1, ["2026-11-24-10:00"]),
    (3, ["2026-11-24-10:00", "2026-11-24-10:05", "2026-11-24-10:10"]),
    (5, ["2026-11-24-10:00", "2026-11-24-10:05", "2026-11-24-10:10", "2026-11-24-10:15", "2026-11-24-10:20"]),
    (6, ["2026-11-24-10:00", "2026-11-24-10:05", "2026-11-24-10:10", "2026-11-24-10:15", "2026-11-24-10:20"]),
])
def test_next_chain_respects_the_limit(limit: int, expected: list[str]) -> None:
    windows = ["2026-11-24-10:00", "2026-11-24-10:05", "2026-11-24-10:10", "2026-11-24-10:15", "2026-11-24-10:20"]
    assert next_chain(windows, FIVE, limit) == expected


def test_next_chain_crosses_midnight_and_follows_the_cadence() -> None:
    assert next_chain(["2026-11-24-23:55", "2026-11-25-00:00", "2026-11-25-00:05"], FIVE, 48) == [
        "2026-11-24-23:55", "2026-11-25-00:00", "2026-11-25-00:05"]
    one = timedelta(minutes=1)
    assert next_chain(["2026-11-24-10:00", "2026-11-24-10:01", "2026-11-24-10:02", "2026-11-24-10:04"], one, 48) == [
        "2026-11-24-10:00", "2026-11-24-10:01", "2026-11-24-10:02"]
    # at a 1-minute cadence, windows 5 minutes apart are not consecutive
    assert next_chain(["2026-11-24-10:00", "2026-11-24-10:05"], one, 48) == ["2026-11-24-10:00"]
    # a 48-window chain: four hours of 5-minute windows, the 49th waits
    day = [f"2026-11-24-{h:02d}:{m:02d}" for h in range(0, 5) for m in range(0, 60, 5)]
    assert next_chain(day, FIVE, 48) == day[:48] and day[47] == "2026-11-24-03:55"


@pytest.mark.parametrize("failures,expected", [
    (-1, 0.0), (0, 0.0), (1, 15.0), (2, 30.0), (3, 60.0), (4, 120.0), (5, 240.0), (6, 300.0), (7, 300.0),
    (40, 300.0),
])
def test_backoff_doubles_from_the_base_up_to_the_cap(failures: int, expected: float) -> None:
    settings = PipelineSettings(write_backoff_base_s=15.0, write_backoff_cap_s=300.0)
    assert backoff_s(failures, settings) == expected


def test_backoff_with_other_settings() -> None:
    settings = PipelineSettings(write_backoff_base_s=1.0, write_backoff_cap_s=4.0)
    assert [backoff_s(n, settings) for n in range(0, 6)] == [0.0, 1.0, 2.0, 4.0, 4.0, 4.0]
    half = PipelineSettings(write_backoff_base_s=0.5, write_backoff_cap_s=3.0)
    assert [backoff_s(n, half) for n in range(1, 5)] == [0.5, 1.0, 2.0, 3.0]


@pytest.mark.parametrize("failures", [1025, 5000])
def test_backoff_stays_at_the_cap_after_very_many_failures(failures: int) -> None:
    # the write sensor counts every failed run of a window: at the 300 s cap, 1025 failures are 85 hours
    # of a database outage, well inside the 14 days of retention
    settings = PipelineSettings(write_backoff_base_s=15.0, write_backoff_cap_s=300.0)
    assert backoff_s(failures, settings) == 300.0
