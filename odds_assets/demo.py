"""The offline demo stack: embedded PostgreSQL, the bookmaker simulator, dagster-daemon,
dagster-webserver and the traders' board (``odds web``), wired together by environment variables — started
and stopped as one.

Every process is started in its own session (process group) and stopped with its whole process tree
(the daemon and the webserver each run a code-server subprocess), so Ctrl-C or ``odds demo down``
leaves nothing behind. The board reads the odds database as the read-only role ``odds_web``
(``ODDS_WEB_DATABASE_URL``, else the demo's database as that role), binds to 127.0.0.1 and links each
book's freshness to the demo's Dagster UI; it stops within its graceful-shutdown timeout
(``odds_assets.web.serve.GRACE_S``) even with browser tabs open on it. The pids are kept in
``<state>/demo.json`` for ``odds demo down``. Data (the database, the archive, Dagster's storage) stays
in the state folder for the next start.

The window partitions start at the demo's first start (``ODDS_FIRST_WINDOW``, kept in
``<state>/first_window`` so a restart keeps it) and reach back at most one day (``ODDS_PARTITION_DAYS``,
``DemoConfig.partition_days``): a fresh demo shows only windows since it started, and one left running
for days stays at ≤ 2 days of windows (≤ 8,640 at 1 minute) while the archive keeps its 14 days. Either
variable set in the environment wins.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import httpx
import psutil

from odds_assets.dagster_home import CODE_LOCATION_ARGS, dagster_env
from odds_assets.db import migrate
from odds_assets.db.server import DatabaseUrls, ensure_databases, resolve_urls, state_dir, stop_embedded, web_url
from odds_assets.errors import DemoError

if TYPE_CHECKING:
    from odds_assets.defs.common.status import BookRuns, RunStatus

__all__ = ["DemoConfig", "DemoStack", "board_argv", "board_env", "first_window", "partition_env", "start_stack",
           "stop_recorded_stack"]

BOOK_ENV = ("BETPAWA", "SPORTYBET", "BET9JA")
#: the board's port when none is configured (``odds web``'s default); another free one if it is taken
WEB_PORT = 8080
#: the demo's processes, in the order they are stopped
PROCESSES = ("web", "webserver", "daemon", "simulator")


@dataclass(frozen=True)
class DemoConfig:
    """What the demo runs: sizes, cadence, ports and where its state lives."""

    state: Path
    events: int = 300
    cadence_minutes: int = 1
    #: ODDS_PARTITION_DAYS of the demo's Dagster processes: days back the window partitions reach
    partition_days: int = 1
    ui_host: str = "127.0.0.1"
    ui_port: int = 3000
    sim_port: int = 8765
    #: the traders' board's port; None: WEB_PORT when free, else any free port
    web_port: int | None = None
    seed: int = 1
    faults: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)


@dataclass
class DemoStack:
    """The running demo: its processes, URLs and environment."""

    config: DemoConfig
    urls: DatabaseUrls
    env: dict[str, str]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    started_database: bool = False
    #: the board's port (chosen at start when the configuration left it open)
    web_port: int = WEB_PORT
    #: the status line counts the runs created since then
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    #: what the status line knows of the runs (read from Dagster on first use, then incrementally)
    _runs: RunStatus | None = field(default=None, repr=False)

    @property
    def ui_url(self) -> str:
        return f"http://{self.config.ui_host}:{self.config.ui_port}"

    @property
    def web_url(self) -> str:
        """The traders' board (``odds web``)."""
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def simulator_url(self) -> str:
        return f"http://127.0.0.1:{self.config.sim_port}"

    def dead(self) -> list[str]:
        """Names of processes that exited."""
        return [name for name, p in self.processes.items() if p.poll() is not None]

    def stop(self, *, keep_database: bool = False, say: Callable[[str], None] = lambda s: None) -> None:
        """Stop every process this stack started (whole process trees), then the database."""
        for name in PROCESSES:
            proc = self.processes.get(name)
            if proc is not None:
                say(f"stopping {name}")
                _stop_tree(proc.pid)
        self.processes.clear()
        if self.started_database and not keep_database:
            say("stopping PostgreSQL")
            stop_embedded(self.config.state / "pgdata")
        (self.config.state / "demo.json").unlink(missing_ok=True)


