"""Pipeline benchmark: real Dagster runs of the code location, one window for 3 books, against the
simulator (its own process, no added latency) and an embedded PostgreSQL.

Execution mode: ``execute_in_process`` — each book is one worker process (as the daemon's run
launcher would start one process per run; Python start-up and imports are done before the clock
starts), and the three books run in parallel, like the queued runs of one window. Each worker runs
``scrape_odds_job`` then ``write_odds_job`` for its partition, in-process executor, on its own
throw-away Dagster instance. Not included: the daemon's queue-to-start latency (measured ~5 s per run
on this machine class, dagster-notes §4.7), which the by-hand daemon check covers.

Per events count (500, 1,000 per book) on a fresh odds database: window 1 (cold: every market new)
and window 2 one minute later (steady state: the simulator's drift). Per book: scrape s (the asset's
fetch + parse), write s (the write engine), run wall s (both runs). ``window_s`` = from the start of the
first run until all three books are written. Last line:
``RESULT window_s_500=… window_s_1000=… cold_window_s_500=… cold_window_s_1000=…``

Run: .venv/bin/python benchmarks/pipeline.py [--events 500 1000]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from odds_assets.db import migrate
from odds_assets.db.partitions import maintain_partitions
from odds_assets.db.server import start_embedded, stop_embedded
from odds_assets.models import BOOKMAKERS
from odds_assets.simulator.server import free_port

ROOT = Path(__file__).resolve().parents[1]


def worker(book: str, sim_url: str, db_url: str, archive_url: str, home: str) -> None:
    """One book's runs for every window announced on stdin ("<window start iso>"); prints JSON."""
    import warnings

    import dagster as dg

    warnings.filterwarnings("ignore")

    def numbers(result: dg.ExecuteInProcessResult) -> dict[str, float]:
        """The numeric metadata of the run's one materialisation."""
        md = result.get_asset_materialization_events()[0].step_materialization_data.materialization.metadata
        return {k: v.value for k, v in md.items() if isinstance(v.value, (int, float))}

    from odds_assets.defs import PipelineSettings, build_definitions
    from odds_assets.defs.common.io_managers import OddsDbIOManager, SnapshotArchiveIOManager
    from odds_assets.defs.common.partitions import partition_key
    from odds_assets.defs.common.resources import BoardScraperResource, OddsArchiveResource, OddsDatabaseResource

    class SimClockScraper(BoardScraperResource):
        sim_url: str

        def now(self) -> datetime:
            t = httpx.get(f"{self.sim_url}/_sim/clock", timeout=5).json()["t"]
            return datetime.fromtimestamp(float(t), timezone.utc)

    archive = OddsArchiveResource(url=archive_url)
    odds_db = OddsDatabaseResource(url=db_url)
    defs = build_definitions(PipelineSettings(cadence_minutes=1), resources={
        "archive": archive, "odds_db": odds_db,
        "scraper": SimClockScraper(sim_url=sim_url, base_urls={b: sim_url for b in BOOKMAKERS}),
        "snapshot_io_manager": SnapshotArchiveIOManager(archive=archive),
        "odds_db_io_manager": OddsDbIOManager(odds_db=odds_db)})
    scrape_job, write_job = defs.resolve_job_def("scrape_odds_job"), defs.resolve_job_def("write_odds_job")
    os.makedirs(home, exist_ok=True)
    with dg.instance_for_test(temp_dir=home) as instance:
        print(json.dumps({"ready": book}), flush=True)
        for line in sys.stdin:
            start = datetime.fromisoformat(line.strip())
            key = partition_key(book, start)
            t0, c0 = time.time(), time.process_time()
            prof = cProfile.Profile() if os.environ.get("ODDS_BENCH_PROFILE") == book else None
            if prof is not None:
                prof.enable()
            r1 = scrape_job.execute_in_process(instance=instance, partition_key=key)
            if prof is not None:
                prof.disable()
                out_dir = os.environ.get("ODDS_BENCH_PROFILE_DIR", home)
                prof.dump_stats(os.path.join(out_dir, f"scrape_{start:%H%M}.prof"))
            t1, c1 = time.time(), time.process_time()
            r2 = write_job.execute_in_process(instance=instance, partition_key=key)
            t2, c2 = time.time(), time.process_time()
            m1, m2 = numbers(r1), numbers(r2)
            print(json.dumps({
                "book": book, "t0": t0, "t_end": t2, "scrape_run_s": t1 - t0, "write_run_s": t2 - t1,
                "scrape_cpu_s": c1 - c0, "write_cpu_s": c2 - c1,
                "scrape_s": m1["fetch_s"] + m1["parse_s"], "fetch_s": m1["fetch_s"],
                "events": m1["events_complete"], "markets": m1["market_instances"],
                "write_s": m2["write_ms"] / 1000, "new": m2["new"], "changed": m2["changed"],
                "history_rows": m2["history_rows"]}), flush=True)


