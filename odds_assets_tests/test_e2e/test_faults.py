"""End-to-end fault suite: ONE demo stack (simulator, dagster-daemon, dagster-webserver; 1-minute windows,
30 events per book) with the odds database on a PostgreSQL server of its own, apart from Dagster's
storage (as production keeps them: with one shared server a frozen odds server freezes Dagster too).
Faults are injected window by window; every wait is on an observable condition (Dagster's run table,
pg_stat_activity, the odds database) or on a wall-clock instant (a window opening), never a fixed sleep.

Phases (window = one minute):

- W1–W3 an ACCESS EXCLUSIVE lock on ``market_odds_history`` held by another connection: every writer
  blocks after its ``market_odds_current`` upsert, times out (``lock_timeout``) and retries instead of
  hanging; scrapes go on.
  - W1: ``kill -9`` of a write run's process while its transaction waits on the lock, current already
    upserted (seen in ``pg_stat_activity``/``pg_locks`` by its ``application_name``): atomicity;
  - W2: betpawa 429 storm, sportybet HTML pages, bet9ja's archive folder replaced by a FILE (its scrape
    fails naming the archive);
  - W3: ``kill -9`` of the odds PostgreSQL (postmaster + backends) while a writer waits on the lock,
    current upserted; restarted on the same data directory (the lock dies with it).
- W4–W6 the odds server frozen (``SIGSTOP``), ``SIGCONT`` after W6's scrapes: every window of every book
  is still scraped and archived on time.
  - W4: bet9ja 403 storm (listing blocked: completeness blocks its write), betpawa truncated JSON +
    renamed price field, sportybet truncated board, ``kill -9`` of dagster-daemon during a scrape;
  - W5: sportybet's scrape run frozen (``SIGSTOP``) mid-scrape: run monitoring fails it after one cadence
    and sportybet's W6 is scraped on time; bet9ja's archived W5 snapshot corrupted: once the database is
    back, W5 is passed over (not written, ``applied`` ERROR, one failure line), W6 is written;
    after the fix (the file restored) a backfill launched through GraphQL writes W5.
- then, once every book is written through W6 and the backfill has written W5, the daemon is stopped
  (nothing new starts) before the assertions, which cover every window written, W6 and later too.

Assertions: scrape runs started inside their windows; every window with a complete scrape written (or its
reason recorded); history as of every written window, for every event seen so far, equals the simulator's
truth at the time that event's detail was last fetched (an event that failed in a window keeps its
previous state); current likewise; writes applied in window order (but the backfill); no two consecutive
history rows equal; every failed run names its cause; no process left behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest

from odds_assets.archive import Archive
from odds_assets.dagster_home import CODE_LOCATION_ARGS
from odds_assets.db.server import EmbeddedServer, start_embedded, stop_embedded
from odds_assets.demo import _spawn, _stop_tree
from odds_assets.models import BOOKMAKER_IDS, BOOKMAKERS
from odds_assets.windows import WINDOW_FMT
from odds_assets_tests.test_e2e._stack import (
    current_of,
    fetch_times,
    graphql,
    history_as_of,
    running_stack,
    truth,
    window_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

TERMINAL = ("SUCCESS", "FAILURE", "CANCELED")
IN_FLIGHT = ("QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING")
MINUTE = timedelta(minutes=1)
#: a writer of the pipeline waiting on the history lock with its current upsert done (same transaction)
BLOCKED_WRITER = """
SELECT a.pid, a.application_name, left(a.query, 100) FROM pg_stat_activity a
WHERE a.application_name LIKE 'odds_assets write %%' AND a.wait_event_type = 'Lock'
  AND a.query ILIKE '%%market_odds_history%%'
  AND EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
              WHERE l.pid = a.pid AND l.granted AND c.relname = 'market_odds_current'
                AND l.mode = 'RowExclusiveLock')
