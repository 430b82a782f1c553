"""Helpers shared by the end-to-end modules: ports, artefact folders, Dagster GraphQL, ground truth."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import httpx
import pandas as pd
import psutil

from odds_assets.archive import Archive
from odds_assets.demo import DemoConfig, DemoStack, start_stack
from odds_assets.models import Outcome
from odds_assets.snapshot import canonical_decimal, encode_outcomes

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_stack(name: str, events: int, say: Callable[[str], None], *,
                  databases: tuple[str, str] | None = None, watch: list[int] | None = None) -> Iterator[DemoStack]:
    """``odds demo``'s stack (1-minute windows, ``events`` per book) in a temporary state folder, with
    this process's ODDS_* database/state/archive variables set aside; ``databases``: (odds URL,
    Dagster storage URL) of servers the caller runs, instead of the embedded one serving both.

    On exit: everything stopped, the logs copied to ``artifacts/<name>/logs``, the folder removed, and
    no process left running — the stack's processes and all their descendants at the end (processes
    restarted by the test count: they are read from the stack), plus any pid the test put in ``watch``
    (e.g. the children of a process it killed, which outlive it)."""
    state = Path(tempfile.mkdtemp(prefix=f"odds-{name}-"))
    keys = ("ODDS_DATABASE_URL", "ODDS_DAGSTER_DATABASE_URL", "ODDS_STATE_DIR", "ODDS_ARCHIVE_URL")
    saved = {k: os.environ.get(k) for k in keys}
    for k in saved:
        os.environ.pop(k, None)
    os.environ["ODDS_STATE_DIR"] = str(state)
    if databases is not None:
        os.environ["ODDS_DATABASE_URL"], os.environ["ODDS_DAGSTER_DATABASE_URL"] = databases
    config = DemoConfig(state=state, events=events, cadence_minutes=1, ui_port=free_port(), sim_port=free_port(),
                        web_port=free_port())
    started = start_stack(config, say=say)
    try:
        yield started
    finally:
        procs: dict[int, psutil.Process] = {}  # Process objects: is_running() is safe against pid reuse
        for pid in [*(watch or []), *(p.pid for p in started.processes.values())]:
            with contextlib.suppress(psutil.NoSuchProcess):
                root = psutil.Process(pid)
                for proc in [root, *root.children(recursive=True)]:
                    procs[proc.pid] = proc
        started.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        leftovers = []
        for proc in procs.values():
            with contextlib.suppress(psutil.NoSuchProcess):
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    leftovers.append(f"{proc.pid} {' '.join(proc.cmdline())[:120]}")
                    proc.kill()  # not left behind for the next test; the assertion below still fails
        shutil.copytree(state / "logs", artifacts_dir(name) / "logs", dirs_exist_ok=True)
        shutil.rmtree(state, ignore_errors=True)
        assert leftovers == [], f"processes left running: {leftovers}"


def artifacts_dir(name: str) -> Path:
    """``artifacts/<name>/`` (or ``$ODDS_ARTIFACTS_DIR/<name>``), created."""
    path = Path(os.environ.get("ODDS_ARTIFACTS_DIR", REPO / "artifacts")) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def graphql(ui_url: str, query: str, variables: dict | None = None) -> dict:
    """Run a query against the webserver's GraphQL API; fails the test on GraphQL errors."""
    r = httpx.post(f"{ui_url}/graphql", json={"query": query, "variables": variables or {}}, timeout=60)
    r.raise_for_status()
    body = r.json()
    assert "errors" not in body, body.get("errors")
    return body["data"]


def truth(simulator_url: str, book: str, t: datetime) -> dict[int, dict]:
    """What ``book`` showed at ``t``: sr_event_id -> {(market_id, canonical line): encoded outcomes}."""
    r = httpx.get(f"{simulator_url}/_sim/truth", params={"book": book, "t": t.isoformat()}, timeout=60)
    r.raise_for_status()
    out = {}
    for ev in r.json()["events"]:
        markets = {}
        for m in ev["markets"]:
            line = None if m["line"] is None else canonical_decimal(Decimal(m["line"]))
            outs = [Outcome(o["name"], None if o["odds"] is None else Decimal(o["odds"]), o["active"])
                    for o in m["outcomes"]]
            markets[(m["market_id"], line)] = encode_outcomes(outs)
        out[ev["sr_event_id"]] = markets
    return out


