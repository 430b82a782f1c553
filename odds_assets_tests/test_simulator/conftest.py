"""Helpers for the simulator tests: a frozen-clock app, and sync wrappers over httpx.ASGITransport."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson

from odds_assets.simulator import SimulatorApp, SimulatorConfig, create_app

#: 2026-09-21T14:13:20Z — a fixed time so every test sees the same boards.
T0 = 1_790_000_000
BP_HEADERS = {"accept": "application/json", "x-pawa-brand": "betpawa-nigeria"}


def make_app(**overrides: Any) -> SimulatorApp:
    values: dict[str, Any] = {"seed": 7, "events": 120, "frozen_at": T0}
    values.update(overrides)
    return create_app(SimulatorConfig(**values))


def bp_listing_query(skip: int = 0, take: int = 100, **extra: Any) -> str:
    q: dict[str, Any] = {"query": {"eventType": "UPCOMING", "categories": ["2"], "zones": {}, "hasOdds": True},
                         "sort": {"startTime": "ASC"}, "skip": skip, "take": take}
    q.update(extra)
    return orjson.dumps({"queries": [q]}).decode()


async def _fetch(app: SimulatorApp, requests: list[tuple[str, str, dict[str, Any]]]) -> list[httpx.Response]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as c:
        return [await c.request(method, url, **kw) for method, url, kw in requests]


def fetch(app: SimulatorApp, *requests: tuple[str, str, dict[str, Any]]) -> list[httpx.Response]:
    """Send the requests in order through the ASGI app; return the responses."""
    return asyncio.run(_fetch(app, list(requests)))


def get(app: SimulatorApp, url: str, **kw: Any) -> httpx.Response:
    return fetch(app, ("GET", url, kw))[0]
