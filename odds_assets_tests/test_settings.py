"""``PipelineSettings.from_env``: the partition horizon (``ODDS_PARTITION_DAYS``) and the first window
(``ODDS_FIRST_WINDOW``), parsed and validated; errors name the variable."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from odds_assets.settings import PipelineSettings


def test_partition_days_defaults_to_retention_and_is_read_from_the_environment() -> None:
    default = PipelineSettings.from_env({})
    assert (default.retention_days, default.partition_days, default.partition_horizon_days) == (14, None, 14)
    assert PipelineSettings.from_env({"ODDS_RETENTION_DAYS": "30"}).partition_horizon_days == 30
    short = PipelineSettings.from_env({"ODDS_PARTITION_DAYS": "2"})
    assert (short.partition_days, short.partition_horizon_days, short.retention_days) == (2, 2, 14)
    assert PipelineSettings.from_env({"ODDS_PARTITION_DAYS": "14"}).partition_horizon_days == 14
    assert PipelineSettings.from_env({"ODDS_PARTITION_DAYS": ""}).partition_days is None


@pytest.mark.parametrize("env", [{"ODDS_PARTITION_DAYS": "0"}, {"ODDS_PARTITION_DAYS": "15"},
                                 {"ODDS_PARTITION_DAYS": "8", "ODDS_RETENTION_DAYS": "7"},
                                 {"ODDS_PARTITION_DAYS": "one"}])
def test_partition_days_outside_one_to_retention_is_refused(env: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="ODDS_PARTITION_DAYS"):
        PipelineSettings.from_env(env)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-11-24T10:03:20Z", datetime(2026, 11, 24, 10, 3, 20, tzinfo=timezone.utc)),
    ("2026-11-24T10:03:20+00:00", datetime(2026, 11, 24, 10, 3, 20, tzinfo=timezone.utc)),
    ("2026-11-24T11:03:20+01:00", datetime(2026, 11, 24, 10, 3, 20, tzinfo=timezone.utc)),
    ("2026-11-24 10:03", datetime(2026, 11, 24, 10, 3, tzinfo=timezone.utc)),  # no offset: UTC
])
def test_first_window_is_parsed_as_utc(raw: str, expected: datetime) -> None:
    first = PipelineSettings.from_env({"ODDS_FIRST_WINDOW": raw}).first_window
    assert first == expected and first is not None and first.utcoffset() == timedelta(0)


def test_first_window_unset_or_malformed() -> None:
    assert PipelineSettings.from_env({}).first_window is None
    assert PipelineSettings.from_env({"ODDS_FIRST_WINDOW": ""}).first_window is None
    for bad in ("yesterday", "24/11/2026 10:03", "2026-13-01T00:00Z"):
        with pytest.raises(ValueError, match="ODDS_FIRST_WINDOW"):
            PipelineSettings.from_env({"ODDS_FIRST_WINDOW": bad})
    with pytest.raises(ValueError, match="ODDS_FIRST_WINDOW"):  # a naive datetime given in code
        PipelineSettings(first_window=datetime(2026, 11, 24, 10, 3))
