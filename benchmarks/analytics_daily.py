"""Daily analytics benchmark: the four daily reports (``opening_closing``, ``margin_report``, ``lead_lag``,
``coverage_gaps``) for one UTC day of 1-minute history at the scale of issue [analytics].

The data: ``benchmarks/web.py``'s synthetic day and loader (imported, not copied; its loader writes
exactly the engine's rows, which it checks against ``apply_snapshot`` at a small scale first): --events
(2,000) events x 3 books x --markets (50) market instances, one board per book per minute from 00:00 to
23:59 UTC of one day, --change (1 %) of each book's markets moving per minute (~4.6 M history rows); the
kick-offs start at 02:00 of that day, every quarter hour over 48 hours (so about 46 % of the events kick
off that day and own opening/closing rows). Then each report is computed and written for that day once
through ``odds_assets.db.analytics_daily.run_daily`` (what the Dagster asset runs), timed by wall clock.

Last line (target: each <= 60 s per day on a 2-core machine):

    RESULT daily_s=<max of the four> opening_closing_s=… margin_report_s=… lead_lag_s=… coverage_gaps_s=…

Run: .venv/bin/python benchmarks/analytics_daily.py [--events 2000 --markets 50 --hours 24]
The database is a fresh embedded PostgreSQL in a temporary directory unless ODDS_BENCH_DATABASE_URL (a
superuser URL of a server on which scratch databases may be created) is set; --url measures an already
loaded database instead (no load).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psutil
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.web import Day, load_direct, verify_loader
from benchmarks.write_path import create_database, open_server
from odds_assets.analytics.daily import REPORTS
from odds_assets.db.analytics_daily import run_daily

DAY = date(2026, 11, 20)
TARGET_S = 60.0


def _cpu(backend: psutil.Process | None) -> float:
    """CPU seconds used so far by this process and the database backend serving it."""
    own = time.process_time()
    if backend is None:
        return own
    t = backend.cpu_times()
    return own + t.user + t.system


def measure(url: str, day: date) -> dict[str, float]:
    """Each report for ``day``: wall seconds (returned) and CPU seconds of this process plus its
    PostgreSQL backend (printed: what the report costs whatever else the machine runs)."""
    seconds: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        try:
            backend: psutil.Process | None = psutil.Process(int(row[0])) if row else None
            _cpu(backend)
        except (psutil.Error, OSError):  # a server on another machine: this process's CPU only
            backend = None
        for report in REPORTS:
            t0, c0 = time.perf_counter(), _cpu(backend)
            result = run_daily(conn, report, day, cadence_s=60)
            seconds[report] = time.perf_counter() - t0
            cpu = _cpu(backend) - c0
            figures = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                for k, v in list(result.figures.items())[:8])
            print(f"{report}: {seconds[report]:.1f} s wall, {cpu:.1f} s CPU (client + backend), {result.rows} rows; "
                  f"{figures}; "
                  f"books {', '.join(result.books_covered)}; load average {os.getloadavg()[0]:.1f}", flush=True)
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--markets", type=int, default=50, help="market instances (market x line) per event and book")
    ap.add_argument("--hours", type=float, default=24.0, help="hours of 1-minute windows from 00:00 of the day")
    ap.add_argument("--change", type=float, default=0.01, help="share of each book's markets moving per window")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--url", help="an odds database already loaded for --day: measure only")
    ap.add_argument("--day", type=date.fromisoformat, default=DAY)
    args = ap.parse_args()
    print(f"daily analytics benchmark: {args.events} events x 3 books x {args.markets} markets, "
          f"{round(args.hours * 60)} windows of 1 minute on {args.day}, {args.change:.1%} change per window; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    if args.url:
        seconds = measure(args.url, args.day)
    else:
        admin, stop = open_server()
        try:
            t0 = time.perf_counter()
            print(verify_loader(admin), f"({time.perf_counter() - t0:.1f} s)", flush=True)
            url = create_database(admin, f"odds_bench_analytics_{os.getpid()}")
            start = datetime(args.day.year, args.day.month, args.day.day, tzinfo=timezone.utc)
            day = Day(args.events, args.markets, args.change, start, max(1, round(args.hours * 60)),
                      kickoff_from=start + timedelta(hours=2), seed=args.seed)
            with psycopg.connect(url, autocommit=True) as conn:
                stats = load_direct(conn, day)
                conn.execute("VACUUM (ANALYZE)")
            print(f"loaded {stats.history_rows} history rows, {stats.current_rows} current rows in "
                  f"{stats.seconds['total']:.1f} s", flush=True)
            seconds = measure(url, args.day)
        finally:
            stop()
    worst = max(seconds.values())
    print(f"target: each <= {TARGET_S:.0f} s per day: {'met' if worst <= TARGET_S else 'NOT met'}")
    print("RESULT " + " ".join([f"daily_s={worst:.1f}", *(f"{r}_s={seconds[r]:.1f}" for r in REPORTS)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