ORDER BY a.xact_start LIMIT 1
"""


def say(msg: str) -> None:
    print(f"[faults {datetime.now(timezone.utc):%H:%M:%S}] {msg}", flush=True)


def _wkey(w: datetime) -> str:
    return w.strftime(WINDOW_FMT)


def _until(t: datetime) -> None:
    """Wait for a wall-clock instant (a window opening): the only waits that are not on a condition."""
    while (left := (t - datetime.now(timezone.utc)).total_seconds()) > 0:
        time.sleep(min(left, 0.5))


# --------------------------------------------------------------------------------------- stack
class Faults:
    """The stack, the two database servers and a record of what the phases did."""

    def __init__(self, stack, odds_pgdata: Path, watch: list[int]) -> None:
        self.stack = stack
        self.odds_pgdata = odds_pgdata
        self.watch = watch
        self.windows: dict[str, datetime] = {}
        self.notes: list[str] = []
        self.killed_runs: list[str] = []
        self.frozen_run: str | None = None
        self.corrupt_key: str | None = None
        self.lock_held_s = 0.0
        self.freeze_s = 0.0

    @property
    def archive(self) -> Archive:
        return Archive(self.stack.env["ODDS_ARCHIVE_URL"])

    # ------------------------------------------------------------------ Dagster's run table (SQL)
    def runs(self, job: str | None = None) -> list[dict]:
        """Runs with status, partition (single or range), start time and schedule from Dagster's storage."""
        sql = ("SELECT r.run_id, r.pipeline_name, r.status, r.start_time, "
               "max(CASE WHEN t.key = 'dagster/partition' THEN t.value END), "
               "max(CASE WHEN t.key = 'dagster/asset_partition_range_start' THEN t.value END), "
               "max(CASE WHEN t.key = 'dagster/asset_partition_range_end' THEN t.value END), "
               "max(CASE WHEN t.key = 'dagster/schedule_name' THEN t.value END) "
               "FROM runs r LEFT JOIN run_tags t ON t.run_id = r.run_id "
               + ("WHERE r.pipeline_name = %s " if job else "")
               + "GROUP BY r.run_id, r.pipeline_name, r.status, r.start_time")
        for _ in range(100):
            try:
                with psycopg.connect(self.stack.urls.dagster, connect_timeout=3) as conn:
                    rows = conn.execute(sql, (job,) if job else ()).fetchall()
                break
            except psycopg.OperationalError:
                time.sleep(0.5)
        else:
            raise AssertionError("Dagster's storage unreachable for 50 s")
        return [{"run_id": run_id, "job": name, "status": status, "start": start, "partition": part,
                 "range": (rs, re_) if rs else None, "scheduled": bool(sched)}
                for run_id, name, status, start, part, rs, re_, sched in rows]

    @staticmethod
    def covers(run: dict, key: str) -> bool:
        if run["partition"] == key:
            return True
        if run["range"]:
            (bs, ws), (be, we) = (s.split("|", 1) for s in run["range"])
            book, w = key.split("|", 1)
            return book == bs and ws <= w <= we
        return False

    def scrape_run(self, book: str, w: datetime) -> dict | None:
        runs = [r for r in self.runs("scrape_odds_job") if r["scheduled"] and r["partition"] == f"{book}|{_wkey(w)}"]
        return runs[0] if runs else None

    def wait_scrapes_done(self, w: datetime, timeout: float = 150) -> dict[str, str]:
        """Wait until the scrape run of every book for window ``w`` has ended; their statuses."""
        deadline = time.monotonic() + timeout
        status: dict[str, str] = {}
        while time.monotonic() < deadline:
            self.assert_alive()
            status = {}
            for r in self.runs("scrape_odds_job"):
                book = (r["partition"] or "|").split("|")[0]
                if r["partition"] == f"{book}|{_wkey(w)}":
                    status[book] = r["status"]
            if len(status) == len(BOOKMAKERS) and all(s in TERMINAL for s in status.values()):
                say(f"scrapes of {_wkey(w)} ended: {status}")
                return status
            time.sleep(0.5)
        raise AssertionError(f"scrapes of {_wkey(w)} did not end within {timeout} s: {status}")

    def assert_alive(self) -> None:
        assert not self.stack.dead(), f"stack processes died: {self.stack.dead()}; logs in {self.stack.config.state}"

    def next_window(self, lead_s: float = 4.0) -> datetime:
        """The next window that opens at least ``lead_s`` from now (faults are set before it opens)."""
        now = datetime.now(timezone.utc)
        w = now.replace(second=0, microsecond=0) + MINUTE
        if (w - now).total_seconds() < lead_s:
            w += MINUTE
        return w

    def set_faults(self, spec: str) -> None:
        r = httpx.post(f"{self.stack.simulator_url}/_sim/faults", json={"spec": spec}, timeout=10)
        r.raise_for_status()
        say(f"simulator faults: {spec or '(none)'}")

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        return graphql(self.stack.ui_url, query, variables)


