"""Analytics benchmark: the window-level assets' computations (``fair_prices``, ``exposure``) on a day of
1-minute history at the scale of issue [analytics] (#15).

The data is ``benchmarks/web.py``'s synthetic day, loaded by its loader (imported, not copied): --events
(2,000) events x 3 books x --markets (50) market instances, one board per book per minute for --hours
(24) hours, --change (1 %) of each book's markets moving one outcome by 0.03 every minute (~4.6 million
history rows), written with COPY in exactly the rows the write engine writes for those windows (web.py
checks that claim at a small scale through ``apply_snapshot`` before every load; this script runs the
same check). Odds (--odds): ``realistic`` (default, :func:`price_realistically`): the books price one
true probability per outcome with their own margins, so BetPawa is a little short of the fair price and
exposures come from the noise and the day's moves; ``random``: the loader's own odds, random per outcome
(1.05 .. 15), which make most outcomes exposed (~288,000 open episodes at full size): the worst case for
``exposure``.

Measured, per window, for the last --windows windows of the day in order (the first of them is a
warm-up that computes the whole board from nothing; each later one follows the newest computed window,
so it is incremental: the steady state a live deployment sees):

- ``fair_window_s``: what the ``fair_prices`` asset does for one window (``fair_window``: plan, the
  state of the instances to recompute, write);
- ``exposure_window_s``: what the ``exposure`` asset does after ``fair_prices`` in the same run process
  (the way ``analytics_job`` runs them: the state reused), on even windows;
- ``exposure_alone_window_s``: ``exposure`` in a run process of its own (nothing reused: the state
  computed again), on odd windows (a window's exposure is computed once: a second time would be a re-run,
  which takes the whole board).

Also printed: the plan and time of reading a window's changes (``select_window_changes``), a backfill of an
old window's state (mid-day, the whole board, prices read from history), and row counts. Last line
(medians over the windows after the warm-up):

    RESULT fair_window_s=… exposure_window_s=… exposure_alone_window_s=… daily_s=…

Targets on a 2-core machine: each window-level figure <= 5 s per window. ``daily_s`` (target <= 60 s per
day) is the slowest of the four daily reports for one whole UTC day of the same synthetic data, measured
after the window part by ``benchmarks/analytics_daily.py`` in a process and database of its own (a day
aligned to 00:00 with kick-offs inside it, which the window part's rolling last 24 hours are not; its
report lines are printed here too); ``--no-daily`` leaves it out.

Run: .venv/bin/python benchmarks/analytics.py [--events 2000 --markets 50 --hours 24 --windows 9 --odds random]
The database is a fresh embedded PostgreSQL in a temporary directory unless ODDS_BENCH_DATABASE_URL
(a superuser URL of a server on which scratch databases may be created) is set.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.web import Day, _drop, _minute, load_direct, verify_loader
from benchmarks.write_path import create_database, encode, open_server
from odds_assets.analytics.margin import market_shapes, underlying_market_id
from odds_assets.db import analytics_window as aw
from odds_assets.db import queries
from odds_assets.db.analytics_window import WindowSettings, window_state
from odds_assets.models import BOOKMAKERS

TARGETS_S = {"fair_window_s": 5.0, "exposure_window_s": 5.0, "exposure_alone_window_s": 5.0}
CADENCE = timedelta(minutes=1)


SETTINGS = WindowSettings()
#: per book its margin when --odds realistic (BetPawa, SportyBet, Bet9ja)
MARGINS = (0.05, 0.06, 0.07)


def fair_step(conn: psycopg.Connection, start: datetime) -> None:
    """What the ``fair_prices`` asset does for one window (``fair_window``: incremental when it follows
    the newest computed window)."""
    aw.fair_window(conn, start, start + CADENCE, SETTINGS)


def exposure_step(conn: psycopg.Connection, start: datetime) -> None:
    """What the ``exposure`` asset does for one window after ``fair_prices`` in the same run (the state is
    reused within the process)."""
    aw.exposure_window(conn, start, start + CADENCE, SETTINGS)


def exposure_alone_step(conn: psycopg.Connection, start: datetime) -> None:
    """``exposure`` in a run of its own (nothing reused: the state computed again)."""
    aw._MEMO.clear()
    aw.exposure_window(conn, start, start + CADENCE, SETTINGS)


def price_realistically(day: Day, seed: int) -> None:
    """--odds realistic: every instance gets one true probability per outcome (Dirichlet, summing to the
    type's k), and each book prices it with its own margin (``MARGINS``) applied the way the power method
    removes it (odds_i = 1 / p_i^a, a < 1 with Σ p_i^a = k·(1 + margin)), times 1 % noise per outcome,
    rounded to hundredths within 1.02 .. 50.00; Day's moves (0.03 on 1 % of each book's markets a minute)
    then walk from there. So BetPawa, with the smallest margin, is a little short of the fair price
    everywhere, and exposures come from the noise and the day's moves."""
    rng = np.random.default_rng([seed, 15])
    first = day.books[BOOKMAKERS[0]]
    n, width = first["odds"].shape
    used = np.arange(width)[None, :] < first["n_out"][:, None]
    shapes = market_shapes()
    k = np.array([(shapes[int(m)].rule.covers or 1) if int(m) in shapes else 1 for m in first["mid"]],
                 dtype=np.float64)
    g = np.where(used, rng.gamma(4.0, size=(n, width)), 0.0)
    p = np.where(used, np.clip(g / g.sum(axis=1, keepdims=True) * k[:, None], 1e-4, 0.999), 1.0)
    # a derived type (double chance and its combinations) from its underlying instance (same event, line)
    row_of = {(sr, mid, line): i for i, (sr, mid, line) in
              enumerate(zip(first["sr"].tolist(), first["mid"].tolist(), first["line"]))}
    for i, (sr, mid, line) in enumerate(zip(first["sr"].tolist(), first["mid"].tolist(), first["line"])):
        rule = shapes[mid].rule if mid in shapes else None
        if rule is None or rule.underlying is None:
            continue
        u = row_of.get((sr, underlying_market_id(rule.underlying), line))
        if u is None:
            continue
        under = dict(zip(first["names"][u], p[u]))
        parts = dict(rule.composition)
        if all(name in parts and all(x in under for x in parts[name]) for name in first["names"][i]):
            for j, name in enumerate(first["names"][i]):
                p[i, j] = min(sum(under[x] for x in parts[name]), 0.999)
    for book, margin in zip(BOOKMAKERS, MARGINS):
        lo, hi = np.zeros(n), np.ones(n)  # Σ p^a falls from n_out (a = 0) to about k (a = 1): bisect a
        for _ in range(50):
            mid = (lo + hi) / 2
            over = np.where(used, p ** mid[:, None], 0.0).sum(axis=1) > k * (1 + margin)
            lo, hi = np.where(over, mid, lo), np.where(over, hi, mid)
        odds = 1.0 / (p ** lo[:, None] * (1 + rng.normal(0.0, 0.01, size=(n, width))))
        b = day.books[book]
        b["odds"] = np.clip(np.round(odds * 100), 102, 5000).astype(np.int64)
        b["enc"] = encode(b)


