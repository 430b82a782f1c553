"""Soak: the whole demo stack at a 1-minute cadence for many windows, with simulator latency.

Runs `odds demo`'s stack (embedded PostgreSQL, simulator, dagster-daemon, dagster-webserver) in a
temporary state folder with --events per book and 50-200 ms of simulator latency on every request,
for --windows windows. Per window and book it reports scrape s (the odds_snapshot run), write s (the
write engine), lag (window end -> written; negative = written before the window closed), the RSS of
each process tree and the database size. Last line:

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

from odds_assets.demo import DemoConfig, start_stack  # noqa: E402
from odds_assets.models import BOOKMAKERS  # noqa: E402

RUNS = """
query($cursor: String) { runsOrError(limit: 200, cursor: $cursor) { ... on Runs { results {
  runId jobName status startTime endTime tags { key value } } } } }
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree_rss_mb(pid: int) -> float:
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def _postgres_rss_mb(pgdata: Path) -> float:
    total = 0
    for p in psutil.process_iter(["name", "cmdline"]):
        try:
            if p.info["name"] == "postgres" and str(pgdata) in " ".join(p.info["cmdline"] or []):
                total += p.memory_info().rss
                total += sum(c.memory_info().rss for c in p.children(recursive=True))
        except psutil.Error:
            pass
    return total / 2**20


def _scrape_seconds(ui: str) -> dict[tuple[str, str], float]:
    """(book, window) -> wall seconds of the successful runs that materialised odds_snapshot."""
    out: dict[tuple[str, str], float] = {}
    cursor = None
    for _ in range(20):
        data = httpx.post(f"{ui}/graphql", json={"query": RUNS, "variables": {"cursor": cursor}}, timeout=60).json()
        results = data["data"]["runsOrError"]["results"]
        if not results:
            break
        for run in results:
            tags = {t["key"]: t["value"] for t in run["tags"]}
            # multi-partition keys are "<bookmaker>|<window>" (dimensions sorted by name)
            book, _, window = tags.get("dagster/partition", "").partition("|")
            if run["status"] == "SUCCESS" and run["jobName"] == "scrape_odds_job" and book and window \
                    and run["startTime"] and run["endTime"]:
                out[(book, window)] = run["endTime"] - run["startTime"]
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
    rows = []
    rss_samples: list[dict[str, float]] = []
    db_sizes = []
    try:
        deadline = time.monotonic() + 60 * (args.windows + 4)
        seen = 0
        while time.monotonic() < deadline:
            if stack.dead():
                raise SystemExit(f"stack processes died: {stack.dead()}; logs in {state / 'logs'}")
            with psycopg.connect(stack.urls.odds) as conn:
                counts = dict(conn.execute(
                    "SELECT b.name, count(s.*) FROM bookmakers b LEFT JOIN snapshots s ON s.bookmaker = b.id "
                    "GROUP BY b.name").fetchall())
                size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
            done = min(counts.get(b, 0) for b in BOOKMAKERS)
            if done > seen:
                seen = done
                sample = {name: _tree_rss_mb(p.pid) for name, p in stack.processes.items()}
                sample["postgres"] = _postgres_rss_mb(state / "pgdata")
                rss_samples.append(sample)
                db_sizes.append(size / 2**20)
                print(f"window {seen}: " + ", ".join(f"{k} {v:.0f} MiB" for k, v in sample.items())
                      + f", db {size / 2**20:.1f} MiB", flush=True)
            if seen >= args.windows:
                break
            time.sleep(5)
        scrape = _scrape_seconds(stack.ui_url)
        with psycopg.connect(stack.urls.odds) as conn:
            snaps = conn.execute(
                "SELECT b.name, s.captured_at, s.applied_at, s.write_ms, s.events, s.changed, s.history_rows "
                "FROM snapshots s JOIN bookmakers b ON b.id = s.bookmaker ORDER BY s.captured_at, b.id").fetchall()
    finally:
        stack.stop(say=lambda s: print(f"==> {s}", flush=True))
        if not args.keep:
            shutil.rmtree(state, ignore_errors=True)

    print(f"{'book':<10} {'window':<17} {'scrape_s':>8} {'write_s':>8} {'lag_s':>7} {'events':>6} {'changed':>7}")
    lags_by_window: dict[datetime, float] = {}
    for book, captured, applied, write_ms, events, changed, hist in snaps:
        start = captured.replace(second=0, microsecond=0)
        end = start + timedelta(minutes=1)
        lag = (applied - end).total_seconds()
        key = start.astimezone(timezone.utc).strftime("%Y-%m-%d-%H:%M")
        s = scrape.get((book, key))
        rows.append((book, key, s, write_ms / 1000, lag))
        lags_by_window[start] = max(lags_by_window.get(start, lag), lag)
        print(f"{book:<10} {key:<17} {s if s is not None else float('nan'):>8.2f} {write_ms / 1000:>8.3f} "
              f"{lag:>7.1f} {events:>6} {changed:>7}")
    windows = sorted(lags_by_window)
    lags = [lags_by_window[w] for w in windows]
    max_lag = max(lags) if lags else float("nan")
    if len(lags) >= 2:
        xs = list(range(len(lags)))
        growth = statistics.linear_regression(xs, lags).slope
    else:
        growth = float("nan")
    rss_total = [sum(s.values()) for s in rss_samples]
    half = max(1, len(rss_total) // 2)
    rss_growth = (statistics.mean(rss_total[half:]) - statistics.mean(rss_total[:half])) if len(rss_total) >= 2 else 0.0
    written_in_time = sum(1 for lag in lags if lag <= 0)  # the next window starts at this one's end
    print(f"windows fully written: {len(lags)}; written before the next window started: {written_in_time}/{len(lags)}")
    if db_sizes:
        print(f"database size: {db_sizes[0]:.1f} -> {db_sizes[-1]:.1f} MiB")
    print(f"RESULT max_lag_s={max_lag:.1f} lag_growth_s_per_window={growth:.3f} rss_growth_mb={rss_growth:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
