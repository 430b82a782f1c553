"""Write-path benchmark: the write engine against the replaced designs, in one process, one database,
on the same synthetic cycles (issue [foundation]).

One cycle = --events × --books × --markets market rows (default 500 × 3 × 50 = 75,000), --changed of
them with new odds. Methods, medians of --repeats runs:
  engine    odds_assets.db.engine.apply_snapshot per book (COPY of changes + set-based SQL)
  copy      a bare COPY of the whole board into an unindexed table (the floor for "rewrite everything")
  rowloop   the replaced design: SQLAlchemy session, per-row INSERT … ON CONFLICT, one transaction
  psycopg   per-row execute through psycopg
Then: 0 % / 5 % / 50 % engine cycles, bloat of market_odds_current after --bloat-cycles 5 % cycles
(total size / size after VACUUM FULL), history bytes per row (heap + indexes), and the peak RSS of a
child run at --rss-events events. Last line: RESULT key=value …

Run: .venv/bin/python benchmarks/write_path.py [--events 500 --markets 50 --books 3 --changed 0.05]
The database is a fresh embedded PostgreSQL in a temporary directory unless ODDS_BENCH_DATABASE_URL
(a superuser URL of a server on which a scratch database may be created) is set.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from odds_assets.db import migrate
from odds_assets.db.engine import apply_snapshot
from odds_assets.models import BOOKMAKER_IDS, BOOKMAKERS
from odds_assets.snapshot import Snapshot

T0 = datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc)
# (market id, outcome names, lines) — shaped like a real board: half of the instances carry a line.
SHAPES: list[tuple[int, tuple[str, ...], list[str | None]]] = [
    (3743, ("1", "X", "2"), [None]), (4693, ("1X", "X2", "12"), [None]), (3795, ("Yes", "No"), [None]),
    (4703, ("1", "2"), [None]), (3668, ("1", "X", "2"), [None]), (3685, ("1", "X", "2"), [None]),
    (4833, ("Odd", "Even"), [None]), (3789, ("Yes", "No"), [None]), (3792, ("Yes", "No"), [None]),
    (4673, ("1X", "X2", "12"), [None]), (4681, ("1X", "X2", "12"), [None]), (4697, ("1", "2"), [None]),
    (5000, ("Over", "Under"), ["0.5", "1.5", "2.5", "3.5", "4.5", "5.5"]),
    (3774, ("1", "2"), ["-1.5", "-1", "-0.5", "0", "0.5", "1", "1.5"]),
    (4958, ("Over", "Under"), ["0.5", "1.5", "2.5"]), (4976, ("Over", "Under"), ["0.5", "1.5", "2.5"]),
    (4724, ("1", "X", "2"), ["-2", "-1", "1", "2"]), (5006, ("Over", "Under"), ["0.5", "1.5", "2.5"]),
    (5003, ("Over", "Under"), ["0.5", "1.5", "2.5"]), (1096783, ("Over", "Under"), ["8.5", "9.5", "10.5"]),
    (4706, ("1/1", "1/X", "1/2", "X/1", "X/X", "X/2", "2/1", "2/X", "2/2"), [None]),
    (1096764, ("Over", "Under"), ["3.5", "4.5", "5.5"]),
    (1096755, ("1 - Over", "X - Over", "2 - Over", "1 - Under", "X - Under", "2 - Under"), ["1.5", "2.5", "3.5"]),
    (28000089, ("1X - Under", "12 - Under", "X2 - Under", "1X - Over", "12 - Over", "X2 - Over"), ["1.5", "2.5"]),
]
INSTANCES = [(mid, names, line) for mid, names, lines in SHAPES for line in lines]
# canonical decimal text of odds in hundredths, 1.01 .. 50.00
ODDS_TEXT = np.array([("%.2f" % (i / 100)).rstrip("0").rstrip(".") for i in range(0, 5001)], dtype=object)


def make_board(events: int, markets: int, seed: int) -> dict[str, Any]:
    """Keys and odds (hundredths) for one book's board: arrays of equal length."""
    rng = np.random.default_rng(seed)
    inst = INSTANCES[:markets] if markets <= len(INSTANCES) else [
        (100000 + i, ("A", "B"), None) for i in range(markets)]
    n_out = np.array([len(names) for _, names, _ in inst])
    sr = np.repeat(np.arange(1, events + 1, dtype=np.int64) + 40_000_000, len(inst))
    mid = np.tile(np.array([m for m, _, _ in inst], dtype=np.int64), events)
    line_one = np.empty(len(inst), dtype=object)
    names_one = np.empty(len(inst), dtype=object)
    for i, (_, n, ln) in enumerate(inst):  # element-wise: equal-length tuples would make a 2-D array
        line_one[i], names_one[i] = ln, n
    line = np.tile(line_one, events)
    names = np.tile(names_one, events)
    odds = rng.integers(105, 1500, size=(len(sr), int(n_out.max())))
    return {"sr": sr, "mid": mid, "line": line, "names": names, "odds": odds}