#: (RESULT key, the step timed per window). Window-level here; the daily assets (opening/closing, margin
#: report, lead-lag, coverage gaps) append theirs — e.g. ("daily_s", daily_step) timing one day — when
#: they are merged: INTEGRATOR: add daily_s here.
MEASURES: list[tuple[str, Callable[[psycopg.Connection, datetime], None]]] = [
    ("fair_window_s", fair_step),
    ("exposure_window_s", exposure_step),
    ("exposure_alone_window_s", exposure_alone_step),
]


#: statements slower than SLOW_S in the timed windows: (seconds, the statement's first lines)
SLOW: list[tuple[float, str]] = []
SLOW_S = 3.0


def _watch_statements() -> None:
    """Record every statement slower than ``SLOW_S`` (printed after its window): an outlier window then
    names its statement."""
    plain = psycopg.Connection.execute

    def timed(self, query, params=None, **kw):
        mark = time.perf_counter()
        try:
            return plain(self, query, params, **kw)
        finally:
            took = time.perf_counter() - mark
            if took > SLOW_S:
                text = query if isinstance(query, str) else query.as_string(self)
                named = text[text.find("-- "):] if "-- " in text else text
                plan = [r[0] for r in plain(self, "EXPLAIN " + text, params).fetchall()]  # as it would run now
                SLOW.append((took, " ".join(named.split())[:160] + "\n    " + "\n    ".join(plan[:25])))

    psycopg.Connection.execute = timed  # type: ignore[method-assign]


