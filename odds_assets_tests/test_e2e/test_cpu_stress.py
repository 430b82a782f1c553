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
        # each one burns CPU: wait for a second of it each (a condition, not a share of a core: the machine
        # may be loaded, by an ODDS_TEST_CPU_STRESS run's own spinners too)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and min(sum(p.cpu_times()[:2]) for p in procs) < 1.0:
            assert all(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in procs)
            time.sleep(0.2)
        busy = {p.pid: round(sum(p.cpu_times()[:2]), 2) for p in procs}
        assert min(busy.values()) >= 1.0, f"not spinning (CPU seconds): {busy}"
    assert not any(alive(pid) for pid in pids)


def test_the_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert stress_count() == 0
    monkeypatch.setenv(ENV, "3")
    assert stress_count() == 3
    monkeypatch.setenv(ENV, "-1")
    with pytest.raises(ValueError):
        stress_count()
