"""Simulator throughput: a full board of N events per book (listing + every event detail) served by
one real uvicorn process, loaded from this process over loopback with concurrent keep-alive requests
(listings through httpx; the timed detail phase through a minimal raw HTTP/1.1 client).

    .venv/bin/python benchmarks/simulator.py [--events 1000] [--concurrency 64] [--rounds 2] [--light] [--scenario '{}']

Round 1 renders every detail (cold cache); later rounds move the frozen clock one tick on, so every
detail is computed and rendered again (the steady state of a scraper hitting a new tick), unless
``--same-tick`` keeps them cached. Boards are realistic (real-sized details) unless ``--light``;
``--scenario`` serves a world with planted facts (``'{}'``: every default).
Ends with ``RESULT detail_rps=… details_per_s=… betpawa_kb=… sportybet_kb=… bet9ja_kb=…`` (details per
second over all rounds and books — ``details_per_s`` is the same figure —, and the mean detail body per
book in KiB) plus ``steady_details_per_s`` (rounds after the first: a scraper on a new tick, the soak's
steady state) and the server's CPU milliseconds per detail in round 1 and later rounds (``cold_cpu_ms``,
``steady_cpu_ms``: on a shared machine the CPU figures hold where the wall-clock rates do not) and the
server's resident memory at the end (``server_rss_mb``; each round prints it too).
Target on a 2-core machine: ≥ 150 realistic details per second (a 2,000-event soak at a 1-minute cadence
needs 100); light boards served ≥ 300.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from odds_assets.simulator.server import free_port  # noqa: E402

T0 = 1_790_000_000
BP_HEADERS = {"accept": "application/json", "x-pawa-brand": "betpawa-nigeria"}


def _bp_query(skip: int) -> str:
    return orjson.dumps({"queries": [{"query": {"eventType": "UPCOMING", "categories": ["2"], "zones": {},
                                                "hasOdds": True}, "sort": {"startTime": "ASC"},
                                      "skip": skip, "take": 100}]}).decode()


async def _listings(c: httpx.AsyncClient) -> dict[str, list[tuple[str, dict]]]:
    """Every detail request of the three boards, found through the books' own listings."""
    out: dict[str, list[tuple[str, dict]]] = {"betpawa": [], "sportybet": [], "bet9ja": []}
    skip = 0
    while True:
        doc = (await c.get("/api/sportsbook/v4/events/lists/by-queries", params={"q": _bp_query(skip)},
                           headers=BP_HEADERS)).json()
        items = doc["responses"][0].get("responses")
        if not items:
            break
        out["betpawa"] += [(f"/api/sportsbook/v4/events/{i['id']}", {"headers": BP_HEADERS}) for i in items]
        skip += 100
    page = 1
    while True:
        data = (await c.get("/api/ng/factsCenter/pcUpcomingEvents",
                            params={"sportId": "sr:sport:1", "marketId": "1,18,10,29,11", "pageSize": 100,
                                    "pageNum": page, "option": 1})).json()["data"]
        ids = [e["eventId"] for t in data["tournaments"] for e in t["events"]]
        out["sportybet"] += [("/api/ng/factsCenter/event", {"params": {"eventId": i, "productId": 3}}) for i in ids]
        if not ids or page * 100 >= data["totalNum"]:
            break
        page += 1
    sports = (await c.get("/desktop/feapi/PalimpsestAjax/GetSports", params={"DISP": 0})).json()
    groups = [g for sg in sports["D"]["PAL"]["1"]["SG"].values() for g in sg["G"]]
    for g in groups:
        events = (await c.get("/desktop/feapi/PalimpsestAjax/GetEventsInGroupV2",
                              params={"GROUPID": g, "DISP": 0, "GROUPMARKETID": 1})).json()["D"]["E"]
        out["bet9ja"] += [("/desktop/feapi/PalimpsestAjax/GetEvent", {"params": {"EVENTID": e["ID"]}})
                          for e in events]
    return out


