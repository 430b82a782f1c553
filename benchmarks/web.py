"""Web board benchmark: the trader's web server (``odds web``) over HTTP and in a browser, on a day of
1-minute history at the scale of issue [trader-board].

The data: --events (2,000) events x 3 books x --markets (50) market instances (market x line, the shapes
of ``benchmarks/write_path.py``), one board per book per minute for --hours (24) hours, --change (1 %)
of each book's markets moving one outcome's odds every minute: 4,320 windows, 300,000 current rows and
about 4.6 million history rows at the defaults. Written through the engine that would be 4,320 applies
(most of an hour); the loader writes exactly the rows the write engine writes for those windows instead,
with COPY, in window order: ``events``, ``bookmaker_events``, ``bookmaker_event_history``, ``snapshots``
(counts and ledger), ``market_odds_current`` and ``market_odds_history`` (its daily partitions made by the
engine's own statement). Every run checks that claim first: the same generator at a small scale (4
events x 22 markets, lines -1.5 .. 0 and no line among them, x 40 windows across a midnight, 10 % change)
goes once through ``apply_snapshot`` window by window and once through the loader, into two databases,
and every table and partition must be equal (only ``snapshots.applied_at`` and ``write_ms`` may
differ). After the load, VACUUM ANALYZE (as autovacuum would leave it) and one more window of betpawa
through ``apply_snapshot``, which must classify exactly the markets the generator moved as changed and
every other one as unchanged.

Then ``odds web --host 127.0.0.1 --port <free>`` in a subprocess (ODDS_DATABASE_URL set, as the other
commands read it; --web-command runs another server build instead), and per endpoint --requests
requests over HTTP (httpx, one keep-alive connection, after --warmup unmeasured ones), random events:
board ``/api/board`` and ``/``, event ``/api/event/{sr}`` and ``/event/{sr}``, price path
``/api/path/{sr}/5000?line=2.5`` and ``/path/…``. Server time is each response's
``Server-Timing: app;dur=<ms>``; wall time is measured here. Then notify -> browser: headless Debian
chromium (Playwright) opens ``/``; --notify-rounds times one book's next window (books in turn) is
written through ``apply_snapshot`` and the time from its COMMIT to the page's ``#live-window`` reading
``<bookmaker> <captured_at>`` is taken on the page (a MutationObserver's ``Date.now()``, the same wall
clock as this process's; kept in sessionStorage, so a page that reloads itself is measured too).

Last line (server p95 of the slower of each pair of endpoints; notify: the slowest round):

    RESULT board_p95_ms=… event_p95_ms=… path_p95_ms=… notify_to_browser_ms=…

Targets on a 2-core machine: board <= 150, event <= 50, path <= 50 ms, notify <= 2000 ms.
--load-only: generate, check and load the data, print the figures, end with
``RESULT load_s=… history_rows=… current_rows=…`` (no server, no browser).

Run: .venv/bin/python benchmarks/web.py [--events 2000 --markets 50 --hours 24] [--load-only]
The database is a fresh embedded PostgreSQL in a temporary directory unless ODDS_BENCH_DATABASE_URL
(a superuser URL of a server on which scratch databases may be created) is set.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.write_path import create_database, encode, make_board, open_server, snapshot_of
from odds_assets.db import keys, queries
from odds_assets.db.engine import apply_snapshot
from odds_assets.models import BOOKMAKER_IDS, BOOKMAKERS
from odds_assets.simulator.server import free_port
from odds_assets.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[1]
WEB_COMMAND = "{python} -m odds_assets.cli web --host 127.0.0.1 --port {port}"
TARGETS_MS = {"board": 150.0, "event": 50.0, "path": 50.0, "notify_to_browser": 2000.0}
CHROMIUM = os.environ.get("ODDS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SERVER_TIMING = re.compile(r"(?:^|,)\s*app\s*;\s*dur=([0-9.]+)")
# the loader's claim is checked at this scale before every load (across a midnight: two partitions)
VERIFY_EVENTS, VERIFY_MARKETS, VERIFY_WINDOWS, VERIFY_CHANGE = 4, 22, 40, 0.1  # 22: lines -1.5 .. 0 too
VERIFY_START = datetime(2026, 11, 24, 23, 40, tzinfo=timezone.utc)
# odds move by 0.03 and stay within 1.02 .. 50.00 (write_path.ODDS_TEXT covers up to 50.00)
STEP, MIN_ODDS, MAX_ODDS = 3, 102, 5000
TABLES = ("events", "bookmaker_events", "bookmaker_event_history", "snapshots", "market_odds_current",
          "market_odds_history")


# -- the synthetic day ------------------------------------------------------------------------------------

class Day:
    """Events, each book's board (write_path's arrays: sr, mid, line, names, odds in hundredths, enc) and a
    deterministic stream of changes per book: :meth:`step` moves --change of the book's markets (one
    random outcome each, by 0.03) and returns their row numbers. Two ``Day``s built alike step alike."""

    def __init__(self, events: int, markets: int, change: float, start: datetime, windows: int,
                 kickoff_from: datetime, seed: int = 1) -> None:
        self.change = change
        self.times = [start + timedelta(minutes=k) for k in range(windows)]
        self.books: dict[str, dict[str, Any]] = {}
        for i, book in enumerate(BOOKMAKERS):
            b = make_board(events, markets, seed=seed * 10 + i)
            b["enc"] = encode(b)
            b["n_out"] = np.array([len(n) for n in b["names"]], dtype=np.int64)
            b["lh"] = keys.line_hundredths(pd.Series(b["line"], dtype=object))
            b["rng"] = np.random.default_rng([seed, i])
            self.books[book] = b
        ids = np.unique(self.books[BOOKMAKERS[0]]["sr"])
        n = np.arange(len(ids))
        # kick-offs in 192 quarter-hour slots over 48 hours (about 10 a slot at 2,000 events);
        # 40 competitions in 12 countries
        self.events = pd.DataFrame({
            "sr_event_id": ids, "home": [f"Home {i}" for i in n], "away": [f"Away {i}" for i in n],
            "kickoff": pd.to_datetime([kickoff_from + timedelta(minutes=15 * (int(i) % 192)) for i in n], utc=True),
            "competition": [f"League {i % 40}" for i in n], "country": [f"Country {i % 40 % 12}" for i in n]})

    def rows(self, book: str) -> int:
        return len(self.books[book]["sr"])

    def step(self, book: str) -> np.ndarray:
        b = self.books[book]
        rng = b["rng"]
        n = len(b["sr"])
        rows = rng.choice(n, size=max(1, round(n * self.change)), replace=False)
        outcome = (rng.random(len(rows)) * b["n_out"][rows]).astype(np.int64)
        up = rng.random(len(rows)) < 0.5
        cur = b["odds"][rows, outcome]
        new = np.where(up, cur + STEP, cur - STEP)
        new = np.where(new < MIN_ODDS, cur + STEP, np.where(new > MAX_ODDS, cur - STEP, new))
        b["odds"][rows, outcome] = new
        b["enc"][rows] = encode(b, rows)
        return rows

    def book_events(self, book: str) -> pd.DataFrame:
        """The events frame of a snapshot of ``book`` (the book's own event ids, the same names)."""
        ev = self.events.copy()
        ev.insert(1, "bookmaker_event_id", [f"{book[:2]}{sr}" for sr in ev["sr_event_id"]])
        return ev

    def snapshot(self, book: str, t: datetime) -> Snapshot:
        return snapshot_of(book, self.books[book], t, self.book_events(book))


# -- the two ways of writing it ------------------------------------------------------------------------

def load_with_engine(conn: psycopg.Connection, day: Day) -> None:
    """Every window of every book through ``apply_snapshot``, in window order (the reference)."""
    for k, t in enumerate(day.times):
        for book in BOOKMAKERS:
            if k:
                day.step(book)
            apply_snapshot(conn, day.snapshot(book, t))


@dataclass
class LoadStats:
    seconds: dict[str, float] = field(default_factory=dict)
    history_rows: int = 0
    current_rows: int = 0


def load_direct(conn: psycopg.Connection, day: Day) -> LoadStats:
    """The rows ``load_with_engine`` would write, with COPY: history window by window (one row per market
    at the first window, then one per moved market), then current, events and the windows' ledger."""
    stats = LoadStats()
    t_start = time.perf_counter()
    times = day.times
    first, last_t = times[0], times[-1]
    last_change = {book: np.zeros(day.rows(book), dtype=np.int64) for book in BOOKMAKERS}
    moved: dict[str, list[int]] = {book: [] for book in BOOKMAKERS}
    prefix = {book: np.array([f"{sr}\t{mid}\t{BOOKMAKER_IDS[book]}\t{lh}\t" for sr, mid, lh in
                              zip(b["sr"].tolist(), b["mid"].tolist(), b["lh"].tolist())], dtype=object)
              for book, b in day.books.items()}
    with conn.transaction():
        for d in sorted({t.date() for t in times}):  # the engine's own statement, one per day
            conn.execute(queries.load("create_history_partition"), {"day": d})
        with conn.cursor() as cur, cur.copy(
                "COPY market_odds_history (captured_at, sr_event_id, market_id, bookmaker, line_hundredths, "
                "outcomes) FROM STDIN") as copy:
            for k, t in enumerate(times):
                stamp = t.isoformat() + "\t"
                for book in BOOKMAKERS:
                    b = day.books[book]
                    rows = np.arange(day.rows(book)) if k == 0 else day.step(book)
                    last_change[book][rows] = k
                    moved[book].append(len(rows))
                    copy.write("".join([stamp + p + e + "\n" for p, e in zip(prefix[book][rows], b["enc"][rows])]))
                    stats.history_rows += len(rows)
    stats.seconds["history"] = time.perf_counter() - t_start

    mark = time.perf_counter()
    with conn.transaction(), conn.cursor() as cur, cur.copy(
            "COPY market_odds_current (sr_event_id, bookmaker, market_id, line, outcomes, first_seen_at, "
            "last_updated_at, confirmed_at) FROM STDIN") as copy:
        for book, b in day.books.items():
            bid = BOOKMAKER_IDS[book]
            for sr, mid, line, enc, k in zip(b["sr"].tolist(), b["mid"].tolist(), b["line"], b["enc"],
                                             last_change[book].tolist()):
                copy.write_row((sr, bid, mid, line, enc, first, times[k], times[k]))
                stats.current_rows += 1
    stats.seconds["current"] = time.perf_counter() - mark

    mark = time.perf_counter()
    meta = ["home", "away", "kickoff", "competition", "country"]
    with conn.transaction():
        _copy(conn, "events", ["sr_event_id", *meta, "source_bookmaker", "first_seen_at"],
              ((*row, BOOKMAKER_IDS[BOOKMAKERS[0]], first) for row in _rows(day.events, ["sr_event_id", *meta])))
        for book in BOOKMAKERS:
            bid = BOOKMAKER_IDS[book]
            cols = ["sr_event_id", "bookmaker_event_id", *meta]
            ev = _rows(day.book_events(book), cols)
            _copy(conn, "bookmaker_events", [*cols[:1], "bookmaker", *cols[1:], "first_seen_at", "last_seen_at"],
                  ((row[0], bid, *row[1:], first, last_t) for row in ev))
            _copy(conn, "bookmaker_event_history", ["bookmaker", "sr_event_id", "captured_at", *cols[1:]],
                  ((bid, row[0], first, *row[1:]) for row in ev))
        ledger = "{" + ",".join(str(int(x)) for x in day.events["sr_event_id"]) + "}"
        n_events = len(day.events)
        _copy(conn, "snapshots", ["bookmaker", "captured_at", "events", "markets", "new", "changed", "unchanged",
                                  "gone", "back", "history_rows", "historical", "write_ms", "event_ids"],
              ((BOOKMAKER_IDS[book], t, n_events, day.rows(book), n if k == 0 else 0, 0 if k == 0 else n,
                0 if k == 0 else day.rows(book) - n, 0, 0, n, False, 0.0, ledger)
               for book in BOOKMAKERS for k, (t, n) in enumerate(zip(times, moved[book]))))
    stats.seconds["events_and_ledger"] = time.perf_counter() - mark
    stats.seconds["total"] = time.perf_counter() - t_start
    return stats


def _rows(frame: pd.DataFrame, cols: list[str]) -> list[tuple[Any, ...]]:
    out = []
    for row in zip(*(frame[c] for c in cols)):
        out.append(tuple(v.to_pydatetime() if isinstance(v, pd.Timestamp) else
                         int(v) if isinstance(v, np.integer) else v for v in row))
    return out


def _copy(conn: psycopg.Connection, table: str, cols: list[str], rows: Any) -> None:
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table),
                                                     sql.SQL(", ").join(map(sql.Identifier, cols)))
    with conn.cursor() as cur, cur.copy(stmt) as copy:
        for row in rows:
            copy.write_row(row)


