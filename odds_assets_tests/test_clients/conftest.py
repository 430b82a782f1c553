"""Shared fixtures for the client tests: the real captures in ../shared and MockTransport helpers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
REAL = SHARED / "fixtures" / "real"


def capture(bookmaker: str) -> bytes:
    return (REAL / f"{bookmaker}_event_sr68995116.json").read_bytes()


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.fail(f"real captures not found at {REAL} (../shared must sit beside the repo)")
    return REAL


# --- fake books behind httpx.MockTransport ---------------------------------------------------------
import asyncio  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import parse_qs, urlsplit  # noqa: E402

import httpx  # noqa: E402
import orjson  # noqa: E402

from odds_assets.clients import RetryPolicy, parse_board, settings_from_env  # noqa: E402
from odds_assets.clients.settings import ClientSettings  # noqa: E402
from odds_assets.models import BoardScrape  # noqa: E402

#: A fault: given the attempt number (1-based) for that route, a response, or None for the normal one.
Fault = Callable[[int], "httpx.Response | None"]


def fast_settings(bookmaker: str, **overrides: Any) -> ClientSettings:
    values: dict[str, Any] = {"base_url": "http://books.test", "retry": RetryPolicy.fast(),
                              "delay_ms": 0, "timeout_s": 2.0}
    values.update(overrides)
    return settings_from_env(bookmaker, **values)


def json_response(doc: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=orjson.dumps(doc), headers={"content-type": "application/json"})


class FakeBook:
    """A scripted book: ``routes`` maps a route key to a normal-response builder, ``faults`` maps a
    route key to a Fault; ``calls`` counts requests per route key."""

    def __init__(self) -> None:
        self.faults: dict[str, Fault] = {}
        self.calls: Counter[str] = Counter()
        self.slow: dict[str, float] = {}

    def route(self, request: httpx.Request) -> tuple[str, httpx.Response]:
        raise NotImplementedError

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        key, normal = self.route(request)
        self.calls[key] += 1
        if key in self.slow:
            await asyncio.sleep(self.slow[key])
        fault = self.faults.get(key)
        if fault is not None:
            response = fault(self.calls[key])
            if response is not None:
                return response
        return normal

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def with_ids(doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = dict(doc)
    out.update(changes)
    return out


class FakeBetPawa(FakeBook):
    """BetPawa v4: ``n`` events with ids 1000+i and SR ids 50000000+i, detail = the real capture."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n
        self.detail_doc = orjson.loads(capture("betpawa"))

    def detail(self, i: int) -> dict[str, Any]:
        widgets = [dict(w, id=str(50_000_000 + i)) if w["type"] == "SPORTRADAR" else w
                   for w in self.detail_doc["widgets"]]
        return with_ids(self.detail_doc, id=str(1000 + i), widgets=widgets)

    def route(self, request: httpx.Request) -> tuple[str, httpx.Response]:
        path = request.url.path
        assert request.headers["accept"] == "application/json"
        assert request.headers["x-pawa-brand"] == "betpawa-nigeria"
        if path.endswith("/events/lists/by-queries"):
            q = orjson.loads(parse_qs(urlsplit(str(request.url)).query)["q"][0])["queries"][0]
            skip, take = q["skip"], q["take"]
            items = [{"id": str(1000 + i)} for i in range(skip, min(skip + take, self.n))]
            page: dict[str, Any] = {"responses": items} if items else {}
            return f"listing:{skip}", json_response({"responses": [page]})
        if "/events/" in path:
            i = int(path.rsplit("/", 1)[1]) - 1000
            return f"detail:{i}", json_response(self.detail(i))
        return "other", httpx.Response(404)


async def fetch(bookmaker: str, book: FakeBook, **overrides: Any) -> BoardScrape:
    from odds_assets.clients import client_for

    async with client_for(bookmaker, fast_settings(bookmaker, **overrides), transport=book.transport()) as c:
        return await c.fetch_board()


def assert_reparses(board: BoardScrape) -> None:
    """parse_board on the board's raw responses gives the same board (no network). The client parsed
    each detail on arrival (from the JSON it decoded to check the body); the re-parse here reads the
    bytes only, as a re-parse from the archive does."""
    parsed_on_arrival = {r.bookmaker_event_id for r in board.raw if r.parsed is not None}
    assert {e.event.bookmaker_event_id for e in board.events} <= parsed_on_arrival
    bare = [dataclasses.replace(r, parsed=None) for r in board.raw]
    again = parse_board(board.bookmaker, bare, started_at=board.started_at,
                        finished_at=board.finished_at)
    assert again.events == board.events
    assert again.failures == board.failures
    assert again.listing_complete == board.listing_complete
    assert again.listed == board.listed


def now() -> datetime:
    return datetime.now(timezone.utc)