RUN_LOGS = """
query($runId: ID!) { logsForRun(runId: $runId, limit: 1000) {
  __typename
  ... on EventConnection { events { __typename
      ... on MessageEvent { message level }
      ... on ExecutionStepFailureEvent { error { message causes { message } } }
      ... on ExecutionStepUpForRetryEvent { error { message causes { message } } }
      ... on RunFailureEvent { pipelineFailureError: error { message causes { message } } } } }
  ... on PythonError { message } } }
"""
CHECK_EXECUTIONS = """
query($key: AssetKeyInput!, $name: String!) {
  assetCheckExecutions(assetKey: $key, checkName: $name, limit: 500) {
    status partition evaluation { severity description } } }
"""
LAUNCH_BACKFILL = """
mutation($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) {
  __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }
"""


def run_log_text(f: Faults, run_id: str) -> str:
    data = f.graphql(RUN_LOGS, {"runId": run_id})["logsForRun"]
    parts: list[str] = []
    for ev in data.get("events") or []:
        if ev.get("message"):
            parts.append(ev["message"])
        for err in (ev.get("error"), ev.get("pipelineFailureError")):
            while err:
                parts.append(err["message"])
                causes = err.get("causes") or []
                err = causes[0] if causes else None
    return "\n".join(parts)


# --------------------------------------------------------------------------------------- faults
def _server_procs(pgdata: Path) -> list[psutil.Process]:
    pid = int((pgdata / "postmaster.pid").read_text().splitlines()[0])
    pm = psutil.Process(pid)
    return [pm, *pm.children(recursive=True)]


def run_processes(f: Faults, run_id: str) -> list[psutil.Process]:
    """The process executing a run: the pid its RUN_START event carries (the code server starts each
    run as a multiprocessing spawn child, whose command line does not name the run)."""
    with psycopg.connect(f.stack.urls.dagster) as conn:
        row = conn.execute("SELECT event FROM event_logs WHERE run_id = %s "
                           "AND dagster_event_type IN ('RUN_START', 'PIPELINE_START')", (run_id,)).fetchone()
    m = re.search(r'"pid": (\d+)', row[0]) if row else None
    if not m:
        return []
    try:
        p = psutil.Process(int(m.group(1)))
        return [p] if "spawn_main" in " ".join(p.cmdline()) else []
    except psutil.NoSuchProcess:
        return []


