"""The three clients against the project's simulator in-process (httpx.ASGITransport): whole boards
come back complete, and parse_board rebuilds them from their raw responses."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from odds_assets.clients import client_for
from odds_assets.models import BOOKMAKERS, BoardScrape
from odds_assets.simulator import SimulatorConfig, create_app
from odds_assets_tests.test_clients.conftest import assert_reparses, fast_settings


@pytest.mark.parametrize("bookmaker", BOOKMAKERS)
def test_simulated_board(bookmaker: str) -> None:
    async def go() -> BoardScrape:
        # a whole 500-event board per book: light boards (realistic ones: test_clients_vs_truth, test_realistic)
        transport = httpx.ASGITransport(app=create_app(SimulatorConfig(realistic=False)))
        async with client_for(bookmaker, fast_settings(bookmaker), transport=transport) as client:
            return await client.fetch_board()

    board = asyncio.run(go())
    assert board.listed > 0 and board.events
    assert len(board.events) + len(board.failures) == board.listed
    assert all(e.event.bookmaker == bookmaker and e.markets for e in board.events)
    assert_reparses(board)