# -- the check of the loader's format ------------------------------------------------------------------

def dump(conn: psycopg.Connection) -> dict[str, list[str]]:
    """Every row of the tables the engine writes (as JSON text, sorted) and the history partitions;
    snapshots without applied_at and write_ms (when and how fast, not what)."""
    out = {}
    for table in TABLES:
        query = sql.SQL("SELECT (to_jsonb(t) - 'applied_at' - 'write_ms')::text FROM {} t").format(
            sql.Identifier(table))
        out[table] = sorted(r[0] for r in conn.execute(query))
    out["partitions"] = sorted(r[0] for r in conn.execute(
        "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'market_odds_history'::regclass"))
    return out


def verify_loader(admin: str) -> str:
    """Write the VERIFY day through the engine and through the loader; fail unless every table is equal."""
    urls = [create_database(admin, f"odds_bench_web_{kind}_{os.getpid()}") for kind in ("engine", "copy")]
    dumps = []
    for url, load in zip(urls, (load_with_engine, load_direct)):
        day = Day(VERIFY_EVENTS, VERIFY_MARKETS, VERIFY_CHANGE, VERIFY_START, VERIFY_WINDOWS,
                  kickoff_from=VERIFY_START + timedelta(days=1))
        with psycopg.connect(url, autocommit=True) as conn:
            load(conn, day)
            dumps.append(dump(conn))
    for url in urls:
        _drop(admin, url)
    engine, direct = dumps
    bad = []
    for name in engine:
        if engine[name] != direct[name]:
            only_e = sorted(set(engine[name]) - set(direct[name]))[:2]
            only_d = sorted(set(direct[name]) - set(engine[name]))[:2]
            bad.append(f"{name}: {len(engine[name])} rows by the engine, {len(direct[name])} by the loader; "
                       f"engine only {only_e}; loader only {only_d}")
    if bad:
        raise SystemExit("the loader does not write what the engine writes:\n  " + "\n  ".join(bad))
    rows = {k: len(x) for k, x in engine.items()}
    return (f"loader == engine at {VERIFY_EVENTS} events x 3 books x {VERIFY_MARKETS} markets x {VERIFY_WINDOWS} "
            f"windows ({VERIFY_CHANGE:.0%} change, across midnight): rows {rows}")


