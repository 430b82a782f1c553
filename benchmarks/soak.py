"""Soak: the whole demo stack at a 1-minute cadence for many windows, with simulator latency.

Runs `odds demo`'s stack (embedded PostgreSQL, simulator, dagster-daemon, dagster-webserver) in a
temporary state folder with --events per book and 50-200 ms of simulator latency on every request,
for --windows windows. Per window and book it reports where the time went — schedule, run queue, scrape
(the odds_snapshot run), write sensor, write run, write s (the engine) — and lag (window end -> written;
negative = written before the window closed); per window the median memory of each long-lived
process tree (RSS; PostgreSQL: PSS, its backends share buffers), the peak RSS of one run process, CPU
seconds, and the database size. rss_growth_mb compares the later half of the windows with the earlier
half, window 1 (start-up, caches filling) left out.

Per window it also reports (the freshness path, issue [window-cost]):

- freshness per book: window start -> written in the odds database (``snapshots.applied_at``), and
  which run wrote it (the scrape run itself, or a write run after the write sensor);
- runs per window, by job (scheduled scrape runs; write runs, a range run counted once);
- archive bytes per book: the ``archive_bytes`` metadata of the window's ``odds_snapshot``
  materialisation (raw responses + Parquet);
- CPU seconds per process kind: scrape run, write run (each run is a process of its own, sampled
  every 0.5 s and told apart by the pid its RUN_START event carries), the daemon (its own processes:
  daemon, code server), the Dagster webserver, the traders' board (web), the simulator, PostgreSQL.
  cpu_s_per_window is their sum per window, from the first window written to the last (start-up left
  out).

written_pct is the share of book-windows with a ``snapshots`` row, from the first window opening after the
stack is up to the last window of the soak (with --ui: the window open when the browser stops);
webserver_cpu_pct the webserver process tree's mean CPU (% of one core) from the stack being up to the end;
archive_mb_per_window the archive's bytes per window, all books (their window folders: raw responses,
Parquet, JSON), mean over the windows every book archived, also printed per book.

--ui: headless Debian chromium (Playwright's sync API, no browser download, in a thread of its own)
keeps the Dagster UI's runs page and odds_snapshot's partitions page open and reloads both every 10 s
while the --windows windows run; then the browser stops and the soak waits for one more window, every
book's, and counts the book-windows whose scrape run succeeded but which have no ``snapshots`` row
(lost_after_ui). Also printed: page load times, the webserver's CPU with and without the browser, and
odds_snapshot's partition count (3 books x the window dimension; the partitions page's cost grows
with it). Last line:

    RESULT max_lag_s=… lag_growth_s_per_window=… rss_growth_mb=… written_pct=… webserver_cpu_pct=…
           lost_after_ui=… (na without --ui) partitions=… deadline_hit=0|1 archive_mb_per_window=…
           freshness_median_s=… runs_per_window=… cpu_s_per_window=…

Target: every window written before the next one starts, no growth in lag or memory; with --ui
written_pct >= 95 and lost_after_ui == 0. deadline_hit=1: the soak gave up waiting (windows + 4
minutes); lost_after_ui then also counts writes still queued or running.
Run: .venv/bin/python benchmarks/soak.py [--windows 20] [--events 2000] [--ui] [--prestart]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import psutil
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from odds_assets.demo import DemoConfig, start_stack
from odds_assets.models import BOOKMAKERS
from odds_assets.windows import WINDOW_FMT

RUNS = """
query($cursor: String) { runsOrError(limit: 200, cursor: $cursor) { ... on Runs { results {
  runId jobName status creationTime startTime endTime tags { key value } } } } }
"""


PARTITIONS = """
{ assetNodeOrError(assetKey: {path: ["odds_snapshot"]}) { ... on AssetNode {
  partitionStats { numPartitions numMaterialized } } } }
"""
MATERIALIZATIONS = """
query($key: AssetKeyInput!) { assetOrError(assetKey: $key) { ... on Asset {
  assetMaterializations(limit: 5000) { partition runId timestamp
    metadataEntries { label ... on IntMetadataEntry { intValue } } } } } }