def run_events(events: int, pg_url: str, tmp: Path) -> tuple[float, float]:
    name = f"bench_pipeline_{events}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    db_url = pg_url.replace("/postgres?", f"/{name}?")
    migrate.upgrade(db_url)
    with psycopg.connect(db_url, autocommit=True) as conn:
        maintain_partitions(conn)  # as the hourly maintenance has done in production
    port = free_port()
    sim_url = f"http://127.0.0.1:{port}"
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    sim = subprocess.Popen([str(ROOT / ".venv/bin/odds"), "simulator", "--port", str(port), "--events", str(events),
                            "--seed", "3", "--freeze-at", (now + timedelta(seconds=1)).isoformat(),
                            "--log-level", "warning"], cwd=ROOT)
    workers: list[subprocess.Popen] = []
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{sim_url}/_sim/health", timeout=1)
                break
            except httpx.HTTPError as exc:
                if time.monotonic() > deadline:
                    raise RuntimeError("simulator did not start") from exc
                time.sleep(0.2)
        for book in BOOKMAKERS:
            workers.append(subprocess.Popen(
                [sys.executable, __file__, "--worker", book, sim_url, db_url, str(tmp / f"archive_{events}"),
                 str(tmp / f"home_{events}_{book}")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                cwd=ROOT))
        for w in workers:
            assert w.stdout is not None
            json.loads(w.stdout.readline())  # ready: imports and definitions done
        results = []
        for i, label in enumerate(("cold", "steady")):
            start = now - timedelta(minutes=2 - i)  # windows Dagster already knows (wall clock)
            httpx.post(f"{sim_url}/_sim/clock", json={"t": (start + timedelta(seconds=1)).timestamp(), "frozen": True})
            t_go = time.time()
            for w in workers:
                assert w.stdin is not None
                w.stdin.write(start.isoformat() + "\n")
                w.stdin.flush()
            rows = [json.loads(w.stdout.readline()) for w in workers]  # type: ignore[union-attr]
            window_s = max(r["t_end"] for r in rows) - min(r["t0"] for r in rows)
            dispatch_s = min(r["t0"] for r in rows) - t_go
            print(f"\n{events} events/book, window {i + 1} ({label}); dispatch {dispatch_s:.2f}s")
            print(f"  {'book':<10}{'events':>7}{'markets':>9}{'scrape_s':>10}{'write_s':>9}{'new':>7}"
                  f"{'changed':>8}{'scrape_run_s':>13}{'write_run_s':>12}{'run_wall_s':>11}{'scrape_cpu':>11}{'write_cpu':>10}")
            for r in rows:
                print(f"  {r['book']:<10}{r['events']:>7}{r['markets']:>9}{r['scrape_s']:>10.2f}{r['write_s']:>9.2f}"
                      f"{r['new']:>7}{r['changed']:>8}{r['scrape_run_s']:>13.2f}{r['write_run_s']:>12.2f}"
                      f"{r['t_end'] - r['t0']:>11.2f}{r['scrape_cpu_s']:>11.2f}{r['write_cpu_s']:>10.2f}")
            print(f"  window_s = {window_s:.2f}")
            results.append(window_s)
        return results[1], results[0]
    finally:
        for w in workers:
            if w.stdin:
                w.stdin.close()
            w.wait(timeout=30)
        sim.terminate()
        sim.wait(timeout=10)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:7])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[500, 1000])
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="odds-bench-pipeline-"))
    configured = os.environ.get("ODDS_BENCH_DATABASE_URL")
    pgdata = tmp / "pgdata"
    pg_url = configured or start_embedded(pgdata).url("postgres")
    steady: dict[int, float] = {}
    cold: dict[int, float] = {}
    try:
        for n in args.events:
            steady[n], cold[n] = run_events(n, pg_url, tmp)
    finally:
        if not configured:
            stop_embedded(pgdata)
        shutil.rmtree(tmp, ignore_errors=True)
    print("RESULT " + " ".join([f"window_s_{n}={steady[n]:.1f}" for n in args.events]
                               + [f"cold_window_s_{n}={cold[n]:.1f}" for n in args.events]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