def first_window(state: Path, now: datetime | None = None) -> str:
    """The demo's first start (ISO-8601 UTC), written to ``<state>/first_window`` by the first call and
    read back by every later one: the window partitions start there (``ODDS_FIRST_WINDOW``)."""
    path = state / "first_window"
    try:
        recorded = path.read_text().strip()
    except FileNotFoundError:
        recorded = ""
    if recorded:
        return recorded
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0).isoformat()
    path.write_text(stamp + "\n")
    return stamp


def partition_env(config: DemoConfig, environ: Mapping[str, str]) -> dict[str, str]:
    """``ODDS_PARTITION_DAYS`` and ``ODDS_FIRST_WINDOW`` for the demo's Dagster processes: the window
    partitions start at the demo's first start and reach back ``config.partition_days``; a value set in
    ``environ`` is kept."""
    out = {}
    if not environ.get("ODDS_PARTITION_DAYS"):
        out["ODDS_PARTITION_DAYS"] = str(config.partition_days)
    if not environ.get("ODDS_FIRST_WINDOW"):
        out["ODDS_FIRST_WINDOW"] = first_window(config.state)
    return out


def _stop_tree(pid: int, timeout: float = 15.0) -> None:
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    procs = [root, *root.children(recursive=True)]
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.send_signal(signal.SIGTERM)
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    for p in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    psutil.wait_procs(alive, timeout=5)


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _web_port(config: DemoConfig) -> int:
    """The board's port: the configured one (which must be free), else WEB_PORT when free, else any."""
    if config.web_port is not None:
        if not _port_free("127.0.0.1", config.web_port):
            raise DemoError(f"port {config.web_port} (board) is in use; pick another with --web-port")
        return config.web_port
    return WEB_PORT if _port_free("127.0.0.1", WEB_PORT) else _free_port("127.0.0.1")


def board_env(odds_url: str, environ: Mapping[str, str]) -> dict[str, str]:
    """``ODDS_WEB_DATABASE_URL`` for the board: the demo's odds database as the read-only role of migration
    0006 (``odds_web``); a value set in ``environ`` is kept."""
    return {} if environ.get("ODDS_WEB_DATABASE_URL") else {"ODDS_WEB_DATABASE_URL": web_url(odds_url)}