def _scans(node: dict) -> list[str]:
    """``node type on relation`` of every scan in an EXPLAIN (FORMAT JSON) plan."""
    here = [f"{node['Node Type']} on {node['Relation Name']}"] if "Relation Name" in node else []
    return here + [s for child in node.get("Plans", []) for s in _scans(child)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--markets", type=int, default=50, help="market instances (market x line) per event and book")
    ap.add_argument("--hours", type=float, default=24.0, help="hours of 1-minute windows")
    ap.add_argument("--change", type=float, default=0.01, help="share of each book's markets moving per window")
    ap.add_argument("--windows", type=int, default=9, help="windows timed at the end of the day (first: warm-up)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--odds", choices=("realistic", "random"), default="realistic",
                    help="realistic: books pricing a shared true probability with their own margins; random: "
                         "random odds per outcome (most outcomes exposed: the worst case for exposure)")
    ap.add_argument("--no-daily", action="store_true", help="skip the daily reports (daily_s)")
    args = ap.parse_args()

    windows = max(args.windows + 1, round(args.hours * 60))
    now = _minute(datetime.now(timezone.utc))
    start = now - timedelta(minutes=windows)
    print(f"analytics benchmark: {args.events} events x 3 books x {args.markets} markets, {windows} windows of "
          f"1 minute ({start:%Y-%m-%d %H:%M} .. {start + timedelta(minutes=windows - 1):%H:%M} UTC), "
          f"{args.change:.1%} change per window, {args.odds} odds; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs",
          flush=True)
    admin, stop = open_server()
    url = ""
    try:
        t0 = time.perf_counter()
        print(verify_loader(admin), f"({time.perf_counter() - t0:.1f} s)", flush=True)
        url = create_database(admin, f"odds_bench_analytics_{os.getpid()}")
        day = Day(args.events, args.markets, args.change, start, windows, kickoff_from=now + timedelta(hours=2),
                  seed=args.seed)
        if args.odds == "realistic":
            price_realistically(day, args.seed)
        with psycopg.connect(url, autocommit=True) as conn:
            stats = load_direct(conn, day)
            conn.execute("VACUUM (ANALYZE)")
            print(f"loaded {stats.history_rows} history rows, {stats.current_rows} current rows in "
                  f"{stats.seconds['total']:.1f} s (the engine's rows, COPY)", flush=True)
            timed = day.times[-args.windows:]
            _watch_statements()
            per: dict[str, list[float]] = {name: [] for name, _ in MEASURES}
            for k, w in enumerate(timed):
                line = []
                for name, step in MEASURES:
                    # exposure runs once a window: after fair_prices in the same process on even windows,
                    # alone (nothing reused) on odd ones
                    if name == ("exposure_window_s" if k % 2 else "exposure_alone_window_s"):
                        continue
                    mark = time.perf_counter()
                    step(conn, w)
                    s = time.perf_counter() - mark
                    line.append(f"{name} {s:.2f}")
                    if k:  # the first window computes every row from nothing: a warm-up
                        per[name].append(s)
                print(f"window {w:%H:%M}{' (warm-up)' if not k else ''}: " + ", ".join(line), flush=True)
                for took, text in SLOW:
                    print(f"  slow statement {took:.1f} s: {text}", flush=True)
                SLOW.clear()
            counts = conn.execute(
                "SELECT (SELECT count(*) FROM fair_prices_current), (SELECT count(*) FROM fair_prices_history), "
                "(SELECT count(*) FROM exposure_episodes), (SELECT count(*) FROM exposure_episodes "
                "WHERE ended_at IS NULL)").fetchone()
            print(f"rows: fair_prices_current {counts[0]}, fair_prices_history {counts[1]} "  # type: ignore[index]
                  f"({args.windows} windows), exposure_episodes {counts[2]} ({counts[3]} open)", flush=True)  # type: ignore[index]
            last = day.times[-1]
            row = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + queries.load("select_window_changes"),
                               {"prev": last - CADENCE, "start": last, "end": last + CADENCE}).fetchone()
            explained: dict[str, Any] = row[0][0] if row else {"Execution Time": float("nan"), "Plan": {}}
            print(f"changes read (select_window_changes, window {last:%H:%M}): {explained['Execution Time']:.0f} ms; "
                  f"scans: {', '.join(sorted(set(_scans(explained['Plan']))))}", flush=True)
            old = day.times[len(day.times) // 2]
            mark = time.perf_counter()
            state = window_state(conn, old, old + CADENCE)
            print(f"backfill of an old window ({old:%H:%M}, prices from history): window_state "
                  f"{time.perf_counter() - mark:.2f} s, {len(state)} rows", flush=True)
        medians = {name: statistics.median(v) for name, v in per.items() if v}
        verdicts = [f"{k} {v:.2f} s {'<=' if v <= TARGETS_S.get(k, float('inf')) else '>'} "
                    f"{TARGETS_S.get(k, float('nan')):g} s" for k, v in medians.items()]
        print("targets: " + "; ".join(verdicts))
        results = [f"{k}={v:.2f}" for k, v in medians.items()]
        if not args.no_daily:
            results.append(_daily(args))
        print("RESULT " + " ".join(results))
        return 0
    finally:
        if url:
            _drop(admin, url)
        stop()


def _daily(args: argparse.Namespace) -> str:
    """``daily_s=…`` from ``benchmarks/analytics_daily.py`` at the same sizes (its output passed through)."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("analytics_daily.py")), "--events", str(args.events),
         "--markets", str(args.markets), "--hours", str(min(args.hours, 24.0)), "--change", str(args.change),
         "--seed", str(args.seed)], capture_output=True, text=True, check=False)
    print(proc.stdout.rstrip(), flush=True)
    result = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode or not result:
        print(proc.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"benchmarks/analytics_daily.py failed (exit {proc.returncode})")
    daily = dict(kv.split("=", 1) for kv in result[-1].split()[1:])
    return f"daily_s={float(daily['daily_s']):.2f}"


if __name__ == "__main__":
    sys.exit(main())
