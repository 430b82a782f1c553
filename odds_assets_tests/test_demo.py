"""The demo's status line, read from real state: a real odds database and a real Dagster instance on
PostgreSQL (the demo's own DAGSTER_HOME layout) holding runs the tests create — failed runs are real
executions that raise; and the partition span the demo gives its Dagster processes. The stack itself is
tested in test_e2e."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from odds_assets import demo
from odds_assets.dagster_home import dagster_env
from odds_assets.db.engine import apply_snapshot
from odds_assets.db.server import DatabaseUrls
from odds_assets.defs.common.status import RunStatus
from odds_assets.demo import (
    CAUSE_CHARS,
    DemoConfig,
    DemoStack,
    board_argv,
    board_env,
    first_window,
    partition_env,
    progress_line,
)
from odds_assets.errors import DemoError
from odds_assets.settings import PipelineSettings
from odds_assets_tests.conftest import _with_db
from odds_assets_tests.factories import event_odds, market, snap

SKIPPED = "odds/skipped"  # the run tag of a scrape skipped because its window closed before it started
NO_RUNS = "scrapes 0 failed, 0 skipped"


def _stack(url: str, env: dict[str, str] | None = None, started_at: datetime | None = None) -> DemoStack:
    stack = DemoStack(config=DemoConfig(state=Path("/nonexistent")), urls=DatabaseUrls(odds=url, dagster=url),
                      env=env or {})
    if started_at is not None:
        stack.started_at = started_at
    return stack


@pytest.fixture
def dagster_url(pg_admin_url: str) -> Iterator[str]:
    """An empty database for Dagster's storage (created by the instance on first open, like the demo's)."""
    name = f"dagster_test_{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield _with_db(pg_admin_url, name)
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def demo_env(tmp_path: Path, odds_db_url: str, dagster_url: str) -> dict[str, str]:
    """The environment the demo gives its Dagster processes (DAGSTER_HOME + the storage URL)."""
    return dagster_env(DatabaseUrls(odds=odds_db_url, dagster=dagster_url), tmp_path / "dagster")


@pytest.fixture
def instance(demo_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.DagsterInstance]:
    with monkeypatch.context() as m:
        for k, v in demo_env.items():
            m.setenv(k, v)
        inst = dg.DagsterInstance.from_config(demo_env["DAGSTER_HOME"])
    with inst:
        yield inst


@dg.op
def work(context) -> None:  # (dagster rejects a string annotation of `context`)
    error = context.run.tags.get("test/error")
    if error:
        raise RuntimeError(error)


scrape_job = dg.GraphDefinition(name="scrape_odds_job", node_defs=[work]).to_job()
write_job = dg.GraphDefinition(name="write_odds_job", node_defs=[work]).to_job()


def _execute(instance: dg.DagsterInstance, job: dg.JobDefinition, tags: dict[str, str]) -> str:
    result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False)
    return result.run_id


def _add(instance: dg.DagsterInstance, status: dg.DagsterRunStatus, tags: dict[str, str]) -> dg.DagsterRun:
    """A run that has not executed: queued (enqueued the way the queued run coordinator does) or started."""
    # a queued run names the code location the daemon will launch it from (no public constructor for it)
    from dagster._core.remote_origin import RegisteredCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin

    origin = RemoteJobOrigin(RemoteRepositoryOrigin(RegisteredCodeLocationOrigin("odds_assets.definitions"),
                                                    "__repository__"), "scrape_odds_job")
    run = instance.add_run(dg.DagsterRun(job_name="scrape_odds_job", run_id=str(uuid.uuid4()), tags=tags,
                                         remote_job_origin=origin))
    if status == dg.DagsterRunStatus.QUEUED:
        instance.report_dagster_event(dg.DagsterEvent(event_type_value=dg.DagsterEventType.RUN_ENQUEUED.value,
                                                      job_name=run.job_name), run.run_id)
    elif status == dg.DagsterRunStatus.STARTED:
        instance.report_dagster_event(dg.DagsterEvent(event_type_value=dg.DagsterEventType.RUN_START.value,
                                                      job_name=run.job_name), run.run_id)
    latest = instance.get_run_by_id(run.run_id)
    assert latest is not None and latest.status == status
    return latest


def _scrape_tags(book: str, window: str, **more: str) -> dict[str, str]:
    return {"odds/bookmaker": book, "odds/scrape_slot": book, "dagster/partition": f"{book}|2026-11-29-{window}",
            **more}


def test_status_line_without_runs(odds_db_url, odds_conn, demo_env, instance) -> None:
    assert progress_line(_stack(odds_db_url, demo_env)) == "\n".join([
        f"betpawa: 0 windows written; {NO_RUNS}", f"sportybet: 0 windows written; {NO_RUNS}",
        f"bet9ja: 0 windows written; {NO_RUNS}", "history 0 rows"])
    over = market(5000, "2.5", "1.8", "2")
    apply_snapshot(odds_conn, snap(0, event_odds(1, market(3743, None, "2", "3", "4"), over)))
    apply_snapshot(odds_conn, snap(5, event_odds(1, market(3743, None, "2", "3", "5"), over)))
    betpawa, sportybet, bet9ja, history = progress_line(_stack(odds_db_url, demo_env)).split("\n")
    # the time is shown in the server's time zone
    assert betpawa.startswith("betpawa: 2 windows written (last ")
    assert betpawa.endswith(f", 2 current rows); {NO_RUNS}")
    assert (sportybet, bet9ja, history) == (f"sportybet: 0 windows written; {NO_RUNS}",
                                            f"bet9ja: 0 windows written; {NO_RUNS}", "history 3 rows")


def test_status_line_counts_failed_and_skipped_runs_with_the_latest_cause(odds_db_url, demo_env, instance) -> None:
    # before the demo started: not counted
    _execute(instance, scrape_job, _scrape_tags("betpawa", "09:58", **{"test/error": "an old failure"}))
    time.sleep(0.05)
    started = datetime.now(timezone.utc)
    # betpawa: a write failure, then three scrape failures (the last one the latest), two skips, one success
    _execute(instance, write_job, {"odds/bookmaker": "betpawa", "odds/first_partition": "betpawa|2026-11-29-10:01",
                                   "test/error": "lock timeout on market_odds_current"})
    for window in ("10:02", "10:03"):
        _execute(instance, scrape_job, _scrape_tags("betpawa", window, **{"test/error": "HTTP 503 from betpawa"}))
    _execute(instance, scrape_job, _scrape_tags("betpawa", "10:04", **{"test/error": "connection refused\n  by "
                                                                        + "the book " * 40}))
    _execute(instance, scrape_job, _scrape_tags("betpawa", "10:05", **{SKIPPED: "window closed before the run"}))
    queued = _add(instance, dg.DagsterRunStatus.QUEUED, _scrape_tags("betpawa", "10:06",
                                                                     **{SKIPPED: "closed while queued"}))
    instance.report_run_canceled(queued, message="Skipped: closed while queued")
    _execute(instance, scrape_job, _scrape_tags("betpawa", "10:07"))
    # sportybet: a hung run failed by run monitoring (no step failure: the run's own message is the cause),
    # one run queued and one cancelled by hand
    hung = _add(instance, dg.DagsterRunStatus.STARTED, _scrape_tags("sportybet", "10:03"))
    instance.report_run_failed(hung, message="Exceeded maximum runtime of 60 seconds.")
    waiting = _add(instance, dg.DagsterRunStatus.QUEUED, _scrape_tags("sportybet", "10:08"))
    by_hand = _add(instance, dg.DagsterRunStatus.QUEUED, _scrape_tags("sportybet", "10:04"))
    instance.report_run_canceled(by_hand)

    stack = _stack(odds_db_url, demo_env, started_at=started)
    # no overlap between reads: a run missed by the incremental read would show below
    stack._runs = RunStatus(demo_env, started, overlap=timedelta(0))
    betpawa, sportybet, bet9ja, history = progress_line(stack).split("\n")

    cause = "last failure: scrape 10:04: work: RuntimeError: connection refused by the book the book"
    assert betpawa.startswith(f"betpawa: 0 windows written; scrapes 3 failed, 2 skipped; writes 1 failed; {cause}")
    assert len(betpawa.split("last failure: ")[1]) == CAUSE_CHARS and betpawa.endswith("…")
    assert sportybet == ("sportybet: 0 windows written; scrapes 1 failed, 0 skipped, 1 cancelled; 1 queued; "
                         "last failure: scrape 10:03: Exceeded maximum runtime of 60 seconds.")
    assert (bet9ja, history) == (f"bet9ja: 0 windows written; {NO_RUNS}", "history 0 rows")
    # the next minute: same answer (read incrementally: no run changed; the causes come from a cache)
    assert progress_line(stack).split("\n") == [betpawa, sportybet, bet9ja, history]

    # then sportybet's queued run is skipped the way the schedule does it (tagged, then cancelled), and
    # bet9ja's first scrape fails: only these runs changed, and the line says so
    instance.add_run_tags(waiting.run_id, {SKIPPED: "window closed while queued"})
    instance.report_run_canceled(waiting, message="Skipped: window closed while queued")
    _execute(instance, scrape_job, _scrape_tags("bet9ja", "10:09", **{"test/error": "no such market"}))
    assert progress_line(stack).split("\n") == [
        betpawa,
        "sportybet: 0 windows written; scrapes 1 failed, 1 skipped, 1 cancelled; "
        "last failure: scrape 10:03: Exceeded maximum runtime of 60 seconds.",
        "bet9ja: 0 windows written; scrapes 1 failed, 0 skipped; "
        "last failure: scrape 10:09: work: RuntimeError: no such market",
        history]


def test_status_line_without_dagster_storage(odds_db_url, tmp_path: Path) -> None:
    env = dagster_env(DatabaseUrls(odds=odds_db_url, dagster="postgresql://nobody@127.0.0.1:1/dagster"),
                      tmp_path / "dagster")
    *books, history, note = progress_line(_stack(odds_db_url, env)).split("\n")
    assert books == ["betpawa: 0 windows written", "sportybet: 0 windows written", "bet9ja: 0 windows written"]
    assert history == "history 0 rows" and note.startswith("runs not read (")


def test_status_line_without_any_database() -> None:
    line = progress_line(_stack("postgresql://nobody@127.0.0.1:1/odds"))
    odds, runs = line.split("\n")
    assert odds == "odds database not reachable (OperationalError); scrapes keep archiving"
    assert runs.startswith("runs not read (KeyError")


def test_first_window_is_written_once_and_reused(tmp_path: Path) -> None:
    first = datetime(2026, 11, 24, 10, 3, 20, 123456, tzinfo=timezone.utc)
    assert first_window(tmp_path, now=first) == "2026-11-24T10:03:20+00:00"
    assert (tmp_path / "first_window").read_text().strip() == "2026-11-24T10:03:20+00:00"
    # a restart a day later keeps the first start
    assert first_window(tmp_path, now=first + timedelta(days=1)) == "2026-11-24T10:03:20+00:00"
    assert first_window(tmp_path) == "2026-11-24T10:03:20+00:00"


def test_partition_env_of_the_dagster_processes(tmp_path: Path) -> None:
    config = DemoConfig(state=tmp_path)
    env = partition_env(config, {})
    assert env == {"ODDS_PARTITION_DAYS": "1", "ODDS_FIRST_WINDOW": (tmp_path / "first_window").read_text().strip()}
    assert partition_env(config, {}) == env  # a restart: the same first window
    # the Dagster processes read them as settings: partitions from the first start, one day back
    settings = PipelineSettings.from_env({**env, "ODDS_CADENCE_MINUTES": "1"})
    assert settings.partition_horizon_days == 1 and settings.retention_days == 14
    assert settings.first_window == datetime.fromisoformat(env["ODDS_FIRST_WINDOW"])
    # values set by the operator win
    assert partition_env(config, {"ODDS_PARTITION_DAYS": "3", "ODDS_FIRST_WINDOW": "2026-11-01T00:00Z"}) == {}


def test_the_board_runs_as_the_read_only_role_on_loopback_linked_to_the_ui(tmp_path: Path) -> None:
    odds = "postgresql://postgres@/odds?host=/tmp/sock"
    assert board_env(odds, {}) == {"ODDS_WEB_DATABASE_URL": "postgresql://odds_web@/odds?host=/tmp/sock"}
    assert board_env(odds, {"ODDS_WEB_DATABASE_URL": "postgresql://odds_web:pw@db/odds"}) == {}  # the operator's
    stack = DemoStack(config=DemoConfig(state=tmp_path, ui_port=3001), urls=DatabaseUrls(odds, odds), env={},
                      web_port=8099)
    argv = board_argv(stack)
    assert argv[1:5] == ["-m", "odds_assets.cli", "web", "--host"]
    assert argv[5:] == ["127.0.0.1", "--port", "8099", "--dagster-url", "http://127.0.0.1:3001"]
    assert stack.web_url == "http://127.0.0.1:8099"


def test_the_board_port_is_the_configured_one_or_a_free_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        with pytest.raises(DemoError, match=f"port {taken} \\(board\\) is in use; pick another with --web-port"):
            demo._web_port(DemoConfig(state=tmp_path, web_port=taken))
        monkeypatch.setattr(demo, "WEB_PORT", taken)  # the default taken: any free port
        chosen = demo._web_port(DemoConfig(state=tmp_path))
        assert chosen != taken and demo._port_free("127.0.0.1", chosen)
    assert demo._web_port(DemoConfig(state=tmp_path)) == taken  # the default, free again