"""
#: process kinds whose CPU the soak reports, in print order
KINDS = ("scrape_run", "write_run", "daemon", "webserver", "web", "simulator", "postgres")
CHROMIUM = os.environ.get("ODDS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
UI_PERIOD_S = 10.0


class UiLoad(threading.Thread):
    """Headless chromium keeping the runs page and odds_snapshot's partitions page open, both reloaded
    every UI_PERIOD_S whether or not the previous load finished (as a user hammering reload would; the
    webserver may still work on the abandoned requests). Playwright's sync API lives in this thread
    only. ``loads`` holds (page, seconds to its content, or None when not there by the next reload)."""

    def __init__(self, ui_url: str) -> None:
        super().__init__(name="ui-load", daemon=True)
        self.pages = {"runs": (f"{ui_url}/runs", re.compile(r"Runs")),
                      "partitions": (f"{ui_url}/assets/odds_snapshot?view=partitions",
                                     re.compile(r"Materialized \([0-9]+\)"))}
        self.loads: list[tuple[str, float | None]] = []
        self.errors: list[str] = []
        self.started_at = self.stopped_at = float("nan")
        self._stop_event = threading.Event()
        self.ready = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=120)

    def run(self) -> None:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    tabs = {name: browser.new_page(viewport={"width": 1600, "height": 1000}) for name in self.pages}
                    self.started_at = time.monotonic()
                    self.ready.set()
                    first = True
                    while not self._stop_event.is_set():
                        tick = time.monotonic()
                        self._cycle(tabs, first, tick + (60 if first else UI_PERIOD_S))
                        first = False
                        self._stop_event.wait(max(0.0, UI_PERIOD_S - (time.monotonic() - tick)))
                finally:
                    browser.close()
        except PlaywrightError as e:  # reported in the summary; the soak goes on without the browser
            self.errors.append(f"browser: {e!r}"[:300])
        finally:
            self.stopped_at = time.monotonic()
            self.ready.set()

    def _cycle(self, tabs: dict, first: bool, until: float) -> None:
        """(Re)load both tabs at once, then wait for each one's content until ``until``."""
        from playwright.sync_api import Error as PlaywrightError

        t0 = time.monotonic()
        for name, page in tabs.items():
            try:
                if first:
                    page.goto(self.pages[name][0], wait_until="commit", timeout=60_000)
                else:
                    page.reload(wait_until="commit", timeout=60_000)
            except PlaywrightError as e:
                self.errors.append(f"{name}: {e!r}"[:300])
        for name, page in tabs.items():
            try:
                if first:
                    skip = page.get_by_role("button", name="Skip")  # the UI's first-visit dialog
                    page.wait_for_load_state("load", timeout=60_000)
                    if skip.count():
                        skip.first.click()
                left_ms = max(1.0, (until - time.monotonic()) * 1000)
                page.get_by_text(self.pages[name][1]).first.wait_for(state="visible", timeout=left_ms)
                page.wait_for_load_state("networkidle", timeout=max(1.0, (until - time.monotonic()) * 1000))
                self.loads.append((name, time.monotonic() - t0))
            except PlaywrightError:  # not there by the next reload (a timeout) or the page went away
                self.loads.append((name, None))


class RunCpu(threading.Thread):
    """Every 0.5 s, the CPU seconds (user + system) of each run process under the daemon (its code
    server starts each run as a multiprocessing spawn child); the last value per pid stays after the
    process ends, so a run's CPU is known to within the last half second of its life."""

    def __init__(self, daemon_pid: int) -> None:
        super().__init__(name="run-cpu", daemon=True)
        self.daemon_pid = daemon_pid
        self.cpu: dict[int, float] = {}
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)

    def run(self) -> None:
        while not self._stop_event.wait(0.5):
            for p in _tree(self.daemon_pid):
                if _is_run_worker(p):
                    try:
                        t = p.cpu_times()
                        self.cpu[p.pid] = t.user + t.system
                    except psutil.Error:
                        pass


def _run_jobs(dagster_url: str) -> dict[int, str]:
    """pid -> job name of every run started so far (the pid its RUN_START event carries)."""
    with psycopg.connect(dagster_url) as conn:
        rows = conn.execute("SELECT r.pipeline_name, e.event FROM event_logs e JOIN runs r ON r.run_id = e.run_id "
                            "WHERE e.dagster_event_type IN ('RUN_START', 'PIPELINE_START')").fetchall()
    out = {}
    for job, event in rows:
        m = re.search(r'"pid": (\d+)', event)
        if m:
            out[int(m.group(1))] = job
    return out