async def _details(base_url: str, reqs: list[tuple[str, dict]], concurrency: int) -> int:
    """GET every request over ``concurrency`` keep-alive connections with a minimal HTTP/1.1 client.

    httpx costs several times the server's own work per request; on a 2-core machine it would
    measure the load generator, so the timed phase speaks raw HTTP/1.1 over asyncio streams."""
    host, port = base_url.removeprefix("http://").split(":")
    queue = [_raw_request(host, url, kw) for url, kw in reversed(reqs)]
    nbytes = 0

    async def worker() -> None:
        nonlocal nbytes
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while queue:
                writer.write(queue.pop())
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length)
                if status != 200:
                    raise RuntimeError(f"HTTP {status}: {body[:100]!r}")
                nbytes += len(body)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return nbytes


def _raw_request(host: str, url: str, kw: dict) -> bytes:
    target = str(httpx.URL(url, params=kw.get("params")))
    headers = "".join(f"{k}: {v}\r\n" for k, v in (kw.get("headers") or {}).items())
    return f"GET {target} HTTP/1.1\r\nhost: {host}\r\n{headers}\r\n".encode()


def _rss_mb(pid: int) -> float:
    """Resident set size of a process now, MiB (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(base_url: str, concurrency: int, rounds: int, same_tick: bool, pid: int
              ) -> tuple[float, dict[str, float], dict[int, tuple[float, float]]]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as c:
        t = time.perf_counter()
        plan = await _listings(c)
        print(f"listings: {', '.join(f'{b} {len(v)}' for b, v in plan.items())} events "
              f"in {time.perf_counter() - t:.2f}s")
        total_n, total_s = 0, 0.0
        kib: dict[str, float] = {}
        per_round: dict[int, tuple[float, float]] = {}  # round -> (details per second, server CPU ms per detail)
        for rnd in range(1, rounds + 1):
            if rnd > 1 and not same_tick:
                await c.post("/_sim/clock", json={"advance": 60})
            rnd_n, rnd_s, cpu0 = 0, 0.0, _cpu_seconds(pid)
            for book, reqs in plan.items():
                t = time.perf_counter()
                nbytes = await _details(base_url, reqs, concurrency)
                dt = time.perf_counter() - t
                total_n += len(reqs)
                total_s += dt
                rnd_n += len(reqs)
                rnd_s += dt
                kib[book] = nbytes / len(reqs) / 1024
                print(f"round {rnd} {book:9s}: {len(reqs)} details in {dt:.2f}s = {len(reqs) / dt:.0f}/s "
                      f"({kib[book]:.0f} KiB avg)")
            per_round[rnd] = (rnd_n / rnd_s, (_cpu_seconds(pid) - cpu0) * 1000 / rnd_n)
            print(f"round {rnd}: {rnd_n / rnd_s:.0f} details/s, server CPU {per_round[rnd][1]:.1f} ms per detail, "
                  f"server RSS {_rss_mb(pid):.0f} MiB")
        return total_n / total_s, kib, per_round


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--same-tick", action="store_true", help="do not advance the clock between rounds")
    ap.add_argument("--light", action="store_true", help="light boards instead of realistic ones")
    ap.add_argument("--scenario", default=None, help="simulator scenario (JSON; '{}' = every default)")
    args = ap.parse_args()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen(
        [sys.executable, "-m", "odds_assets.cli", "simulator", "--port", str(port), "--events", str(args.events),
         "--freeze-at", str(T0), "--log-level", "warning", *(["--light"] if args.light else []),
         *(["--scenario", args.scenario] if args.scenario is not None else [])], cwd=REPO, env=env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/_sim/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("simulator did not start")
            time.sleep(0.1)
        rps, kib, per_round = asyncio.run(run(base_url, args.concurrency, args.rounds, args.same_tick, server.pid))
        rss = _rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    sizes = " ".join(f"{b}_kb={kib[b]:.0f}" for b in ("betpawa", "sportybet", "bet9ja"))
    later = [per_round[r] for r in per_round if r > 1] or [per_round[1]]
    steady = sum(r for r, _ in later) / len(later)
    cpu = {r: c for r, (_, c) in per_round.items()}
    print(f"RESULT detail_rps={rps:.0f} details_per_s={rps:.0f} steady_details_per_s={steady:.0f} "
          f"cold_cpu_ms={cpu[1]:.1f} steady_cpu_ms={sum(c for _, c in later) / len(later):.1f} {sizes} "
          f"server_rss_mb={rss:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
