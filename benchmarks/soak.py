"""Soak: the whole demo stack at a 1-minute cadence for many windows, with simulator latency.

Runs `odds demo`'s stack (embedded PostgreSQL, simulator, dagster-daemon, dagster-webserver) in a
temporary state folder with --events per book and 50-200 ms of simulator latency on every request,
for --windows windows. Per window and book it reports where the time went — schedule, run queue, scrape
(the odds_snapshot run), write sensor, write run, write s (the engine) — and lag (window end -> written;
negative = written before the window closed); per window the median memory of each long-lived
process tree (RSS; PostgreSQL: PSS, its backends share buffers), the peak RSS of one run process, CPU
seconds, and the database size. rss_growth_mb compares the later half of the windows with the earlier
half, window 1 (start-up, caches filling) left out. Last line:

    RESULT max_lag_s=… lag_growth_s_per_window=… rss_growth_mb=…

Target: every window written before the next one starts, no growth in lag or memory.
Run: .venv/bin/python benchmarks/soak.py [--windows 20] [--events 2000]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import sys
import tempfile
import time
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


def _usage(procs: list[psutil.Process], *, pss: bool = False) -> tuple[float, float]:
    """(memory MiB, CPU seconds so far incl. reaped children) of some processes. Memory is RSS, or
    PSS for processes sharing memory (PostgreSQL's backends share its buffers: RSS would count them
    once per backend)."""
    mem = cpu = 0.0
    for p in procs:
        try:
            mem += p.memory_full_info().pss if pss else p.memory_info().rss
            t = p.cpu_times()
            cpu += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return mem / 2**20, cpu


def _run_times(ui: str) -> dict[tuple[str, str, str], tuple[float, float, float]]:
    """(job, book, window) -> (created, started, ended) epoch seconds of the successful scrape and
    write runs. A range write run counts for each of its windows."""
    out: dict[tuple[str, str, str], tuple[float, float, float]] = {}
    cursor = None
    for _ in range(50):
        data = httpx.post(f"{ui}/graphql", json={"query": RUNS, "variables": {"cursor": cursor}}, timeout=60).json()
        results = data["data"]["runsOrError"]["results"]
        if not results:
            break
        for run in results:
            if run["status"] != "SUCCESS" or not run["startTime"] or not run["endTime"]:
                continue
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
        cursor = results[-1]["runId"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=20)
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--latency", default="50-200", help="simulator latency range in ms per request")
    ap.add_argument("--keep", action="store_true", help="keep the temporary state folder")
    args = ap.parse_args()

    state = Path(tempfile.mkdtemp(prefix="odds-soak-"))
    config = DemoConfig(state=state, events=args.events, cadence_minutes=1, ui_port=_free_port(),
                        sim_port=_free_port(), faults=f"*:latency={args.latency}")
    print(f"soak: {args.windows} windows, {args.events} events x 3 books, latency {args.latency} ms, state {state}")
    stack = start_stack(config, say=lambda s: print(f"==> {s}", flush=True))
    # per window: the median memory of each long-lived process tree over the window's samples (RSS;
    # PostgreSQL: PSS), and the peak RSS of one run process (each Dagster run is a new process)
    rss_samples: list[dict[str, float]] = []
    run_peaks: list[float] = []
    db_sizes = []
    try:
        deadline = time.monotonic() + 60 * (args.windows + 4)
        seen = 0
        window_rss: dict[str, list[float]] = {}
        window_run_peak = 0.0
        cpu_before: dict[str, float] = {}
        while time.monotonic() < deadline:
            if stack.dead():
                raise SystemExit(f"stack processes died: {stack.dead()}; logs in {state / 'logs'}")
            trees = {name: _tree(p.pid) for name, p in stack.processes.items()}
            runs_now = [p for p in trees.get("daemon", []) if _is_run_worker(p)]
            trees["daemon"] = [p for p in trees.get("daemon", []) if p not in runs_now]
            trees["postgres"] = _postgres_procs(state / "pgdata")
            cpu_now = {}
            for name, procs in trees.items():
                mem, cpu = _usage(procs, pss=name == "postgres")
                window_rss.setdefault(name, []).append(mem)
                cpu_now[name] = cpu
            for p in runs_now:
                window_run_peak = max(window_run_peak, _usage([p])[0])
            with psycopg.connect(stack.urls.odds) as conn:
                counts: dict[str, int] = dict(conn.execute(
                    "SELECT b.name, count(s.*) FROM bookmakers b LEFT JOIN snapshots s ON s.bookmaker = b.id "
                    "GROUP BY b.name").fetchall())
                (size,) = conn.execute("SELECT pg_database_size(current_database())").fetchall()[0]
            done = min(counts.get(b, 0) for b in BOOKMAKERS)
            if done > seen:
                seen = done
                # memory: the median over the window's samples; CPU: seconds used by the long-lived
                # trees since the previous window was written (run processes' CPU counts in the
                # daemon's once they are reaped by its code server)
                sample = {name: statistics.median(v) for name, v in window_rss.items()}
                rss_samples.append(sample)
                run_peaks.append(window_run_peak)
                db_sizes.append(size / 2**20)
                cpu_s = {k: max(0.0, v - cpu_before.get(k, 0.0)) for k, v in cpu_now.items()}
                cpu_before, window_rss, window_run_peak = cpu_now, {}, 0.0
                print(f"window {seen}: MiB " + ", ".join(f"{k} {v:.0f}" for k, v in sample.items())
                      + f", run peak {run_peaks[-1]:.0f}; CPU s " + ", ".join(f"{k} {v:.0f}" for k, v in cpu_s.items())
                      + f"; db {size / 2**20:.1f} MiB", flush=True)
            time.sleep(2)
            if seen >= args.windows:
                break
        runs = _run_times(stack.ui_url)
        with psycopg.connect(stack.urls.odds) as conn:
            snaps = conn.execute(
                "SELECT b.name, s.captured_at, s.applied_at, s.write_ms, s.events, s.changed, s.history_rows "
                "FROM snapshots s JOIN bookmakers b ON b.id = s.bookmaker ORDER BY s.captured_at, b.id").fetchall()
    finally:
        stack.stop(say=lambda s: print(f"==> {s}", flush=True))
        if not args.keep:
            shutil.rmtree(state, ignore_errors=True)

    # the path of one window through the stack, in seconds: window start -> scrape run created (schedule),
    # created -> started (queue + run process launch), scrape run, scrape end -> write run created (sensor),
    # created -> started, write run (of which the engine: write_s), window end -> written (lag)
    nan = float("nan")
    print(f"{'book':<10} {'window':<17} {'sched_s':>7} {'queue_s':>7} {'scrape_s':>8} {'sensor_s':>8} "
          f"{'wqueue_s':>8} {'wrun_s':>6} {'write_s':>7} {'lag_s':>6} {'events':>6} {'changed':>7}")
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
        print(f"{book:<10} {key:<17} {row['sched']:>7.1f} {row['queue']:>7.1f} {row['scrape']:>8.2f} "
              f"{row['sensor']:>8.1f} {row['wqueue']:>8.1f} {row['wrun']:>6.1f} {write_ms / 1000:>7.3f} "
              f"{lag:>6.1f} {events:>6} {changed:>7}")
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
    print(f"RESULT max_lag_s={max_lag:.1f} lag_growth_s_per_window={growth:.3f} rss_growth_mb={rss_growth:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
