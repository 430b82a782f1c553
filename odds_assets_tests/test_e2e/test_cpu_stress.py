"""The ``ODDS_TEST_CPU_STRESS`` load itself (not e2e: no stack, ~2 s)."""

from __future__ import annotations

import time

import psutil
import pytest

from odds_assets_tests.test_e2e._load import ENV, alive, cpu_stress, stress_count


def test_the_load_processes_spin_inside_and_are_gone_after() -> None:
    with cpu_stress(2) as procs:
        pids = [p.pid for p in procs]
        assert len(set(pids)) == 2
        for p in procs:
            p.cpu_percent(None)
        time.sleep(1.0)
        for p in procs:
            assert p.is_running() and p.status() != psutil.STATUS_ZOMBIE
            assert p.cpu_percent(None) > 20, f"{p.pid} is not busy"  # ~100 on a free core; the machine may be shared
    assert not any(alive(pid) for pid in pids)


def test_the_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert stress_count() == 0
    monkeypatch.setenv(ENV, "3")
    assert stress_count() == 3
    monkeypatch.setenv(ENV, "-1")
    with pytest.raises(ValueError):
        stress_count()