def _drop(admin: str, url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def check_on_top(conn: psycopg.Connection, day: Day, t: datetime, book: str) -> str:
    """One more window of ``book`` through the engine: it must find exactly the generator's moves."""
    moved = len(day.step(book))
    r = apply_snapshot(conn, day.snapshot(book, t))
    n = day.rows(book)
    got = (r.new, r.changed, r.unchanged, r.gone, r.back, r.history_rows)
    if got != (0, moved, n - moved, 0, 0, moved):
        raise SystemExit(f"the engine disagrees with the loaded data: (new, changed, unchanged, gone, back, "
                         f"history) = {got}, expected {(0, moved, n - moved, 0, 0, moved)}")
    return f"engine on top: {book} {t:%H:%M} changed {r.changed}, unchanged {r.unchanged} in {r.total_ms:.0f} ms"


# -- the web server over HTTP ------------------------------------------------------------------------------

@contextmanager
def web_server(url: str, state: Path, command: str) -> Iterator[str]:
    """The web server (``command``, ``{port}`` filled in) on a free loopback port, reading ``url``;
    yields its base URL, stops it after."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ODDS_DATABASE_URL": url, "ODDS_STATE_DIR": str(state), "PYTHONPATH": str(ROOT)}
    log_path = state / "web.log"
    argv = [arg.replace("{port}", str(port)).replace("{python}", sys.executable) for arg in shlex.split(command)]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"odds web exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                httpx.get(base + "/api/board", timeout=30)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"odds web did not answer on {base} in 120 s") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()  # this process only: uvicorn stops on SIGTERM (its SSE clients are closed by now)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@dataclass
class Timing:
    path: str
    server_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def p(self, q: float, which: str = "server") -> float:
        values = [x for x in (self.server_ms if which == "server" else self.wall_ms) if x == x]
        return float(np.percentile(values, q)) if values else float("nan")

    def line(self) -> str:
        size = int(np.median(self.bytes)) if self.bytes else 0
        missing = sum(1 for x in self.server_ms if x != x)
        return (f"GET {self.path:<34} n={len(self.wall_ms):<3} server p50 {self.p(50):7.1f} p95 {self.p(95):7.1f} ms"
                f" · wall p50 {self.p(50, 'wall'):7.1f} p95 {self.p(95, 'wall'):7.1f} ms · {size} bytes"
                + (f" · {missing} without Server-Timing" if missing else "")
                + (f" · {len(self.errors)} errors, first: {self.errors[0]}" if self.errors else ""))


def measure(client: httpx.Client, label: str, paths: list[str], warmup: int) -> Timing:
    """GET every path in turn; the first ``warmup`` are not counted."""
    out = Timing(label)
    for i, path in enumerate(paths):
        t0 = time.perf_counter()
        try:
            r = client.get(path)
        except httpx.HTTPError as e:
            out.errors.append(f"{path}: {e!r}"[:200])
            continue
        wall = (time.perf_counter() - t0) * 1000
        if r.status_code != 200:
            out.errors.append(f"{path}: HTTP {r.status_code} {r.text[:120]!r}")
            continue
        if i < warmup:
            continue
        m = SERVER_TIMING.search(r.headers.get("server-timing", ""))
        out.server_ms.append(float(m.group(1)) if m else float("nan"))
        out.wall_ms.append(wall)
        out.bytes.append(len(r.content))
    return out


# -- notify -> browser ----------------------------------------------------------------------------------

# Records every text #live-window takes, with the page's clock, in sessionStorage (kept across reloads).
LIVE_WATCH = """
(() => {
  const KEY = "odds_bench_live";
  let last = null;
  const look = () => {
    const el = document.getElementById("live-window");
    const text = el ? el.textContent.trim() : null;
    if (text !== null && text !== last) {
      last = text;
      const seen = JSON.parse(sessionStorage.getItem(KEY) || "[]");
      seen.push({text: text, t: Date.now()});
      sessionStorage.setItem(KEY, JSON.stringify(seen));
    }
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, characterData: true});
  document.addEventListener("DOMContentLoaded", look);
})();
"""


def shows(text: str, book: str, t: datetime) -> bool:
    """Whether ``#live-window``'s text names ``book``'s window ``t`` (ISO or ``YYYY-MM-DD HH:MM``)."""
    words = text.split()
    return bool(words) and words[0] == book and any(t.strftime(f) in text for f in ("%Y-%m-%dT%H:%M",
                                                                                       "%Y-%m-%d %H:%M"))