def encode(board: dict, rows: np.ndarray | None = None) -> np.ndarray:
    names, odds = board["names"], board["odds"]
    idx = range(len(names)) if rows is None else rows
    return np.array([";".join(f"{n}={ODDS_TEXT[o]}" for n, o in zip(names[i], odds[i])) for i in idx],
                    dtype=object)


def mutate(board: dict, share: float, rng: np.random.Generator) -> None:
    n = len(board["sr"])
    rows = rng.choice(n, size=int(round(n * share)), replace=False)
    board["odds"][rows, 0] = np.where(board["odds"][rows, 0] > 110, board["odds"][rows, 0] - 3,
                                      board["odds"][rows, 0] + 3)
    board["enc"][rows] = encode(board, rows)


def snapshot_of(book: str, board: dict, t: datetime, events_df: pd.DataFrame) -> Snapshot:
    markets = pd.DataFrame({"sr_event_id": board["sr"], "market_id": board["mid"],
                            "line": pd.Series(board["line"], dtype=object),
                            "outcomes": pd.Series(board["enc"], dtype=object)})
    return Snapshot(book, t, events_df, markets)


def events_frame(events: int) -> pd.DataFrame:
    ids = np.arange(1, events + 1, dtype=np.int64) + 40_000_000
    return pd.DataFrame({"sr_event_id": ids, "bookmaker_event_id": [str(i) for i in ids],
                         "home": [f"Home {i}" for i in ids], "away": [f"Away {i}" for i in ids],
                         "kickoff": pd.to_datetime([T0 + timedelta(days=2)] * len(ids), utc=True),
                         "competition": ["League"] * len(ids), "country": ["Land"] * len(ids)})