def truth_at_fetch(simulator_url: str, book: str, fetched: Mapping[int, datetime]) -> dict[int, dict]:
    """What ``book`` showed for each event at ITS fetch time: sr_event_id -> {(market_id, canonical line):
    encoded outcomes} at ``fetched[sr]`` (the event's ``fetched_at``, exact: no rounding to the window
    or a tick), in :func:`truth`'s form. One truth request per distinct time. An event the book did not
    show at its fetch time is left out (so the caller sees it in the keys).

    Known residue: the simulator rendered the detail when the request arrived, ``fetched_at`` is when
    the client had the whole body, a few ms later; a detail whose request straddles a tick boundary
    (``tick_seconds``, 60 s in the demo) would be compared with the next tick's truth."""
    boards: dict[datetime, dict[int, dict]] = {}
    out: dict[int, dict] = {}
    for sr, t in fetched.items():
        if not isinstance(t, datetime) or pd.isna(t) or t.utcoffset() is None:
            raise ValueError(f"event {sr}: fetched_at {t!r} is not a timezone-aware time")
        if t not in boards:
            boards[t] = truth(simulator_url, book, t)
        board = boards[t]
        if sr in board:
            out[sr] = board[sr]
    return out


def window_of(t: datetime) -> datetime:
    """The demo's 1-minute window holding ``t`` (a scrape's captured_at lies inside its window)."""
    return t.astimezone(timezone.utc).replace(second=0, microsecond=0)


def fetch_times(archive_url: str, book: str, captured_at: datetime) -> dict[int, datetime]:
    """The events the archived snapshot of ``book`` captured at ``captured_at`` holds (its complete
    events), each with its ``fetched_at``: when its detail response was received."""
    snapshot = Archive(archive_url).window(book, window_of(captured_at)).read_snapshot()
    assert snapshot.captured_at == captured_at, (book, captured_at, snapshot.captured_at)
    ev = snapshot.events
    assert ev["fetched_at"].notna().all(), f"{book} at {captured_at}: events without fetched_at"
    return {int(sr): t.to_pydatetime() for sr, t in zip(ev["sr_event_id"], ev["fetched_at"])}


def history_as_of(conn, bookmaker_id: int, t: datetime, events: list[int]) -> dict[int, dict]:
    """The available markets of a book at ``t``, rebuilt from change-only history, for ``events``:
    sr_event_id -> {(market_id, line text): encoded outcomes}."""
    rows = conn.execute(
        "SELECT DISTINCT ON (sr_event_id, market_id, line_hundredths) sr_event_id, market_id, "
        "odds_line_from_hundredths(line_hundredths)::text, outcomes FROM market_odds_history "
        "WHERE bookmaker = %s AND captured_at <= %s AND sr_event_id = ANY(%s) "
        "ORDER BY sr_event_id, market_id, line_hundredths, captured_at DESC",
        (bookmaker_id, t, events)).fetchall()
    out: dict[int, dict] = {}
    for sr, mid, line, outcomes in rows:
        if outcomes is not None:
            out.setdefault(sr, {})[(mid, line)] = outcomes
    return out


def current_of(conn, bookmaker_id: int, events: list[int]) -> dict[int, dict]:
    """The available current markets of a book for ``events``, in the same form."""
    rows = conn.execute(
        "SELECT sr_event_id, market_id, line::text, outcomes FROM market_odds_current "
        "WHERE bookmaker = %s AND unavailable_at IS NULL AND sr_event_id = ANY(%s)",
        (bookmaker_id, events)).fetchall()
    out: dict[int, dict] = {}
    for sr, mid, line, outcomes in rows:
        out.setdefault(sr, {})[(mid, line)] = outcomes
    return out