def board_argv(stack: DemoStack) -> list[str]:
    """``odds web`` on loopback at the stack's board port, linking each book's freshness to its Dagster UI."""
    return [sys.executable, "-m", "odds_assets.cli", "web", "--host", "127.0.0.1", "--port", str(stack.web_port),
            "--dagster-url", stack.ui_url]


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _wait_http(url: str, proc: subprocess.Popen, name: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DemoError(f"{name} exited with code {proc.returncode}; see {log}:\n{_tail(log)}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise DemoError(f"{name} did not answer at {url} within {timeout:.0f} s; see {log}:\n{_tail(log)}")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _spawn(name: str, argv: list[str], env: dict[str, str], logs: Path) -> subprocess.Popen:
    logs.mkdir(parents=True, exist_ok=True)
    out = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child for its lifetime
    # run in Dagster's home, not in a checkout: the code location is loaded as an installed module
    return subprocess.Popen(argv, env=env, cwd=env.get("DAGSTER_HOME"), stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)


def start_stack(config: DemoConfig, *, say: Callable[[str], None] = print) -> DemoStack:
    """Start the whole demo; raises DemoError (after stopping what it started) if a part fails."""
    state = config.state
    state.mkdir(parents=True, exist_ok=True)
    recorded = state / "demo.json"
    if recorded.exists():
        say("a previous demo was not stopped cleanly: stopping what it left")
        stop_recorded_stack(state, keep_database=True)
    for host, port, what in ((config.ui_host, config.ui_port, "UI"), ("127.0.0.1", config.sim_port, "simulator")):
        if not _port_free(host, port):
            raise DemoError(f"port {port} ({what}) is in use; pick another with --port / --sim-port")
    web_port = _web_port(config)

    os.environ.setdefault("ODDS_STATE_DIR", str(state))
    embedded = not os.environ.get("ODDS_DATABASE_URL")
    say("database: starting embedded PostgreSQL" if embedded else "database: using ODDS_DATABASE_URL")
    urls = resolve_urls(start=True)
    ensure_databases(urls)
    migrate.upgrade(urls.odds)
    say(f"database up: {urls.odds}")

    env = dict(os.environ)
    env.update(dagster_env(urls, state / "dagster"))
    env.update({
        "ODDS_STATE_DIR": str(state),
        "ODDS_CADENCE_MINUTES": str(config.cadence_minutes),
        "ODDS_ARCHIVE_URL": env.get("ODDS_ARCHIVE_URL") or str(state / "archive"),
        # the demo starts each window's scrape runs a tick ahead (README, "The freshness path"); an
        # explicit ODDS_SCRAPE_PRESTART=0 turns it off
        "ODDS_SCRAPE_PRESTART": env.get("ODDS_SCRAPE_PRESTART") or "1",
        "PYTHONUNBUFFERED": "1",
    })
    sim_url = f"http://127.0.0.1:{config.sim_port}"
    for book in BOOK_ENV:
        env[f"ODDS_{book}_BASE_URL"] = sim_url
    env.update(partition_env(config, env))
    env.update(config.extra_env)
    env.update(board_env(urls.odds, env))
    stack = DemoStack(config=config, urls=urls, env=env, started_database=embedded, web_port=web_port)
    logs = state / "logs"
    bindir = Path(sys.executable).parent
    try:
        sim_argv = [sys.executable, "-m", "odds_assets.cli", "simulator", "--host", "127.0.0.1",
                    "--port", str(config.sim_port), "--events", str(config.events), "--seed", str(config.seed)]
        if config.faults:
            sim_argv += ["--faults", config.faults]
        stack.processes["simulator"] = _spawn("simulator", sim_argv, env, logs)
        _record(stack)
        _wait_http(f"{sim_url}/_sim/clock", stack.processes["simulator"], "simulator", logs / "simulator.log", 60)
        say(f"simulator up: {sim_url} ({config.events} events per book)")

        # Create Dagster's tables once, before two processes race to do it.
        subprocess.run([str(bindir / "dagster"), "instance", "migrate"], env=env, cwd=env["DAGSTER_HOME"], check=True,
                       capture_output=True, timeout=300)
        stack.processes["daemon"] = _spawn(
            "daemon", [str(bindir / "dagster-daemon"), "run", *CODE_LOCATION_ARGS], env, logs)
        stack.processes["webserver"] = _spawn(
            "webserver", [str(bindir / "dagster-webserver"), "-h", config.ui_host, "-p", str(config.ui_port),
                          *CODE_LOCATION_ARGS], env, logs)
        stack.processes["web"] = _spawn("web", board_argv(stack), env, logs)
        _record(stack)
        say("dagster: daemon and webserver starting (schedules and sensors on); the board starting")
        _wait_http(f"{stack.web_url}/api/freshness", stack.processes["web"], "odds web", logs / "web.log", 120)
        _wait_http(f"{stack.ui_url}/server_info", stack.processes["webserver"], "dagster-webserver",
                   logs / "webserver.log", 180)
    except BaseException:
        stack.stop(say=say)
        raise
    return stack


def _record(stack: DemoStack) -> None:
    data = {"pids": {name: p.pid for name, p in stack.processes.items()},
            "started_database": stack.started_database, "ui": stack.ui_url, "web": stack.web_url}
    (stack.config.state / "demo.json").write_text(json.dumps(data))


def stop_recorded_stack(state: Path | None = None, *, keep_database: bool = False,
                        say: Callable[[str], None] = lambda s: None) -> bool:
    """Stop a demo recorded in ``<state>/demo.json`` (from another shell); True if one was recorded."""
    state = state or state_dir()
    recorded = state / "demo.json"
    if not recorded.exists():
        return False
    data = json.loads(recorded.read_text())
    for name in PROCESSES:
        pid = data.get("pids", {}).get(name)
        if pid:
            say(f"stopping {name}")
            _stop_tree(pid)
    if data.get("started_database") and not keep_database:
        say("stopping PostgreSQL")
        stop_embedded(state / "pgdata")
    recorded.unlink(missing_ok=True)
    return True


@dataclass(frozen=True, slots=True)
class _BookProgress:
    bookmaker: str
    last_captured_at: datetime | None
    windows: int
    current_rows: int


@dataclass(frozen=True, slots=True)
class _HistoryRowCount:
    history_rows: int


#: the latest failure's cause is cut to this many characters
CAUSE_CHARS = 160


def _read_runs(stack: DemoStack) -> dict[str, BookRuns]:
    # Dagster is imported only under odds_assets.defs (the import costs seconds, once)
    from odds_assets.defs.common import status

    if stack._runs is None:
        stack._runs = status.RunStatus(stack.env, stack.started_at)
    return stack._runs.read()


def _trim(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def progress_line(stack: DemoStack) -> str:
    """The status, one line per book: windows written (rows in ``snapshots``), scrape runs failed and
    skipped since the demo started (write runs failed, runs in flight when any), and the latest
    failure's cause on one line; then history's row count. What cannot be read is left out and named:
    this never raises."""
    import psycopg

    from odds_assets.db import queries
    from odds_assets.models import BOOKMAKERS

    notes: list[str] = []
    written: dict[str, _BookProgress] = {}
    hist: int | None = None
    try:
        with psycopg.connect(stack.urls.odds, connect_timeout=3) as conn:
            written = {r.bookmaker: r for r in queries.fetch(conn, "select_book_progress", _BookProgress)}
            hist = queries.fetch(conn, "select_history_row_count", _HistoryRowCount)[0].history_rows
    except psycopg.Error as exc:
        notes.append(f"odds database not reachable ({exc.__class__.__name__}); scrapes keep archiving")
    except Exception as exc:  # noqa: BLE001 - the status line never stops the demo
        notes.append(f"odds database not read ({exc.__class__.__name__})")
    runs: dict[str, BookRuns] | None = None
    try:
        runs = _read_runs(stack)
    except Exception as exc:  # noqa: BLE001 - Dagster's storage not reachable, or anything else: say so, go on
        notes.append(f"runs not read ({exc.__class__.__name__}: {_trim(' '.join(str(exc).split()), 80)})")
    lines = []
    for book in [*BOOKMAKERS, *sorted(set(written) - set(BOOKMAKERS))]:
        parts = []
        w = written.get(book)
        if w is not None and w.last_captured_at is not None:
            parts.append(f"{w.windows} windows written (last {w.last_captured_at:%H:%M:%S}, "
                         f"{w.current_rows} current rows)")
        elif w is not None:
            parts.append("0 windows written")
        r = runs.get(book) if runs is not None else None
        if r is not None:
            parts.append(f"scrapes {r.scrapes_failed} failed, {r.scrapes_skipped} skipped"
                         + (f", {r.scrapes_cancelled} cancelled" if r.scrapes_cancelled else ""))
            parts += [f"writes {r.writes_failed} failed"] if r.writes_failed else []
            flight = [f"{n} {what}" for n, what in ((r.running, "running"), (r.queued, "queued")) if n]
            parts += [", ".join(flight)] if flight else []
            parts += [f"last failure: {_trim(r.last_failure, CAUSE_CHARS)}"] if r.last_failure else []
        if parts:
            lines.append(f"{book}: " + "; ".join(parts))
    if hist is not None:
        lines.append(f"history {hist} rows")
    return "\n".join(lines + notes)


def run_foreground(config: DemoConfig, out: TextIO = sys.stdout) -> int:
    """`odds demo`: start, print progress every cadence until Ctrl-C, then stop everything."""
    def say(msg: str) -> None:
        print(f"==> {msg}", file=out, flush=True)

    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    stack = start_stack(config, say=say)
    old_int = signal.signal(signal.SIGINT, on_signal)
    old_term = signal.signal(signal.SIGTERM, on_signal)
    try:
        say(f"Dagster UI at {stack.ui_url}  (simulator {stack.simulator_url}; logs in {config.state / 'logs'})")
        say(f"traders' board at {stack.web_url}/  (read-only; updates itself as windows are written)")
        say(f"windows every {config.cadence_minutes} min; Ctrl-C (or `odds demo down`) stops everything")
        next_report = time.monotonic() + 30
        while not stopping:
            dead = stack.dead()
            if dead:
                say(f"{', '.join(dead)} exited unexpectedly; see {config.state / 'logs'}")
                return 1
            if time.monotonic() >= next_report:
                for line in progress_line(stack).splitlines():
                    say(line)
                next_report = time.monotonic() + max(30, 60 * config.cadence_minutes)
            time.sleep(0.5)
        return 0
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)
        stack.stop(say=say)
        say("stopped; data kept in " + str(config.state))