def _run_cpu_by_kind(sampler: RunCpu, jobs: dict[int, str]) -> dict[str, float]:
    """CPU seconds so far of the run processes, by kind (``scrape_run``, ``write_run``; ``run`` while a
    run's RUN_START is not recorded yet)."""
    kind = {"scrape_odds_job": "scrape_run", "write_odds_job": "write_run"}
    out: dict[str, float] = {}
    for pid, cpu in list(sampler.cpu.items()):
        k = kind.get(jobs.get(pid, ""), "run" if pid not in jobs else "other_run")
        out[k] = out.get(k, 0.0) + cpu
    return out


def _materializations(ui: str, asset: str) -> list[dict]:
    data = httpx.post(f"{ui}/graphql", json={"query": MATERIALIZATIONS, "variables": {"key": {"path": [asset]}}},
                      timeout=120).json()
    return data["data"]["assetOrError"]["assetMaterializations"]


def _minute(t: datetime) -> datetime:
    return t.astimezone(timezone.utc).replace(second=0, microsecond=0)


def _browser_tree() -> list[psutil.Process]:
    """Playwright's driver (a child of this process) and the chromium it started."""
    out = []
    for child in psutil.Process().children():
        try:
            if "playwright" in " ".join(child.cmdline()):
                out += _tree(child.pid)
        except psutil.Error:
            pass
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _postgres_procs(pgdata: Path) -> list[psutil.Process]:
    out = []
    for p in psutil.process_iter(["name", "cmdline"]):
        try:
            if p.info["name"] == "postgres" and str(pgdata) in " ".join(p.info["cmdline"] or []):
                out += [p, *p.children(recursive=True)]
        except psutil.Error:
            pass
    return out


def _is_run_worker(p: psutil.Process) -> bool:
    """A run's process: the code server starts each run with multiprocessing's spawn."""
    try:
        return "spawn_main" in " ".join(p.cmdline())
    except psutil.Error:
        return False


def _usage(procs: list[psutil.Process], *, pss: bool = False, reaped: bool = True) -> tuple[float, float]:
    """(memory MiB, CPU seconds so far, with reaped children's unless ``reaped`` is false) of some
    processes. Memory is RSS, or PSS for processes sharing memory (PostgreSQL's backends share its
    buffers: RSS would count them once per backend)."""
    mem = cpu = 0.0
    for p in procs:
        try:
            mem += p.memory_full_info().pss if pss else p.memory_info().rss
            t = p.cpu_times()
            cpu += t.user + t.system + ((t.children_user + t.children_system) if reaped else 0.0)
        except psutil.Error:
            pass
    return mem / 2**20, cpu


def _archive_bytes(root: Path) -> dict[tuple[str, str], int]:
    """Bytes of each archived book-window folder (raw responses, Parquet, JSON), by (book, window):
    the folder sizes, cheap to read."""
    out = {}
    for folder in root.glob("*/*/*"):
        if folder.is_dir():
            out[(folder.parts[-3], f"{folder.parts[-2]} {folder.name}")] = sum(
                f.stat().st_size for f in folder.iterdir() if f.is_file())
    return out


def _all_runs(ui: str) -> Iterator[dict]:
    """Every run the webserver knows, newest first, 200 per GraphQL page."""
    cursor = None
    for _ in range(50):
        data = httpx.post(f"{ui}/graphql", json={"query": RUNS, "variables": {"cursor": cursor}}, timeout=60).json()
        results = data["data"]["runsOrError"]["results"]
        if not results:
            return
        yield from results
        cursor = results[-1]["runId"]


def _run_times(ui: str) -> dict[tuple[str, str, str], tuple[float, float, float]]:
    """(job, book, window) -> (created, started, ended) epoch seconds of the successful scrape and
    write runs. A range write run counts for each of its windows."""
    out: dict[tuple[str, str, str], tuple[float, float, float]] = {}
    for run in _all_runs(ui):
        if run["status"] != "SUCCESS" or not run["startTime"] or not run["endTime"]:
            continue
        if run["jobName"] not in ("scrape_odds_job", "write_odds_job"):
            continue  # the analytics' runs: window-only or daily partitions, no bookmaker
        tags = {t["key"]: t["value"] for t in run["tags"]}
        times = (run["creationTime"], run["startTime"], run["endTime"])
        # multi-partition keys are "<bookmaker>|<window>" (dimensions sorted by name)
        if "dagster/partition" in tags:
            book, _, window = tags["dagster/partition"].partition("|")
            out[(run["jobName"], book, window)] = times
        elif "dagster/asset_partition_range_start" in tags:
            book, _, first = tags["dagster/asset_partition_range_start"].partition("|")
            last = tags["dagster/asset_partition_range_end"].partition("|")[2]
            w = datetime.strptime(first, WINDOW_FMT)
            while w.strftime(WINDOW_FMT) <= last:
                out[(run["jobName"], book, w.strftime(WINDOW_FMT))] = times
                w += timedelta(minutes=1)
    return out


