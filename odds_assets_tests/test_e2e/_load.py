"""CPU load for a test run: ``ODDS_TEST_CPU_STRESS=N`` runs N busy-loop processes for the whole run, the
end-to-end modules' stacks included (started and stopped by ``odds_assets_tests/conftest.py``), so a run on
a loaded machine can be reproduced anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import psutil

ENV = "ODDS_TEST_CPU_STRESS"

# Spins on one core at niceness 0 (best effort: an unprivileged process cannot lower an inherited
# niceness) and ends by itself if the test process goes away without stopping it (no orphan spinning).
_SPIN = """
import os
try:
    os.setpriority(os.PRIO_PROCESS, 0, 0)
except OSError:
    pass
parent = os.getppid()
while os.getppid() == parent:
    for _ in range(2_000_000):
        pass
"""


def stress_count() -> int:
    """N of ``ODDS_TEST_CPU_STRESS`` (0 when unset or empty)."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return 0
    n = int(raw)
    if n < 0:
        raise ValueError(f"{ENV} must be >= 0, got {raw!r}")
    return n


def alive(pid: int) -> bool:
    """A process of this pid runs (a zombie does not count)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@contextmanager
def cpu_stress(n: int) -> Iterator[list[psutil.Process]]:
    """``n`` processes each spinning on a core while the block runs; on exit all killed and reaped,
    and an assertion that none is left."""
    procs = [subprocess.Popen([sys.executable, "-c", _SPIN], stdin=subprocess.DEVNULL) for _ in range(n)]
    try:
        yield [psutil.Process(p.pid) for p in procs]
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait(timeout=10)
        left = [p.pid for p in procs if p.poll() is None or alive(p.pid)]
        assert left == [], f"CPU load processes left running: {left}"
