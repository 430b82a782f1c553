"""The three clients against the project's simulator in-process (httpx.ASGITransport): whole boards
come back complete, and parse_board rebuilds them from their raw responses. Skipped while the
simulator package is not importable."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from odds_assets.models import BOOKMAKERS

from .conftest import assert_reparses, fast_settings


@pytest.mark.parametrize("bookmaker", BOOKMAKERS)
def test_simulated_board(bookmaker: str) -> None:
    app_module = pytest.importorskip("odds_assets.simulator.app")
    from odds_assets.clients import client_for

    async def go():  # type: ignore[no-untyped-def]
        transport = httpx.ASGITransport(app=app_module.create_app())
        async with client_for(bookmaker, fast_settings(bookmaker), transport=transport) as client:
            return await client.fetch_board()

    board = asyncio.run(go())
    assert board.listed > 0 and board.events
    assert len(board.events) + len(board.failures) == board.listed
    assert all(e.event.bookmaker == bookmaker and e.markets for e in board.events)
    assert_reparses(board)