def _run_statuses(ui: str) -> dict[tuple[str, str], int]:
    """(job, status) -> number of runs."""
    out: dict[tuple[str, str], int] = {}
    for run in _all_runs(ui):
        out[(run["jobName"], run["status"])] = out.get((run["jobName"], run["status"]), 0) + 1
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=20)
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--latency", default="50-200", help="simulator latency range in ms per request")
    ap.add_argument("--keep", action="store_true", help="keep the temporary state folder")
    ap.add_argument("--ui", action="store_true",
                    help="headless chromium reloads the runs and partitions pages every 10 s meanwhile")
    ap.add_argument("--prestart", action="store_true",
                    help="ODDS_SCRAPE_PRESTART=1: each window's scrape runs start a tick ahead and wait for it")
    args = ap.parse_args()
    if args.prestart:
        os.environ["ODDS_SCRAPE_PRESTART"] = "1"  # the stack's processes inherit it

    state = Path(tempfile.mkdtemp(prefix="odds-soak-"))
    config = DemoConfig(state=state, events=args.events, cadence_minutes=1, ui_port=_free_port(),
                        sim_port=_free_port(), faults=f"*:latency={args.latency}")
    print(f"soak: {args.windows} windows, {args.events} events x 3 books, latency {args.latency} ms, "
          f"prestart {'on' if args.prestart else 'off'}, state {state}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    stack = start_stack(config, say=lambda s: print(f"==> {s}", flush=True))
    up_at = datetime.now(timezone.utc)
    first_window = _minute(up_at) + timedelta(minutes=1)  # the first window opening with the stack up
    ui: UiLoad | None = None
    ui_last_window: datetime | None = None  # the window open when the browser stopped
    # (monotonic s, webserver tree CPU s, browser tree CPU s) per sample
    cpu_trace: list[tuple[float, float, float]] = []
    browser_cpu = 0.0
    partitions = (-1, -1)
    deadline_hit = False
    # per window: the median memory of each long-lived process tree over the window's samples (RSS;
    # PostgreSQL: PSS), and the peak RSS of one run process (each Dagster run is a new process)
    rss_samples: list[dict[str, float]] = []
    run_peaks: list[float] = []
    db_sizes = []
    # (wall time, the long-lived trees' CPU seconds so far by kind, each run process's by pid): when the
    # first window opens with the stack up, and at the end, for CPU per window (start-up left out)
    marks: list[tuple[float, dict[str, float], dict[int, float]]] = []
    sampler = RunCpu(stack.processes["daemon"].pid)
    sampler.start()
    try:
        deadline = time.monotonic() + 60 * (args.windows + 4)
        seen = 0
        window_rss: dict[str, list[float]] = {}
        window_run_peak = 0.0
        cpu_before: dict[str, float] = {}
        lived_now: dict[str, float] = {}
        if args.ui:
            ui = UiLoad(stack.ui_url)
            ui.start()
            ui.ready.wait(timeout=120)
            print(f"==> browser {'up' if not ui.errors else 'FAILED: ' + '; '.join(ui.errors)}", flush=True)
        while time.monotonic() < deadline:
            if stack.dead():
                raise SystemExit(f"stack processes died: {stack.dead()}; logs in {state / 'logs'}")
            trees = {name: _tree(p.pid) for name, p in stack.processes.items()}
            runs_now = [p for p in trees.get("daemon", []) if _is_run_worker(p)]
            trees["daemon"] = [p for p in trees.get("daemon", []) if p not in runs_now]
            trees["postgres"] = _postgres_procs(state / "pgdata")
            cpu_now = {}
            for name, procs in trees.items():
                # the daemon's own processes (daemon, code server) only: its run processes are sampled
                # apart, and their CPU would come back as the code server's reaped children's
                mem, cpu = _usage(procs, pss=name == "postgres", reaped=name != "daemon")
                window_rss.setdefault(name, []).append(mem)
                cpu_now[name] = cpu
            if not marks and datetime.now(timezone.utc) >= first_window:
                marks.append((time.time(), dict(cpu_now), dict(sampler.cpu)))
            lived_now = dict(cpu_now)
            for p in runs_now:
                window_run_peak = max(window_run_peak, _usage([p])[0])
            if ui is not None and ui.is_alive():
                browser_cpu = max(browser_cpu, _usage(_browser_tree())[1])
            cpu_trace.append((time.monotonic(), cpu_now.get("webserver", 0.0), browser_cpu))
            with psycopg.connect(stack.urls.odds) as conn:
                counts: dict[str, int] = dict(conn.execute(
                    "SELECT b.name, count(s.*) FROM bookmakers b LEFT JOIN snapshots s ON s.bookmaker = b.id "
                    "GROUP BY b.name").fetchall())
                (size,) = conn.execute("SELECT pg_database_size(current_database())").fetchall()[0]
            done = min(counts.get(b, 0) for b in BOOKMAKERS)
            if done > seen:
                seen = done
                # memory: the median over the window's samples; CPU: seconds used by each kind of
                # process since the previous window was written
                cpu_now.update(_run_cpu_by_kind(sampler, _run_jobs(stack.urls.dagster)))
                sample = {name: statistics.median(v) for name, v in window_rss.items()}
                rss_samples.append(sample)
                run_peaks.append(window_run_peak)
                db_sizes.append(size / 2**20)
                cpu_s = {k: max(0.0, v - cpu_before.get(k, 0.0)) for k, v in cpu_now.items()}
                cpu_before, window_rss, window_run_peak = cpu_now, {}, 0.0
                print(f"window {seen}: MiB " + ", ".join(f"{k} {v:.0f}" for k, v in sample.items())
                      + f", run peak {run_peaks[-1]:.0f}; CPU s " + ", ".join(f"{k} {v:.0f}" for k, v in cpu_s.items())
                      + f"; db {size / 2**20:.1f} MiB", flush=True)
            if ui is not None and ui_last_window is None and seen >= args.windows:
                ui.stop()
                ui_last_window = _minute(datetime.now(timezone.utc))
                print(f"==> browser stopped ({len(ui.loads)} page loads); one more window: "
                      f"{(ui_last_window + timedelta(minutes=1)):%H:%M} UTC", flush=True)
            if ui_last_window is not None:
                # every book wrote the first window opening after the browser stopped
                after = ui_last_window + timedelta(minutes=1)
                with psycopg.connect(stack.urls.odds) as conn:
                    ((n_after,),) = conn.execute(
                        "SELECT count(DISTINCT bookmaker) FROM snapshots WHERE captured_at >= %s AND "
                        "captured_at < %s", (after, after + timedelta(minutes=1))).fetchall()
                if n_after >= len(BOOKMAKERS):
                    break
            elif seen >= args.windows:
                break
            time.sleep(2)
        else:
            deadline_hit = True
            print(f"==> DEADLINE: stopped waiting after {60 * (args.windows + 4)} s", flush=True)
        if marks:
            marks.append((time.time(), lived_now, dict(sampler.cpu)))
        runs = _run_times(stack.ui_url)
        statuses = _run_statuses(stack.ui_url)
        print("runs: " + ", ".join(f"{job} {status} {n}" for (job, status), n in sorted(statuses.items()))
              + f"; load average {os.getloadavg()[0]:.1f}", flush=True)
        stats = httpx.post(f"{stack.ui_url}/graphql", json={"query": PARTITIONS}, timeout=120).json()
        node = stats["data"]["assetNodeOrError"]["partitionStats"]
        partitions = (node["numPartitions"], node["numMaterialized"])
        archive_sizes = _archive_bytes(Path(stack.env["ODDS_ARCHIVE_URL"]))
        snapshot_mats = _materializations(stack.ui_url, "odds_snapshot")
        current_mats = _materializations(stack.ui_url, "current_odds")
        run_jobs = _run_jobs(stack.urls.dagster)
        all_runs = list(_all_runs(stack.ui_url))
        with psycopg.connect(stack.urls.odds) as conn:
            snaps = conn.execute(
                "SELECT b.name, s.captured_at, s.applied_at, s.write_ms, s.events, s.changed, s.history_rows "
                "FROM snapshots s JOIN bookmakers b ON b.id = s.bookmaker ORDER BY s.captured_at, b.id").fetchall()
    finally:
        sampler.stop()
        if ui is not None and ui.is_alive():
            ui.stop()
        stack.stop(say=lambda s: print(f"==> {s}", flush=True))
        if not args.keep:
            shutil.rmtree(state, ignore_errors=True)

    # the path of one window through the stack, in seconds: window start -> scrape run created (schedule),
    # created -> started (queue + run process launch), scrape run, scrape end -> write run created (sensor),
    # created -> started, write run (of which the engine: write_s), window end -> written (lag)
    nan = float("nan")
    job_of_run = {r["runId"]: r["jobName"] for r in all_runs}
    writer = {m["partition"]: job_of_run.get(m["runId"], "?") for m in current_mats if m["partition"]}
    print(f"{'book':<10} {'window':<17} {'sched_s':>7} {'queue_s':>7} {'scrape_s':>8} {'sensor_s':>8} "
          f"{'wqueue_s':>8} {'wrun_s':>6} {'write_s':>7} {'lag_s':>6} {'fresh_s':>7} {'by':>6} {'events':>6} "
          f"{'changed':>7}")
    freshness: dict[tuple[str, datetime], float] = {}
    parts: dict[str, list[float]] = {k: [] for k in ("sched", "queue", "scrape", "sensor", "wqueue", "wrun")}
    lags_by_window: dict[datetime, float] = {}
    for book, captured, applied, write_ms, events, changed, _hist in snaps:
        start = captured.replace(second=0, microsecond=0)
        end = start + timedelta(minutes=1)
        lag = (applied - end).total_seconds()
        key = start.astimezone(timezone.utc).strftime(WINDOW_FMT)
        sc = runs.get(("scrape_odds_job", book, key))
        wr = runs.get(("write_odds_job", book, key))
        row = {
            "sched": sc[0] - start.timestamp() if sc else nan,
            "queue": sc[1] - sc[0] if sc else nan,
            "scrape": sc[2] - sc[1] if sc else nan,
            "sensor": wr[0] - sc[2] if sc and wr else nan,
            "wqueue": wr[1] - wr[0] if wr else nan,
            "wrun": wr[2] - wr[1] if wr else nan,
        }
        for k, v in row.items():
            if v == v:
                parts[k].append(v)
        lags_by_window[start] = max(lags_by_window.get(start, lag), lag)
        # freshness: window start -> written (the engine's applied_at, the database's clock)
        freshness[(book, start)] = (applied - start).total_seconds()
        by = {"scrape_odds_job": "scrape", "write_odds_job": "write"}.get(writer.get(f"{book}|{key}", ""), "?")
        print(f"{book:<10} {key:<17} {row['sched']:>7.1f} {row['queue']:>7.1f} {row['scrape']:>8.2f} "
              f"{row['sensor']:>8.1f} {row['wqueue']:>8.1f} {row['wrun']:>6.1f} {write_ms / 1000:>7.3f} "
              f"{lag:>6.1f} {freshness[(book, start)]:>7.1f} {by:>6} {events:>6} {changed:>7}")
    print("median s: " + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in parts.items() if v))
    windows = sorted(lags_by_window)
    lags = [lags_by_window[w] for w in windows]
    max_lag = max(lags) if lags else float("nan")
    if len(lags) >= 2:
        xs = list(range(len(lags)))
        growth = statistics.linear_regression(xs, lags).slope
    else:
        growth = float("nan")
    # memory growth of the long-lived processes, window 1 left out (the stack starts during it and
    # the caches fill): mean of the later half minus mean of the earlier half
    steady = rss_samples[1:] if len(rss_samples) >= 3 else rss_samples
    half = max(1, len(steady) // 2)

    def growth_of(values: list[float]) -> float:
        return statistics.mean(values[half:]) - statistics.mean(values[:half]) if len(values) >= 2 else 0.0

    rss_growth = growth_of([sum(x.values()) for x in steady])
    if steady:
        print("memory growth (MiB, later half - earlier half, from window 2): "
              + ", ".join(f"{k} {growth_of([x[k] for x in steady]):+.1f}" for k in steady[0])
              + f"; run process peak {growth_of(run_peaks[1:] if len(run_peaks) >= 3 else run_peaks):+.1f}")
    written_in_time = sum(1 for lag in lags if lag <= 0)  # the next window starts at this one's end
    print(f"windows fully written: {len(lags)}; written before the next window started: {written_in_time}/{len(lags)}")
    if db_sizes:
        print(f"database size: {db_sizes[0]:.1f} -> {db_sizes[-1]:.1f} MiB")

    # written: book-windows with a snapshots row, from the first window opening with the stack up to the
    # last window of the soak (with --ui: the window open when the browser stopped; else the last
    # window every book wrote, so a faster book's next window does not count against the others)
    written = {(book, _minute(captured)) for book, captured, *_ in snaps}
    if ui_last_window is not None:
        span_end = ui_last_window
    else:
        span_end = min((max((w for b, w in written if b == book), default=first_window) for book in BOOKMAKERS),
                       default=first_window)
    span = [first_window + timedelta(minutes=i)
            for i in range(int((span_end - first_window).total_seconds() // 60) + 1)]
    expected = [(book, w) for w in span for book in BOOKMAKERS]
    missing = [f"{b}|{w:%H:%M}" for b, w in expected if (b, w) not in written]
    written_pct = 100.0 * (len(expected) - len(missing)) / len(expected) if expected else float("nan")
    print(f"book-windows written: {len(expected) - len(missing)}/{len(expected)} ({first_window:%H:%M}-"
          f"{span_end:%H:%M} UTC)" + (f"; missing {', '.join(missing)}" if missing else ""))

    # webserver CPU, % of one core: over the whole soak, and with / without the browser
    def cpu_pct(t0: float, t1: float, col: int = 1) -> float:
        pts = [s for s in cpu_trace if t0 <= s[0] <= t1]
        if len(pts) < 2 or pts[-1][0] <= pts[0][0]:
            return float("nan")
        return 100.0 * (pts[-1][col] - pts[0][col]) / (pts[-1][0] - pts[0][0])

    inf = float("inf")
    webserver_pct = cpu_pct(-inf, inf)
    lost: int | str = "na"
    if ui is not None:
        with_b, without_b = cpu_pct(ui.started_at, ui.stopped_at), cpu_pct(ui.stopped_at, inf)
        loads = {name: [s for n, s in ui.loads if n == name and s is not None] for name in ui.pages}
        failed = sum(1 for _, s in ui.loads if s is None)
        print("browser: " + ", ".join(
            f"{name} page {len(v)} loads, median {statistics.median(v):.1f} s, max {max(v):.1f} s" if v
            else f"{name} page no load" for name, v in loads.items())
            + f"; {failed} not loaded by the next reload; "
            f"browser CPU {cpu_pct(ui.started_at, ui.stopped_at, 2):.0f}% of a core")
        for err in ui.errors[:5]:
            print(f"  browser error: {err}")
        print(f"webserver CPU (% of one core): {webserver_pct:.1f} over the soak; {with_b:.1f} with the "
              f"browser, {without_b:.1f} after it stopped")
        # lost: a successful scrape run for a book-window up to the one after the browser stopped,
        # and no snapshots row for it
        last = (ui_last_window or span_end) + timedelta(minutes=1)
        scraped = {(book, datetime.strptime(w, WINDOW_FMT).replace(tzinfo=timezone.utc))
                   for job, book, w in runs if job == "scrape_odds_job"}
        lost_keys = sorted(k for k in scraped if k[1] <= last and k not in written)
        lost = len(lost_keys)
        print(("DEADLINE, writes may still have been in flight; " if deadline_hit else "")
              + f"after the browser: book-windows scraped up to {last:%H:%M} UTC: "
              f"{sum(1 for k in scraped if k[1] <= last)}, not written: {lost}"
              + (" (" + ", ".join(f"{b}|{w:%H:%M}" for b, w in lost_keys) + ")" if lost_keys else ""))
    else:
        print(f"webserver CPU (% of one core): {webserver_pct:.1f} over the soak")
    # archive bytes per window: every book's folder, over the windows all books archived
    full = sorted(set.intersection(*({w for b, w in archive_sizes if b == book} for book in BOOKMAKERS)))
    for book in BOOKMAKERS:
        sizes = [archive_sizes[(book, w)] for w in full]
        if sizes:
            print(f"archive {book}: {statistics.mean(sizes) / 1024:.0f} KiB per window (median "
                  f"{statistics.median(sizes) / 1024:.0f}, max {max(sizes) / 1024:.0f})")
    archive_mb = (statistics.mean(sum(archive_sizes[(b, w)] for b in BOOKMAKERS) for w in full) / 2**20
                  if full else float("nan"))
    # per window: freshness and archive bytes per book, runs by job
    archive_bytes: dict[tuple[str, datetime], int] = {}
    for m in snapshot_mats:
        entries = {e["label"]: e.get("intValue") for e in m["metadataEntries"]}
        if m["partition"] and entries.get("archive_bytes") is not None:
            book, _, w = m["partition"].partition("|")
            start = datetime.strptime(w, WINDOW_FMT).replace(tzinfo=timezone.utc)
            archive_bytes[(book, start)] = entries["archive_bytes"]
    runs_by_window: dict[datetime, dict[str, int]] = {}
    for r in all_runs:
        tags = {t["key"]: t["value"] for t in r["tags"]}
        first = tags.get("dagster/partition") or tags.get("dagster/asset_partition_range_start")
        if not first or r["jobName"] not in ("scrape_odds_job", "write_odds_job"):
            continue
        w = datetime.strptime(first.partition("|")[2], WINDOW_FMT).replace(tzinfo=timezone.utc)
        per = runs_by_window.setdefault(w, {})
        per[r["jobName"]] = per.get(r["jobName"], 0) + 1
    last_written = max((w for _, w in freshness), default=first_window)
    all_windows = [first_window + timedelta(minutes=i)
                   for i in range(int((last_written - first_window).total_seconds() // 60) + 1)]
    print(f"{'window (UTC)':<12} " + " ".join(f"{b + ' fresh_s':>16} {b + ' KiB':>13}" for b in BOOKMAKERS)
          + f" {'scrape runs':>11} {'write runs':>10}")
    for w in all_windows:
        cells = []
        for b in BOOKMAKERS:
            f = freshness.get((b, w))
            a = archive_bytes.get((b, w))
            cells.append(f"{(f'{f:.1f}' if f is not None else '-'):>16} {(f'{a / 1024:.0f}' if a else '-'):>13}")
        per = runs_by_window.get(w, {})
        print(f"{w:%Y-%m-%d %H:%M} " + " ".join(cells)
              + f" {per.get('scrape_odds_job', 0):>11} {per.get('write_odds_job', 0):>10}")
    in_span = [v for (b, w), v in freshness.items() if w >= first_window]
    freshness_median = statistics.median(in_span) if in_span else float("nan")
    for b in BOOKMAKERS:
        mine = [v for (bk, w), v in freshness.items() if bk == b and w >= first_window]
        if mine:
            print(f"freshness {b}: median {statistics.median(mine):.1f} s, max {max(mine):.1f} s over "
                  f"{len(mine)} windows")
    runs_per_window = statistics.mean(sum(runs_by_window.get(w, {}).values()) for w in all_windows)
    writers = [writer.get(f"{b}|{w:%Y-%m-%d-%H:%M}") for b in BOOKMAKERS for w in all_windows]
    print(f"runs per window: {runs_per_window:.2f}; windows written by their scrape run: "
          f"{sum(1 for x in writers if x == 'scrape_odds_job')}/{len(writers)}, by a write run: "
          f"{sum(1 for x in writers if x == 'write_odds_job')}")
    # CPU per window, by kind: from the first window opening with the stack up to the end, per minute
    cpu_per_window: dict[str, float] = {}
    n = (marks[-1][0] - marks[0][0]) / 60 if len(marks) >= 2 else 0.0
    if n > 0:
        (_, lived0, pids0), (_, lived1, pids1) = marks[0], marks[-1]
        for k in lived1:
            cpu_per_window[k] = (lived1[k] - lived0.get(k, 0.0)) / n
        kind = {"scrape_odds_job": "scrape_run", "write_odds_job": "write_run"}
        for pid, cpu in pids1.items():
            k = kind.get(run_jobs.get(pid, ""), "other_run")
            cpu_per_window[k] = cpu_per_window.get(k, 0.0) + (cpu - pids0.get(pid, 0.0)) / n
    cpu_total = sum(cpu_per_window.values()) if cpu_per_window else float("nan")
    order = [k for k in KINDS if k in cpu_per_window] + sorted(set(cpu_per_window) - set(KINDS))
    print(f"CPU s per window ({n:.1f} windows from {first_window:%H:%M} UTC to the end): "
          + ", ".join(f"{k} {cpu_per_window[k]:.1f}" for k in order) + f"; total {cpu_total:.1f}")
    print(f"odds_snapshot partitions: {partitions[0]} (3 books x {partitions[0] // len(BOOKMAKERS)} windows), "
          f"{partitions[1]} materialised")
    print(f"RESULT max_lag_s={max_lag:.1f} lag_growth_s_per_window={growth:.3f} rss_growth_mb={rss_growth:.1f} "
          f"written_pct={written_pct:.1f} webserver_cpu_pct={webserver_pct:.1f} lost_after_ui={lost} "
          f"partitions={partitions[0]} deadline_hit={int(deadline_hit)} archive_mb_per_window={archive_mb:.2f} "
          f"freshness_median_s={freshness_median:.1f} runs_per_window={runs_per_window:.2f} "
          f"cpu_s_per_window={cpu_total:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
