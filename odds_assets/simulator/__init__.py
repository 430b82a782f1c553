"""Offline simulator of the BetPawa v4, SportyBet factsCenter and Bet9ja feapi web APIs.

One seeded, evolving world (events with SR ids, per-book names, ids and market sets, drifting odds,
suspensions and removals, events starting and appearing, competitors missing some events) served in
each book's real wire format from one ASGI app, with deterministic fault injection and a ground
truth of what every book showed at any time.

    app = create_app(SimulatorConfig(seed=1, events=200, frozen_at=1_790_000_000))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as c:
        ...
    truth = app.sim.ground_truth("betpawa")          # dict[sr_event_id, EventOdds]

Module map: ``world`` (events, teams, schedule), ``markets`` (instances, odds, status per tick),
``realistic`` (realistic boards: real-sized instance sets with the captures' unmapped markets, from
``_real_shapes``; page-part caches), ``engine`` (Simulator: clock + caches), ``betpawa``/``sportybet``/
``bet9ja`` (wire formats), ``truth`` (normalised ground truth), ``scenario`` (planted margins, lead book
and lags, exposure episodes: ``SimulatorConfig(scenario=…)``, ``Simulator.set_scenario``,
``/_sim/scenario``), ``faults`` (fault injection), ``app`` (ASGI), ``server`` (uvicorn).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from odds_assets.models import EventOdds
from odds_assets.simulator.app import SimulatorApp, create_app
from odds_assets.simulator.config import SimClock, SimulatorConfig, parse_time
from odds_assets.simulator.engine import Simulator
from odds_assets.simulator.faults import BookFaults, FaultInjector, parse_faults
from odds_assets.simulator.scenario import PlantedEpisode, PlantedTruth, Scenario, parse_scenario
from odds_assets.simulator.server import ServerThread, free_port, serve

__all__ = [
    "BookFaults",
    "FaultInjector",
    "PlantedEpisode",
    "PlantedTruth",
    "Scenario",
    "ServerThread",
    "SimClock",
    "Simulator",
    "SimulatorApp",
    "SimulatorConfig",
    "create_app",
    "free_port",
    "ground_truth",
    "parse_faults",
    "parse_scenario",
    "parse_time",
    "serve",
]


def ground_truth(book: str, t: float | datetime | str | Any, *, config: SimulatorConfig | None = None,
                 simulator: Simulator | None = None) -> dict[int, EventOdds]:
    """What ``book`` showed at time ``t`` in a world of ``config`` (or of a running ``simulator``),
    keyed by SportRadar id, in the normalised :mod:`odds_assets.models` form."""
    sim = simulator or Simulator(config or SimulatorConfig())
    ts = t.timestamp() if isinstance(t, datetime) else parse_time(t)
    return sim.ground_truth(book, ts)