class Bench:
    def __init__(self, args: argparse.Namespace, url: str):
        self.args, self.url = args, url
        self.books = list(BOOKMAKERS[: args.books]) if args.books <= 3 else [
            BOOKMAKERS[i % 3] for i in range(args.books)]
        self.rng = np.random.default_rng(7)
        self.boards: dict[str, dict[str, Any]] = {}
        for i, book in enumerate(self.books):
            b = make_board(args.events, args.markets, seed=i)
            b["enc"] = encode(b)
            self.boards[book] = b
        self.events_df = events_frame(args.events)
        self.minute = 0
        self.conn = psycopg.connect(url, autocommit=True)

    def rows(self) -> int:
        return sum(len(b["sr"]) for b in self.boards.values())

    def next_t(self) -> datetime:
        self.minute += 5
        return T0 + timedelta(minutes=self.minute)

    def engine_cycle(self, share: float) -> tuple[float, dict]:
        for b in self.boards.values():
            if share:
                mutate(b, share, self.rng)
        t = self.next_t()
        snaps = [snapshot_of(book, b, t, self.events_df) for book, b in self.boards.items()]
        start = time.perf_counter()
        results = [apply_snapshot(self.conn, s) for s in snaps]
        elapsed = time.perf_counter() - start
        agg = {k: sum(getattr(r, k) for r in results) for k in ("new", "changed", "unchanged", "gone", "history_rows")}
        return elapsed, agg

    def full_board_csv(self) -> bytes:
        """All rows as the replaced design wrote them (every current row, every scrape)."""
        buf = io.StringIO()
        t = (T0 + timedelta(minutes=self.minute)).isoformat()
        for book, b in self.boards.items():
            bid = BOOKMAKER_IDS[book]
            df = pd.DataFrame({"sr": b["sr"], "bk": bid, "mid": b["mid"], "line": b["line"], "out": b["enc"],
                               "t1": t, "t2": t, "t3": t})
            df.to_csv(buf, header=False, index=False, sep="\t", na_rep="\\N")
        return buf.getvalue().encode()

    def bare_copy_rows(self) -> float:
        """COPY of the whole board from the same in-memory snapshot frames the engine gets, rows
        serialised by psycopg (``copy.write_row``): what writing every row costs the pipeline at best."""
        self.conn.execute("DROP TABLE IF EXISTS bench_copy")
        self.conn.execute("CREATE TABLE bench_copy (sr_event_id bigint, bookmaker smallint, market_id integer, "
                          "line numeric, outcomes text, first_seen_at timestamptz, last_updated_at timestamptz, "
                          "confirmed_at timestamptz)")
        t = T0 + timedelta(minutes=self.minute)
        frames = [(BOOKMAKER_IDS[book], b) for book, b in self.boards.items()]
        start = time.perf_counter()
        with self.conn.transaction(), self.conn.cursor() as cur, cur.copy("COPY bench_copy FROM STDIN") as copy:
            for bid, b in frames:
                for sr, mid, line, enc in zip(b["sr"].tolist(), b["mid"].tolist(), b["line"], b["enc"]):
                    copy.write_row((sr, bid, mid, line, enc, t, t, t))
        elapsed = time.perf_counter() - start
        self.conn.execute("DROP TABLE bench_copy")
        return elapsed

    def bare_copy(self) -> float:
        """The floor: pre-serialised bytes, server-side COPY only."""
        self.conn.execute("DROP TABLE IF EXISTS bench_copy")
        self.conn.execute("CREATE TABLE bench_copy (sr_event_id bigint, bookmaker smallint, market_id integer, "
                          "line numeric, outcomes text, first_seen_at timestamptz, last_updated_at timestamptz, "
                          "confirmed_at timestamptz)")
        data = self.full_board_csv()
        start = time.perf_counter()
        with self.conn.transaction(), self.conn.cursor() as cur, cur.copy("COPY bench_copy FROM STDIN") as copy:
            copy.write(data)
        elapsed = time.perf_counter() - start
        self.conn.execute("DROP TABLE bench_copy")
        return elapsed

    def _loop_tables(self) -> None:
        self.conn.execute("DROP TABLE IF EXISTS bench_loop_current")
        self.conn.execute("CREATE TABLE bench_loop_current (LIKE market_odds_current INCLUDING DEFAULTS)")
        self.conn.execute("ALTER TABLE bench_loop_current ADD CONSTRAINT uq_bench_loop UNIQUE NULLS NOT DISTINCT "
                          "(sr_event_id, bookmaker, market_id, line)")
        with self.conn.cursor() as cur, cur.copy(
                "COPY bench_loop_current (sr_event_id, bookmaker, market_id, line, outcomes, "
                "first_seen_at, last_updated_at, confirmed_at) FROM STDIN") as copy:
            copy.write(self.full_board_csv())

    def _loop_rows(self, share: float) -> list[dict]:
        for b in self.boards.values():
            mutate(b, share, self.rng)
        t = self.next_t()
        out = []
        for book, b in self.boards.items():
            bid = BOOKMAKER_IDS[book]
            for sr, mid, line, enc in zip(b["sr"].tolist(), b["mid"].tolist(), b["line"], b["enc"]):
                out.append({"sr_event_id": sr, "bookmaker": bid, "market_id": mid, "line": line, "outcomes": enc,
                            "t": t})
        return out

    def rowloop_sqlalchemy(self, share: float) -> float:
        from sqlalchemy import (
            BigInteger,
            Column,
            DateTime,
            Integer,
            MetaData,
            Numeric,
            SmallInteger,
            Table,
            Text,
            create_engine,
        )
        from sqlalchemy.dialects.postgresql import insert
        from sqlalchemy.orm import Session

        from odds_assets.db.server import to_sqlalchemy_url

        self._loop_tables()
        md = MetaData()
        table = Table("bench_loop_current", md, Column("sr_event_id", BigInteger), Column("bookmaker", SmallInteger),
                      Column("market_id", Integer), Column("line", Numeric), Column("outcomes", Text),
                      Column("first_seen_at", DateTime(timezone=True)),
                      Column("last_updated_at", DateTime(timezone=True)),
                      Column("confirmed_at", DateTime(timezone=True)))
        rows = self._loop_rows(share)
        engine = create_engine(to_sqlalchemy_url(self.url, "psycopg"))
        start = time.perf_counter()
        with Session(engine) as session, session.begin():
            for r in rows:
                stmt = insert(table).values(sr_event_id=r["sr_event_id"], bookmaker=r["bookmaker"],
                                            market_id=r["market_id"], line=r["line"], outcomes=r["outcomes"],
                                            first_seen_at=r["t"], last_updated_at=r["t"], confirmed_at=r["t"])
                stmt = stmt.on_conflict_do_update(
                    constraint="uq_bench_loop",
                    set_={"outcomes": stmt.excluded.outcomes, "confirmed_at": stmt.excluded.confirmed_at,
                          "last_updated_at": stmt.excluded.last_updated_at})
                session.execute(stmt)
        elapsed = time.perf_counter() - start
        engine.dispose()
        self.conn.execute("DROP TABLE bench_loop_current")
        return elapsed

    def rowloop_psycopg(self, share: float) -> float:
        self._loop_tables()
        rows = self._loop_rows(share)
        q = ("INSERT INTO bench_loop_current (sr_event_id, bookmaker, market_id, line, outcomes, first_seen_at, "
             "last_updated_at, confirmed_at) VALUES (%(sr_event_id)s, %(bookmaker)s, %(market_id)s, %(line)s, "
             "%(outcomes)s, %(t)s, %(t)s, %(t)s) ON CONFLICT ON CONSTRAINT uq_bench_loop DO UPDATE SET "
             "outcomes = EXCLUDED.outcomes, confirmed_at = EXCLUDED.confirmed_at, "
             "last_updated_at = EXCLUDED.last_updated_at")
        start = time.perf_counter()
        with self.conn.transaction(), self.conn.cursor() as cur:
            for r in rows:
                cur.execute(q, r)
        elapsed = time.perf_counter() - start
        self.conn.execute("DROP TABLE bench_loop_current")
        return elapsed

    def size(self, rel: str) -> int:
        return int(_one(self.conn, "SELECT pg_total_relation_size(%s)", (rel,)))

    def history_size(self) -> tuple[int, int]:
        parts = [r[0] for r in self.conn.execute(
            "SELECT c.oid::regclass::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'market_odds_history'::regclass")]
        total = sum(self.size(p) for p in parts)
        rows = int(_one(self.conn, "SELECT count(*) FROM market_odds_history"))
        return total, rows


