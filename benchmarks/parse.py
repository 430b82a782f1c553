"""Parse speed of the three real captures on one core, and mapping coverage.

    .venv/bin/python benchmarks/parse.py [--seconds 2]

Ends with ``RESULT betpawa_eps=… sportybet_eps=… bet9ja_eps=…`` (events parsed per second; target
≥ 200 each). Parsing includes JSON decoding, as in production.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from odds_assets.clients import parse_event, parse_event_detailed
from odds_assets.markets.coverage import coverage, format_table
from odds_assets.models import BOOKMAKERS

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "real"


def events_per_second(bookmaker: str, body: bytes, seconds: float) -> float:
    parse_event(bookmaker, body)  # warm caches
    n = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(10):
            parse_event(bookmaker, body)
        n += 10
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per book")
    args = parser.parse_args()
    bodies = {b: (REAL / f"{b}_event_sr68995116.json").read_bytes() for b in BOOKMAKERS}
    rows = coverage({b: [parse_event_detailed(b, body)] for b, body in bodies.items()})
    print(format_table(rows))
    for b in ("sportybet", "bet9ja"):
        c = rows[b]
        print(f"COVERAGE {b} twin={c.twin_share:.3f} ({c.twinnable_mapped}/{c.twinnable}) "
              f"all={c.all_share:.3f} ({c.mapped}/{c.instances}) betpawa_side={c.betpawa_share:.3f}")
    eps = {b: events_per_second(b, body, args.seconds) for b, body in bodies.items()}
    for b, body in bodies.items():
        print(f"{b}: {len(body) / 1024:.0f} KiB per event, {eps[b]:.0f} events/s")
    print("RESULT " + " ".join(f"{b}_eps={eps[b]:.0f}" for b in BOOKMAKERS))


if __name__ == "__main__":
    main()
