"""``ODDS_TEST_CPU_STRESS=N``: N busy-loop processes compete with every e2e module's stack (see
``_load.py``). The fixture is module-scoped and autouse, so pytest sets it up before the module's
(non-autouse) module-scoped ``stack`` fixture and tears it down after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from odds_assets_tests.test_e2e._load import ENV, cpu_stress, stress_count


@pytest.fixture(scope="module", autouse=True)
def cpu_stress_around_e2e_module(request: pytest.FixtureRequest) -> Iterator[None]:
    n = stress_count()
    if n == 0 or request.node.get_closest_marker("e2e") is None:
        yield
        return
    with cpu_stress(n) as procs:
        print(f"[{ENV}] {n} busy-loop processes around {request.node.name}: {[p.pid for p in procs]}")
        yield