def _one(conn: psycopg.Connection, query: str, params: tuple[Any, ...] = ()) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None, query
    return row[0]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def open_server() -> tuple[str, Callable[[], object]]:
    """A superuser URL (``postgres`` database) of the benchmark's server and how to stop it: the server
    of ODDS_BENCH_DATABASE_URL (left running), or a fresh embedded PostgreSQL in a temporary directory
    (stopped and removed)."""
    admin = os.environ.get("ODDS_BENCH_DATABASE_URL")
    if admin:
        return admin, lambda: None
    from odds_assets.db.server import start_embedded, stop_embedded

    tmp = Path(tempfile.mkdtemp(prefix="odds-bench-"))
    server = start_embedded(tmp / "pgdata")

    def stop() -> None:
        stop_embedded(tmp / "pgdata")
        shutil.rmtree(tmp, ignore_errors=True)

    return server.url("postgres"), stop


def create_database(admin: str, name: str) -> str:
    """A fresh database ``name`` on ``admin``'s server (dropped first if it exists), migrated to head."""
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    p = urlsplit(admin)
    url = urlunsplit((p.scheme, p.netloc, "/" + name, p.query, p.fragment))
    migrate.upgrade(url)
    return url


def open_database() -> tuple[str, Callable[[], object]]:
    admin, stop = open_server()
    return create_database(admin, f"odds_bench_{os.getpid()}"), stop


