"""Parse speed of the three real captures on one core, and mapping coverage.

    .venv/bin/python benchmarks/parse.py [--seconds 2] [--simulator 20]

Ends with ``RESULT betpawa_eps=… sportybet_eps=… bet9ja_eps=…`` (events parsed per second; target
≥ 200 each). Parsing includes JSON decoding, as in production.

``--simulator N`` also parses N simulated event details per book from light and from realistic boards
(the simulator's default), in this process and interleaved (light, realistic, light, … in short turns,
the best turn of each kept), so the ratio holds on a shared machine; it adds ``<book>_light_ms=…
<book>_realistic_ms=… <book>_ratio=…`` (mean parse time per event) to the RESULT line.
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


def simulated_bodies(realistic: bool, n: int) -> dict[str, list[bytes]]:
    """The first ``n`` event details per book of a seed-1 world, as served over the simulator's API."""
    import asyncio

    import httpx

    from odds_assets.simulator import SimulatorConfig, create_app

    app = create_app(SimulatorConfig(seed=1, events=max(2 * n, 20), frozen_at=1_790_000_000, realistic=realistic))
    sim = app.sim
    tick = sim.tick()

    async def fetch() -> dict[str, list[bytes]]:
        out: dict[str, list[bytes]] = {}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as c:
            for book in BOOKMAKERS:
                bodies = []
                for ev in sim.board(book, tick)[:n]:
                    if book == "betpawa":
                        r = await c.get(f"/api/sportsbook/v4/events/{ev.betpawa_id}",
                                        headers={"accept": "application/json", "x-pawa-brand": "betpawa-nigeria"})
                    elif book == "sportybet":
                        r = await c.get("/api/ng/factsCenter/event",
                                        params={"eventId": f"sr:match:{ev.sr_id}", "productId": 3})
                    else:
                        r = await c.get("/desktop/feapi/PalimpsestAjax/GetEvent", params={"EVENTID": ev.bet9ja_id})
                    r.raise_for_status()
                    bodies.append(r.content)
                out[book] = bodies
        return out

    return asyncio.run(fetch())


def ms_per_event(bookmaker: str, bodies: list[bytes], seconds: float) -> float:
    """Mean parse time of one body of ``bodies`` over about ``seconds``."""
    n = 0
    start = time.perf_counter()
    while True:
        for body in bodies:
            parse_event(bookmaker, body)
        n += len(bodies)
        now = time.perf_counter()
        if now - start >= seconds:
            return (now - start) * 1000 / n


def compare_simulated(n: int, seconds: float) -> dict[str, float]:
    """Parse time per event, light vs realistic simulator boards, interleaved in short turns."""
    light, real = simulated_bodies(False, n), simulated_bodies(True, n)
    out: dict[str, float] = {}
    for b in BOOKMAKERS:
        for body in light[b] + real[b]:
            parse_event(b, body)  # warm caches
        turns = 5
        lt = min(ms_per_event(b, light[b], seconds / (2 * turns)) for _ in range(turns))
        rt = min(ms_per_event(b, real[b], seconds / (2 * turns)) for _ in range(turns))
        lk = sum(map(len, light[b])) / len(light[b]) / 1024
        rk = sum(map(len, real[b])) / len(real[b]) / 1024
        print(f"{b}: simulated light {lk:.0f} KiB {lt:.2f} ms/event, realistic {rk:.0f} KiB {rt:.2f} ms/event "
              f"(x{rt / lt:.1f})")
        out.update({f"{b}_light_ms": lt, f"{b}_realistic_ms": rt, f"{b}_ratio": rt / lt})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per book")
    parser.add_argument("--simulator", type=int, default=0, metavar="N",
                        help="also compare N simulated details per book, light vs realistic boards")
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
    sim = compare_simulated(args.simulator, args.seconds) if args.simulator else {}
    print("RESULT " + " ".join(f"{b}_eps={eps[b]:.0f}" for b in BOOKMAKERS)
          + "".join(f" {k}={v:.2f}" for k, v in sim.items()))


if __name__ == "__main__":
    main()
