"""Shared fixtures: a real PostgreSQL for the whole session, and a fresh migrated database per test.

The server is ``ODDS_TEST_DATABASE_URL`` (a superuser URL of an existing server) when set; otherwise an
embedded PostgreSQL 18 is started in a temporary directory and stopped at the end (one per xdist worker).
Database tests never skip: without either, the session fails loudly.

The suite runs on two xdist workers, a module at a time (``-n 2 --dist loadfile --no-loadscope-reorder``
in ``pyproject.toml``), with the end-to-end modules collected first and scheduled as one unit: one worker
spends their minutes of wall-clock windows, one stack after the other, while the other runs the rest.
``ODDS_TEST_CPU_STRESS=N`` keeps N busy-loop processes spinning for the whole run (started and stopped by
the controlling process, so N in all, not per worker).
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"

_counter = itertools.count()

#: the e2e modules, longest first: collected (so scheduled) before everything else
E2E_FIRST = ("test_e2e/test_faults.py", "test_e2e/test_demo_stack.py")
_STRESS = pytest.StashKey[ExitStack]()


def _e2e_rank(nodeid: str) -> int:
    """Index of the test's module in E2E_FIRST; len(E2E_FIRST) for any other module."""
    path = nodeid.split("::", 1)[0]
    return next((i for i, suffix in enumerate(E2E_FIRST) if path.endswith(suffix)), len(E2E_FIRST))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: _e2e_rank(item.nodeid))  # stable: the order within each module is kept


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadfile``, but the e2e modules are one unit of work: they run one after the other on one
    worker (two demo stacks side by side would load the machine twice over), the rest on the other."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling  # type: ignore[import-untyped]  # ships no py.typed

    class E2EOnOneWorker(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "e2e modules" if _e2e_rank(nodeid) < len(E2E_FIRST) else super()._split_scope(nodeid)

    return E2EOnOneWorker(config, log)


def pytest_configure(config: pytest.Config) -> None:
    from odds_assets_tests.test_e2e._load import ENV, cpu_stress, stress_count

    n = stress_count()
    if n == 0 or os.environ.get("PYTEST_XDIST_WORKER"):  # workers: the controller holds the load
        return
    stack = ExitStack()
    procs = stack.enter_context(cpu_stress(n))
    config.stash[_STRESS] = stack
    print(f"[{ENV}] {n} busy-loop processes for the whole run: {[p.pid for p in procs]}", flush=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    stack = config.stash.get(_STRESS, None)
    if stack is not None:
        stack.close()


def _with_db(url: str, name: str) -> str:
    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc, "/" + name, p.query, p.fragment))


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Superuser URL (``postgres`` database) of the session's PostgreSQL server."""
    configured = os.environ.get("ODDS_TEST_DATABASE_URL")
    if configured:
        yield _with_db(configured, "postgres")
        return
    from odds_assets.db.server import start_embedded, stop_embedded

    # Not under pytest's basetemp: pytest prunes old basetemp dirs, which would pull the data directory
    # from under a server still used by a concurrent pytest run on the same machine.
    root = Path(tempfile.mkdtemp(prefix="odds-test-pg-"))
    pgdata = root / "pgdata"
    server = start_embedded(pgdata)
    try:
        yield server.url("postgres")
    finally:
        stop_embedded(pgdata)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def odds_template_url(pg_admin_url: str) -> str:
    """A database migrated to head once per session, cloned for each test."""
    from odds_assets.db import migrate

    name = f"odds_template_{os.getpid()}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = _with_db(pg_admin_url, name)
    migrate.upgrade(url)
    return url


def make_database(pg_admin_url: str, template_url: str, prefix: str = "odds_test") -> str:
    """Create a fresh database cloned from the migrated template; returns its URL."""
    name = f"{prefix}_{os.getpid()}_{next(_counter)}"
    template = urlsplit(template_url).path.lstrip("/")
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    return _with_db(pg_admin_url, name)


def drop_database(pg_admin_url: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def odds_db_url(pg_admin_url: str, odds_template_url: str) -> Iterator[str]:
    """URL of a fresh, migrated, empty odds database for one test."""
    url = make_database(pg_admin_url, odds_template_url)
    try:
        yield url
    finally:
        drop_database(pg_admin_url, url)


@pytest.fixture
def odds_conn(odds_db_url: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection to a fresh odds database (the engine opens its own transactions)."""
    with psycopg.connect(odds_db_url, autocommit=True) as conn:
        yield conn