def blocked_writer(f: Faults, timeout: float = 120) -> tuple[int, str, str]:
    """Wait for a write run's connection waiting on the history lock with its current upsert done (same
    transaction); (backend pid, application_name, query)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(f.stack.urls.odds, autocommit=True, application_name="fault-suite probe") as conn:
        while time.monotonic() < deadline:
            row = conn.execute(BLOCKED_WRITER).fetchone()
            if row:
                return row
            time.sleep(0.2)
    raise AssertionError(f"no writer blocked on market_odds_history after its current upsert within {timeout} s")


def kill_blocked_write_run(f: Faults) -> str:
    """kill -9 the process of a write run whose transaction waits on the history lock, current upserted."""
    for _ in range(5):
        pid, app, query = blocked_writer(f)
        prefix = app.rsplit(" ", 1)[-1]
        runs = [r for r in f.runs("write_odds_job") if r["run_id"].startswith(prefix) and r["status"] == "STARTED"]
        procs = run_processes(f, runs[0]["run_id"]) if runs else []
        if procs:
            for p in procs:
                p.kill()
            psutil.wait_procs(procs, timeout=10)
            run = runs[0]
            f.killed_runs.append(run["run_id"])
            how = (f"write run {run['run_id'][:8]} ({run['partition'] or run['range']}) killed -9 while its "
                   f"backend {pid} waited on the history lock with current upserted: {query!r}")
            say(how)
            return how
        time.sleep(0.5)  # the run was between attempts (its process restarting a step): look again
    raise AssertionError("a blocked writer was seen but its run process never")


def kill_postgres_during_blocked_write(f: Faults) -> str:
    """kill -9 the odds PostgreSQL (postmaster + backends) while a writer waits on the history lock with
    its current upsert done, then restart it on the same data directory."""
    pid, app, query = blocked_writer(f)
    procs = _server_procs(f.odds_pgdata)
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.send_signal(signal.SIGKILL)
    psutil.wait_procs(procs, timeout=10)
    t0 = time.monotonic()
    server = start_embedded(f.odds_pgdata)
    assert server.url("odds") == f.stack.urls.odds, (server.url("odds"), f.stack.urls.odds)
    how = (f"odds PostgreSQL killed -9 while {app!r} (backend {pid}) waited on the history lock with current "
           f"upserted: {query!r}; restarted in {time.monotonic() - t0:.1f} s")
    say(how)
    return how


def kill_daemon_during_run(f: Faults, w: datetime, timeout: float = 120) -> str:
    """kill -9 dagster-daemon while a scrape run of ``w`` is STARTED and none is still queued (the queue
    is the daemon's: a restart slowed by load would start a queued run after its window closed, which
    is then skipped by design, not what this fault is about); restart it as demo.py does."""
    stack = f.stack
    deadline = time.monotonic() + timeout
    started: list[dict] = []
    while time.monotonic() < deadline:
        mine = [r for r in f.runs("scrape_odds_job") if r["scheduled"] and (r["partition"] or "").endswith(_wkey(w))]
        started = [r for r in mine if r["status"] == "STARTED"]
        if started and len(mine) == len(BOOKMAKERS) and all(r["status"] not in ("QUEUED", "NOT_STARTED")
                                                             for r in mine):
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"no scrape run of {_wkey(w)} started (none queued) within {timeout} s")
    daemon = stack.processes["daemon"]
    with contextlib.suppress(psutil.NoSuchProcess):  # its children outlive it: watched for the leftover check
        f.watch.extend(c.pid for c in psutil.Process(daemon.pid).children(recursive=True))
    os.kill(daemon.pid, signal.SIGKILL)
    daemon.wait(timeout=10)
    bindir = Path(sys.executable).parent
    stack.processes["daemon"] = _spawn(
        "daemon", [str(bindir / "dagster-daemon"), "run", *CODE_LOCATION_ARGS],
        stack.env, stack.config.state / "logs")
    how = f"dagster-daemon killed -9 while run(s) {[r['partition'] for r in started]} were STARTED; restarted"
    say(how)
    return how


def freeze_scrape_run(f: Faults, book: str, w: datetime, timeout: float = 120) -> str:
    """SIGSTOP the process of ``book``'s scrape run of ``w`` as soon as it runs (mid-scrape)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = f.scrape_run(book, w)
        if run and run["status"] == "STARTED":
            procs = run_processes(f, run["run_id"])
            if procs:
                for p in procs:
                    p.send_signal(signal.SIGSTOP)
                f.frozen_run = run["run_id"]
                f.watch.extend(p.pid for p in procs)
                pids = [p.pid for p in procs]
                how = f"scrape run {run['run_id'][:8]} of {book}|{_wkey(w)} frozen (SIGSTOP pid {pids})"
                say(how)
                return how
        time.sleep(0.1)
    raise AssertionError(f"no scrape run of {book}|{_wkey(w)} started within {timeout} s")


