"""The simulator's warm-up (``SimulatorConfig.warm``, on in ``odds simulator``): every book's details of
the current tick rendered once, so the first scrapes meet a server in its steady state — and what a
warmed server serves is byte for byte what a cold one serves."""

from __future__ import annotations

import asyncio

import httpx

from odds_assets.simulator import SimulatorConfig, create_app
from odds_assets.simulator.world import BOOKS

from .conftest import T0


def _config(*, warm: bool = False) -> SimulatorConfig:
    return SimulatorConfig(seed=5, events=12, frozen_at=T0, warm=warm)


async def _details(app: object, sim: object) -> dict[str, list[bytes]]:
    """Every detail of the board as the three clients ask for it, over the app's HTTP interface."""
    out: dict[str, list[bytes]] = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as c:  # type: ignore[arg-type]
        tick = sim.tick()  # type: ignore[attr-defined]
        for book in BOOKS:
            bodies = []
            for ev in sim.board(book, tick):  # type: ignore[attr-defined]
                if book == "betpawa":
                    r = await c.get(f"/api/sportsbook/v4/events/{ev.betpawa_id}",
                                    headers={"accept": "application/json", "x-pawa-brand": "betpawa-nigeria"})
                elif book == "sportybet":
                    r = await c.get("/api/ng/factsCenter/event", params={"eventId": f"sr:match:{ev.sr_id}",
                                                                         "productId": 3})
                else:
                    r = await c.get("/desktop/feapi/PalimpsestAjax/GetEvent", params={"EVENTID": ev.bet9ja_id})
                assert r.status_code == 200, (book, r.text[:200])
                bodies.append(r.content)
            out[book] = bodies
    return out


def test_warm_renders_every_detail_once_and_serves_what_a_cold_server_serves() -> None:
    warm = create_app(_config())
    sim = warm.sim
    done = warm.warm()
    assert done == {b: len(sim.board(b, sim.tick())) for b in BOOKS} and all(done.values())
    assert len(sim._bodies) == sum(done.values())  # every detail's body is in the cache
    cached = dict(sim._bodies)
    served = asyncio.run(_details(warm, sim))
    assert dict(sim._bodies) == cached  # the clients' requests were cache hits: warmed as they ask
    cold = create_app(_config())
    assert served == asyncio.run(_details(cold, cold.sim))


def test_warm_at_start_runs_on_the_event_loop_from_the_first_request() -> None:
    app = create_app(_config(warm=True))
    sim = app.sim

    async def first_request_then_wait() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as c:
            assert (await c.get("/_sim/health")).status_code == 200
        assert app._warming is not None
        await app._warming

    asyncio.run(first_request_then_wait())
    assert len(sim._bodies) == sum(len(sim.board(b, sim.tick())) for b in BOOKS)
    assert create_app(_config())._warming is None  # off unless asked for