def rss_child(args: argparse.Namespace) -> int:
    """Entry for the child that measures peak RSS: load + 3 cycles at --events, print peak."""
    url, stop = open_database()
    try:
        bench = Bench(args, url)
        bench.engine_cycle(0.0)
        for _ in range(3):
            bench.engine_cycle(args.changed)
        print(f"CHILD peak_rss_mb={peak_rss_mb():.1f} rows_per_cycle={bench.rows()}")
    finally:
        stop()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=500)
    ap.add_argument("--markets", type=int, default=50)
    ap.add_argument("--books", type=int, default=3)
    ap.add_argument("--changed", type=float, default=0.05)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rowloop-repeats", type=int, default=1,
                    help="runs of the slow per-row loops (each takes 10-25 s at the default size)")
    ap.add_argument("--bloat-cycles", type=int, default=50)
    ap.add_argument("--rss-events", type=int, default=2000)
    ap.add_argument("--rss-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_child:
        return rss_child(args)

    url, stop = open_database()
    try:
        bench = Bench(args, url)
        n = bench.rows()
        print(f"board: {args.events} events x {args.books} books x {args.markets} markets = {n} rows per cycle")
        t_load, agg = bench.engine_cycle(0.0)
        print(f"initial load (all new): {t_load:.3f} s  {agg}")

        copies = [bench.bare_copy_rows() for _ in range(args.repeats)]
        copy_s = statistics.median(copies)
        print(f"bare COPY of the full board ({n} rows) from the snapshot frames into an unindexed table "
              f"(psycopg write_row): median {copy_s:.3f} s  runs {[round(x, 3) for x in copies]}")
        floors = [bench.bare_copy() for _ in range(args.repeats)]
        print(f"  server-side floor (the same rows pre-serialised to bytes, not counted above): "
              f"median {statistics.median(floors):.3f} s")

        by_share = {}
        for share in (0.0, args.changed, 0.5):
            runs = [bench.engine_cycle(share) for _ in range(args.repeats)]
            secs = [r[0] for r in runs]
            by_share[share] = statistics.median(secs)
            print(f"engine cycle at {share:.0%} changed: median {by_share[share]:.3f} s  runs "
                  f"{[round(x, 3) for x in secs]}  last {runs[-1][1]}")
        engine_s = by_share[args.changed]

        loops = [bench.rowloop_sqlalchemy(args.changed) for _ in range(args.rowloop_repeats)]
        rowloop_s = statistics.median(loops)
        print(f"replaced design (SQLAlchemy per-row INSERT .. ON CONFLICT, one transaction): {rowloop_s:.2f} s")
        pl = [bench.rowloop_psycopg(args.changed) for _ in range(args.rowloop_repeats)]
        print(f"psycopg per-row execute: {statistics.median(pl):.2f} s")

        for _ in range(args.bloat_cycles):
            bench.engine_cycle(args.changed)
        cur_size = bench.size("market_odds_current")
        hist_bytes, hist_rows = bench.history_size()
        bench.conn.execute("VACUUM FULL market_odds_current")
        cur_full = bench.size("market_odds_current")
        cur_bloat = cur_size / cur_full
        hot = bench.conn.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables "
                                 "WHERE relname = 'market_odds_current'").fetchall()[0]
        print(f"market_odds_current after {args.bloat_cycles} more {args.changed:.0%} cycles: "
              f"{cur_size / 2**20:.1f} MiB, after VACUUM FULL {cur_full / 2**20:.1f} MiB, ratio {cur_bloat:.2f} "
              f"(updates {hot[0]}, HOT {hot[1]})")
        hist_bpr = hist_bytes / max(hist_rows, 1)
        print(f"market_odds_history: {hist_rows} rows, {hist_bytes / 2**20:.1f} MiB with indexes, "
              f"{hist_bpr:.0f} bytes/row")
        own_rss = peak_rss_mb()
    finally:
        bench_conn = locals().get("bench")
        if bench_conn is not None:
            bench_conn.conn.close()
        stop()

    child = subprocess.run([sys.executable, __file__, "--rss-child", "--events", str(args.rss_events),
                            "--markets", str(args.markets), "--books", str(args.books), "--changed", str(args.changed)],
                           capture_output=True, text=True)
    rss_line = [ln for ln in child.stdout.splitlines() if ln.startswith("CHILD")]
    if child.returncode != 0 or not rss_line:
        print(child.stdout, child.stderr, file=sys.stderr)
        raise SystemExit("the peak-RSS child run failed")
    child_rss = float(rss_line[0].split("peak_rss_mb=")[1].split()[0])
    print(f"peak RSS: this process {own_rss:.0f} MiB; child at --events {args.rss_events}: {child_rss:.0f} MiB "
          f"({rss_line[0].split('rows_per_cycle=')[1]} rows per cycle)")

    ratio_copy = engine_s / copy_s
    speedup = rowloop_s / engine_s
    growth = by_share[0.5] / max(by_share[0.0], 1e-9)
    print(f"targets: ratio_copy {ratio_copy:.2f} (<= 1.0), speedup_rowloop {speedup:.0f}x (>= 40), "
          f"cur_bloat {cur_bloat:.2f} (<= 2.0), hist_bytes_per_row {hist_bpr:.0f} (<= 150), "
          f"peak_rss_mb {child_rss:.0f} (<= 1024); cost grows with changes: 50%/0% = {growth:.1f}x")
    print(f"RESULT engine_s={engine_s:.4f} copy_s={copy_s:.4f} rowloop_s={rowloop_s:.3f} ratio_copy={ratio_copy:.3f} "
          f"speedup_rowloop={speedup:.1f} cur_bloat={cur_bloat:.3f} hist_bytes_per_row={hist_bpr:.1f} "
          f"peak_rss_mb={child_rss:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