def block_archive(f: Faults, book: str, w: datetime) -> Path:
    """Put a regular FILE where the window's archive folder goes (root cannot write under it either)."""
    path = Path(str(f.archive.window(book, w).path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("not a directory: the fault suite blocks this archive window\n")
    return path


def wait_for(what: str, cond, timeout: float, f: Faults, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        f.assert_alive()
        value = cond()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout} s")


def written_windows(f: Faults) -> dict[str, set[str]]:
    with psycopg.connect(f.stack.urls.odds) as conn:
        rows = conn.execute("SELECT b.name, s.captured_at FROM snapshots s JOIN bookmakers b ON b.id = s.bookmaker")
        out: dict[str, set[str]] = {b: set() for b in BOOKMAKERS}
        for book, t in rows:
            out[book].add(_wkey(window_of(t)))
    return out


# --------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[Path, EmbeddedServer, EmbeddedServer]]:
    """Two PostgreSQL servers: the odds database's and Dagster's storage's."""
    if os.environ.get("ODDS_FAULT_SUITE", "1") == "0":
        pytest.skip("fault suite disabled (ODDS_FAULT_SUITE=0)")
    root = Path(tempfile.mkdtemp(prefix="odds-faults-pg-"))
    odds = start_embedded(root / "odds")
    dagster = start_embedded(root / "dagster")
    try:
        yield root / "odds", odds, dagster
    finally:
        for pgdata in (root / "odds", root / "dagster"):
            with contextlib.suppress(Exception):
                for p in _server_procs(pgdata):  # a test that failed while the server was frozen
                    p.send_signal(signal.SIGCONT)
            stop_embedded(pgdata)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def stack(servers):
    odds_pgdata, odds, dagster = servers
    watch: list[int] = []
    t0 = time.monotonic()
    with running_stack("e2e-faults", 30, say, databases=(odds.url("odds"), dagster.url("dagster")),
                       watch=watch) as started:
        say(f"stack up in {time.monotonic() - t0:.0f} s (odds database on its own server)")
        f = Faults(started, odds_pgdata, watch)
        try:
            yield f
        finally:
            for p in _server_procs(odds_pgdata):
                with contextlib.suppress(psutil.NoSuchProcess):
                    p.send_signal(signal.SIGCONT)
            for pid in watch:  # the frozen scrape process: killed here (run monitoring can only mark it failed)
                with contextlib.suppress(psutil.NoSuchProcess):
                    proc = psutil.Process(pid)
                    if proc.status() == psutil.STATUS_STOPPED:
                        proc.kill()
            for note in f.notes:
                say(f"note: {note}")


@pytest.fixture(scope="module")
def faulted(stack):
    """Runs all phases; returns the Faults record once W6 and the backfill are written and the daemon is
    stopped."""
    f = stack
    t_start = time.monotonic()
    odds_url = f.stack.urls.odds

    # W1-W3: the history table locked by another connection
    w1 = f.next_window()
    f.windows["W1"] = w1
    with psycopg.connect(odds_url, autocommit=True) as conn:  # as maintenance does ahead (hourly, 3 days):
        # a writer creating the day's partition would otherwise wait on the lock before its current upsert
        conn.execute("SELECT odds_ensure_history_partition(d::date) FROM generate_series("
                     "(now() AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date + 1, '1 day') d")
    lock = psycopg.connect(odds_url, application_name="fault-suite lock")
    lock.execute("LOCK TABLE market_odds_history IN ACCESS EXCLUSIVE MODE")
    t_lock = time.monotonic()
    say(f"market_odds_history locked (ACCESS EXCLUSIVE) before {_wkey(w1)} opens")
    f.wait_scrapes_done(w1)
    f.notes.append("W1: " + kill_blocked_write_run(f))

    w2 = f.next_window()
    f.windows["W2"] = w2
    f.set_faults("betpawa:429=0.5;sportybet:html=0.15")
    blocked = block_archive(f, "bet9ja", w2)
    status = f.wait_scrapes_done(w2)
    f.set_faults("")
    blocked.unlink()
    f.notes.append(f"W2 scrape statuses: {status}")

    w3 = f.next_window()
    f.windows["W3"] = w3
    f.wait_scrapes_done(w3)
    f.notes.append("W3: " + kill_postgres_during_blocked_write(f))
    f.lock_held_s = time.monotonic() - t_lock
    with contextlib.suppress(Exception):
        lock.close()  # its server was killed under it
    f.assert_alive()

    # W4-W6: the odds server frozen
    w4 = f.next_window()
    f.windows["W4"] = w4
    f.set_faults("bet9ja:403=1.0;betpawa:truncated=0.3,rename=1.0;sportybet:drop=0.7")
    _until(w4 - timedelta(seconds=1))
    frozen = _server_procs(f.odds_pgdata)
    for p in frozen:
        p.send_signal(signal.SIGSTOP)
    t_freeze = time.monotonic()
    say(f"odds PostgreSQL frozen (SIGSTOP, {len(frozen)} processes)")
    f.notes.append("W4: " + kill_daemon_during_run(f, w4))
    status = f.wait_scrapes_done(w4)
    f.set_faults("")
    f.notes.append(f"W4 scrape statuses: {status}")

    w5, w6 = w4 + MINUTE, w4 + 2 * MINUTE
    f.windows.update(W5=w5, W6=w6)
    f.notes.append("W5: " + freeze_scrape_run(f, "sportybet", w5))
    bet9ja = wait_for("bet9ja's W5 scrape", lambda: (r := f.scrape_run("bet9ja", w5)) and r["status"] in TERMINAL
                      and r, 150, f, every=0.5)
    assert bet9ja["status"] == "SUCCESS", bet9ja
    parquet = Path(str(f.archive.window("bet9ja", w5).path)) / "markets.parquet"
    good = parquet.read_bytes()
    parquet.write_bytes(b"PAR1 this archived snapshot is corrupt (fault suite)")
    f.corrupt_key = f"bet9ja|{_wkey(w5)}"
    say(f"archived snapshot of {f.corrupt_key} corrupted while the database is frozen")
    f.notes.append(f"W5 scrape statuses: {f.wait_scrapes_done(w5)}")
    f.notes.append(f"W6 scrape statuses: {f.wait_scrapes_done(w6)}")
    for p in frozen:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.send_signal(signal.SIGCONT)
    f.freeze_s = time.monotonic() - t_freeze
    say(f"odds PostgreSQL thawed (SIGCONT) after {f.freeze_s:.0f} s")

    # every book written through W6 (the database is back): bet9ja's W5 passed over, its W6 written
    def caught_up() -> bool:
        written = written_windows(f)
        return all(_wkey(w6) in written[b] for b in BOOKMAKERS)

    wait_for("every book written through W6", caught_up, 300, f, every=2)
    assert _wkey(w5) not in written_windows(f)["bet9ja"]
    say("caught up through W6; bet9ja's W5 passed over")

    # the fix, then a backfill of that window through GraphQL (as an operator would from the UI)
    parquet.write_bytes(good)
    result = f.graphql(LAUNCH_BACKFILL, {"params": {"partitionNames": [f.corrupt_key],
                                                    "assetSelection": [{"path": ["current_odds"]}]}})
    assert result["launchPartitionBackfill"]["__typename"] == "LaunchBackfillSuccess", result
    wait_for(f"the backfill of {f.corrupt_key}", lambda: _wkey(w5) in written_windows(f)["bet9ja"], 180, f, every=2)
    say(f"{f.corrupt_key} written by the backfill")

    # stop the daemon before the assertions: no new run starts, none is left half-way
    daemon = f.stack.processes.pop("daemon")
    with contextlib.suppress(psutil.NoSuchProcess):
        f.watch.extend(c.pid for c in psutil.Process(daemon.pid).children(recursive=True))
    f.watch.append(daemon.pid)
    _stop_tree(daemon.pid, timeout=3)  # then SIGKILL: a run cut short rolls back, and is not asserted
    say(f"daemon stopped; all phases done in {time.monotonic() - t_start:.0f} s; windows "
        + ", ".join(f"{k}={_wkey(v)}" for k, v in f.windows.items()))
    return f


# --------------------------------------------------------------------------------------- assertions
def test_scrapes_ran_on_time_whatever_the_database_did(faulted):
    """Every window of every book was scraped inside its window — through the history lock, the server
    kill, the freeze and the frozen scrape — and archived (but the blocked archive and the frozen run).
    The demo starts a window's scrape runs a tick ahead (``ODDS_SCRAPE_PRESTART``): a run starts before its
    window ends (possibly before it opens) and scrapes inside it (the archive's ``captured_at``)."""
    f = faulted
    not_archived = {("bet9ja", "W2"), ("sportybet", "W5")}
    late = []
    for name, w in f.windows.items():
        for book in BOOKMAKERS:
            run = f.scrape_run(book, w)
            assert run is not None, f"no scheduled scrape run of {book} {name} ({_wkey(w)})"
            start = datetime.fromtimestamp(run["start"], timezone.utc) if run["start"] else None
            if start is None or not start < w + MINUTE:
                late.append((book, name, "run started", start))
            if (book, name) not in not_archived:
                assert f.archive.window(book, w).has_raw(), f"{book} {name}: no raw archive"
                scraped = f.archive.window(book, w).read_raw().captured_at
                if not w <= scraped < w + MINUTE:
                    late.append((book, name, "scraped", scraped))
    assert late == [], f"scrape runs not on time: {late}"
    w6 = f.scrape_run("sportybet", f.windows["W6"])
    assert w6 is not None and w6["status"] == "SUCCESS", w6  # on time after the frozen W5 run
    frozen = next(r for r in f.runs("scrape_odds_job") if r["run_id"] == f.frozen_run)
    text = run_log_text(f, frozen["run_id"])
    assert frozen["status"] == "FAILURE" and "maximum runtime" in text, (frozen, text[-1000:])
    f.notes.append(f"lock held {f.lock_held_s:.0f} s, server frozen {f.freeze_s:.0f} s")


def test_expected_windows_written_and_failures_reported(faulted):
    f = faulted
    w = f.windows
    applied = written_windows(f)
    say(f"written windows: {applied}")
    must_miss = {("bet9ja", "W2"), ("bet9ja", "W4"), ("sportybet", "W5")}
    # storms on a book's listing may make its board incomplete: then completeness blocks the write
    may_block = {("betpawa", "W2"), ("sportybet", "W2"), ("betpawa", "W4"), ("sportybet", "W4")}
    execs = f.graphql(CHECK_EXECUTIONS, {"key": {"path": ["odds_snapshot"]}, "name": "completeness"})
    for name, win in w.items():
        for book in BOOKMAKERS:
            key = f"{book}|{_wkey(win)}"
            if (book, name) in must_miss:
                assert _wkey(win) not in applied[book], f"{key} ({name}) was written"
            elif (book, name) in may_block and _wkey(win) not in applied[book]:
                mine = [e for e in execs["assetCheckExecutions"] if e["partition"] == key]
                assert mine and any(e["status"] == "FAILED" for e in mine), (key, mine)
                f.notes.append(f"{name} {key} blocked by completeness: {mine[0]['evaluation']}")
            else:
                assert _wkey(win) in applied[book], f"{book} {name} ({_wkey(win)}) was not written"

    scrapes = f.runs("scrape_odds_job")
    # bet9ja W2: unwritable archive -> the scrape fails and says it was the archive
    key = f"bet9ja|{_wkey(w['W2'])}"
    runs = [r for r in scrapes if r["partition"] == key]
    assert runs and all(r["status"] == "FAILURE" for r in runs), runs
    text = run_log_text(f, runs[0]["run_id"])
    assert "ArchiveError" in text or "archive" in text.lower(), text[-2000:]
    # bet9ja W4: 403 on every request -> listing blocked -> completeness ERROR, write blocked, reported
    key = f"bet9ja|{_wkey(w['W4'])}"
    mine = [e for e in execs["assetCheckExecutions"] if e["partition"] == key]
    assert mine and all(e["status"] in ("FAILED", "EXECUTION_FAILED") for e in mine), mine
    # every failed run names its cause in its event log
    for r in f.runs():
        if r["status"] != "FAILURE":
            continue
        text = run_log_text(f, r["run_id"])
        cause = [ln for ln in text.splitlines() if any(s in ln for s in (
            "Error", "error", "archive", "403", "could not", "connection", "terminat", "in the past", "runtime",
            "timeout", "check"))]
        what = f"{r['job']} {r['partition'] or r['range']}"
        assert cause, f"failed run {r['run_id']} ({what}) names no cause:\n{text[-1500:]}"
        f.notes.append(f"failed run {what}: {cause[-1][:200]}")
    # the write run whose process was killed: reported failed, the log naming the signal
    for run_id in f.killed_runs:
        run = next(r for r in f.runs("write_odds_job") if r["run_id"] == run_id)
        text = run_log_text(f, run_id)
        assert run["status"] == "FAILURE" and ("signal 9" in text or "maximum runtime" in text), (run, text[-1500:])
    # writers waiting on the locked history gave up at lock_timeout and were retried, not left hanging
    # (a step retry or a failed run says so)
    write_texts = [run_log_text(f, r["run_id"]) for r in f.runs("write_odds_job")]
    timed_out = sum("lock timeout" in t for t in write_texts)
    assert timed_out, "no write timed out on the history lock"
    f.notes.append(f"{timed_out} write run(s) timed out on the history lock and were retried")


def test_a_corrupt_window_is_passed_over_reported_and_backfilled(faulted):
    f = faulted
    key = f.corrupt_key
    assert key is not None
    execs = f.graphql(CHECK_EXECUTIONS, {"key": {"path": ["current_odds"]}, "name": "applied"})["assetCheckExecutions"]
    failed = [e for e in execs if e["status"] == "FAILED" and key in ((e["evaluation"] or {}).get("description") or "")]
    assert failed and failed[0]["evaluation"]["severity"] == "ERROR", execs[:5]
    assert "unreadable" in failed[0]["evaluation"]["description"]
    daemon_log = (f.stack.config.state / "logs" / "daemon.log").read_text(errors="replace")
    # the sensor's own line (Dagster's log of the same sensor repeats it with a prefix)
    lines = [ln for ln in daemon_log.splitlines() if ln.startswith("odds run failed:") and key in ln]
    assert len(lines) == 1 and "check applied failed" in lines[0], lines
    # later windows written (the chain went on) and the backfill wrote it, after them
    with psycopg.connect(f.stack.urls.odds) as conn:
        order = [window_of(t) for (t,) in conn.execute(
            "SELECT captured_at FROM snapshots WHERE bookmaker = %s ORDER BY applied_at", (BOOKMAKER_IDS["bet9ja"],))]
    assert order.index(f.windows["W5"]) > order.index(f.windows["W6"]), order


def test_every_complete_scrape_is_written_or_has_a_reason_and_writes_ran_in_order(faulted):
    f = faulted
    written = written_windows(f)
    scrapes = f.runs("scrape_odds_job")
    with psycopg.connect(f.stack.urls.odds) as conn:
        for book in BOOKMAKERS:
            order = [window_of(t) for (t,) in conn.execute(
                "SELECT captured_at FROM snapshots WHERE bookmaker = %s ORDER BY applied_at", (BOOKMAKER_IDS[book],))]
            backfilled = [f.windows["W5"]] if book == "bet9ja" else []
            in_order = [t for t in order if t not in backfilled]
            assert in_order == sorted(in_order), (book, order)
            for day in f.archive.days(book):
                for start in f.archive.windows(book, day):
                    w = f.archive.window(book, start)
                    if not w.has_snapshot():
                        continue
                    summary = w.read_summary()
                    key = f"{book}|{_wkey(start)}"
                    if _wkey(start) in written[book]:
                        continue
                    run = [r for r in scrapes if r["partition"] == key]
                    reason = (not summary.board.listing_complete or summary.board.events_complete == 0
                              or any(r["status"] == "FAILURE" for r in run))
                    # a window scraped after the daemon stopped has no write yet: not asserted
                    assert reason or start > f.windows["W6"], f"{key}: a complete scrape, not written, no reason"


def test_history_and_current_equal_ground_truth(faulted):
    """For every written window, in time order, and every event seen so far: history as of the window
    equals the simulator's truth at the time the event's detail was last fetched (a window that failed
    to read an event leaves its previous state); current equals the same at the end."""
    f = faulted
    stack = f.stack
    url = stack.env["ODDS_ARCHIVE_URL"]
    boards: dict[tuple[str, datetime], dict[int, dict]] = {}

    def truth_at(book: str, sr: int, t: datetime) -> dict:
        if (book, t) not in boards:
            boards[book, t] = truth(stack.simulator_url, book, t)
        board = boards[book, t]
        assert sr in board, f"{book} event {sr}: fetched at {t} but not on the simulator's board then"
        return board[sr]

    with psycopg.connect(stack.urls.odds) as conn:
        for book in BOOKMAKERS:
            bid = BOOKMAKER_IDS[book]
            times = [r[0] for r in conn.execute(
                "SELECT captured_at FROM snapshots WHERE bookmaker = %s ORDER BY captured_at", (bid,))]
            assert len(times) >= 3, (book, times)  # some windows are legitimately not written
            last_fetch: dict[int, datetime] = {}
            for t in times:
                last_fetch.update(fetch_times(url, book, t))
                as_of = history_as_of(conn, bid, t, list(last_fetch))
                for sr, ft in last_fetch.items():
                    assert as_of.get(sr, {}) == truth_at(book, sr, ft), \
                        f"{book} event {sr} as of {t} (last fetched {ft}): history != truth"
            current = current_of(conn, bid, list(last_fetch))
            expected = {sr: m for sr, ft in last_fetch.items() if (m := truth_at(book, sr, ft))}
            assert current == expected, f"{book}: current != truth at each event's last fetch"
    f.notes.append(f"truth compared at {len(boards)} distinct fetch times")


def test_nothing_duplicated(faulted):
    with psycopg.connect(faulted.stack.urls.odds) as conn:
        dups = conn.execute(
            "SELECT bookmaker, sr_event_id, market_id, line_hundredths, captured_at FROM ("
            " SELECT *, lag(outcomes) OVER w AS prev, row_number() OVER w AS n FROM market_odds_history"
            " WINDOW w AS (PARTITION BY bookmaker, sr_event_id, market_id, line_hundredths ORDER BY captured_at)"
            ") x WHERE n > 1 AND outcomes IS NOT DISTINCT FROM prev LIMIT 5").fetchall()
        assert dups == [], f"consecutive history rows with the same outcomes: {dups}"