def notify_rounds(base: str, url: str, day: Day, after: datetime, rounds: int) -> list[float]:
    """Open ``/``, write ``rounds`` windows (books in turn) and return COMMIT -> ``#live-window`` ms each
    (inf when the page did not show it within 15 s)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    out: list[float] = []
    with sync_playwright() as pw, psycopg.connect(url, autocommit=True) as conn:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.add_init_script(LIVE_WATCH)
            page.goto(base + "/", wait_until="load", timeout=60_000)
            page.locator("#live-window").wait_for(state="attached", timeout=30_000)
            page.wait_for_timeout(1000)  # the page's event stream connects
            for r in range(rounds):
                book = BOOKMAKERS[r % len(BOOKMAKERS)]
                t = after + timedelta(minutes=r + 1)
                day.step(book)
                snapshot = day.snapshot(book, t)
                t0 = time.perf_counter()
                apply_snapshot(conn, snapshot)
                committed_ms = time.time() * 1000
                write_ms = (time.perf_counter() - t0) * 1000
                seen_ms = float("inf")
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline and seen_ms == float("inf"):
                    try:
                        records = page.evaluate("JSON.parse(sessionStorage.getItem('odds_bench_live') || '[]')")
                    except PlaywrightError:  # the page is reloading itself
                        records = []
                    hits = [rec["t"] for rec in records if shows(rec["text"], book, t)]
                    if hits:
                        seen_ms = max(0.0, min(hits) - committed_ms)
                    else:
                        time.sleep(0.02)
                print(f"notify round {r + 1}: {book} {t:%Y-%m-%d %H:%M} written in {write_ms:.0f} ms, "
                      f"on the page {seen_ms:.0f} ms after COMMIT", flush=True)
                out.append(seen_ms)
                page.wait_for_timeout(1000)
            shot = Path(os.environ.get("ODDS_ARTIFACTS_DIR", ROOT / "artifacts")) / "web"
            shot.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot / "benchmark_board.png"))
        finally:
            browser.close()
    return out


# -- main ------------------------------------------------------------------------------------------------------

def _minute(t: datetime) -> datetime:
    return t.astimezone(timezone.utc).replace(second=0, microsecond=0)


def _verdict(name: str, value: float) -> str:
    ok = value <= TARGETS_MS[name]
    return f"{name} {value:.1f} ms (<= {TARGETS_MS[name]:.0f}) {'PASS' if ok else 'FAIL'}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--markets", type=int, default=50, help="market instances (market x line) per event and book")
    ap.add_argument("--hours", type=float, default=24.0, help="hours of 1-minute windows")
    ap.add_argument("--change", type=float, default=0.01, help="share of each book's markets moving per window")
    ap.add_argument("--requests", type=int, default=50, help="measured requests per endpoint")
    ap.add_argument("--warmup", type=int, default=5, help="unmeasured requests per endpoint first")
    ap.add_argument("--notify-rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--load-only", action="store_true", help="generate, check and load the data; no server")
    ap.add_argument("--web-command", default=WEB_COMMAND,
                    help="the server to measure ({port} and {python} are filled in; default: %(default)s)")
    args = ap.parse_args()

    windows = max(1, round(args.hours * 60))
    now = _minute(datetime.now(timezone.utc))
    start = now - timedelta(minutes=windows)
    print(f"web benchmark: {args.events} events x 3 books x {args.markets} markets, {windows} windows of 1 minute "
          f"({start:%Y-%m-%d %H:%M} .. {start + timedelta(minutes=windows - 1):%H:%M} UTC), "
          f"{args.change:.1%} change per window; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
          flush=True)
    admin, stop = open_server()
    state = Path(tempfile.mkdtemp(prefix="odds-bench-web-"))
    url = ""
    try:
        t0 = time.perf_counter()
        print(verify_loader(admin), f"({time.perf_counter() - t0:.1f} s)", flush=True)
        url = create_database(admin, f"odds_bench_web_{os.getpid()}")
        day = Day(args.events, args.markets, args.change, start, windows,
                  kickoff_from=now + timedelta(hours=2), seed=args.seed)
        with psycopg.connect(url, autocommit=True) as conn:
            stats = load_direct(conn, day)
            mark = time.perf_counter()
            conn.execute("VACUUM (ANALYZE)")
            vacuum_s = time.perf_counter() - mark
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
            print(f"loaded {stats.history_rows} history rows, {stats.current_rows} current rows in "
                  f"{stats.seconds['total']:.1f} s ({', '.join(f'{k} {v:.1f} s' for k, v in stats.seconds.items())}); "
                  f"VACUUM ANALYZE {vacuum_s:.1f} s; database {size[0] / 2**20 if size else 0:.0f} MiB", flush=True)
            print(check_on_top(conn, day, day.times[-1] + timedelta(seconds=30), BOOKMAKERS[0]), flush=True)
        if args.load_only:
            print(f"RESULT load_s={stats.seconds['total']:.1f} history_rows={stats.history_rows} "
                  f"current_rows={stats.current_rows}")
            return 0

        rng = np.random.default_rng(args.seed)
        ids = day.events["sr_event_id"].to_numpy()
        inst = list(zip(day.books[BOOKMAKERS[0]]["mid"].tolist(), day.books[BOOKMAKERS[0]]["line"]))
        market, line = (5000, "2.5") if (5000, "2.5") in inst else next(
            ((m, ln) for m, ln in inst if ln is not None), inst[0])
        query = "" if line is None else f"?line={line}"
        n = args.warmup + args.requests
        picks = [int(x) for x in rng.choice(ids, size=n)]
        endpoints = {  # per target: (label, paths) of the JSON endpoint and of the page
            "board": [("/api/board", ["/api/board"] * n), ("/", ["/"] * n)],
            "event": [("/api/event/{sr}", [f"/api/event/{sr}" for sr in picks]),
                      ("/event/{sr}", [f"/event/{sr}" for sr in picks])],
            "path": [(f"/api/path/{{sr}}/{market}{query}", [f"/api/path/{sr}/{market}{query}" for sr in picks]),
                     (f"/path/{{sr}}/{market}{query}", [f"/path/{sr}/{market}{query}" for sr in picks])],
        }
        p95: dict[str, float] = {}
        with web_server(url, state, args.web_command) as base:
            print(f"odds web on {base}", flush=True)
            with httpx.Client(base_url=base, timeout=60) as client:
                for name, pair in endpoints.items():
                    timings = [measure(client, label, paths, args.warmup) for label, paths in pair]
                    for t in timings:
                        print(t.line(), flush=True)
                    p95[name] = max(t.p(95) if not t.errors else float("inf") for t in timings)
            notify = notify_rounds(base, url, day, day.times[-1] + timedelta(seconds=30), args.notify_rounds)
        p95["notify_to_browser"] = max(notify) if notify else float("nan")
        print("targets: " + "; ".join(_verdict(k, v) for k, v in p95.items()))
        print(f"RESULT board_p95_ms={p95['board']:.1f} event_p95_ms={p95['event']:.1f} path_p95_ms={p95['path']:.1f} "
              f"notify_to_browser_ms={p95['notify_to_browser']:.0f}")
        return 0
    finally:
        if url:
            _drop(admin, url)
        stop()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
