"""The real clients against the simulator over real HTTP (uvicorn on a free loopback port), clock
frozen: the parsed board of each book equals the simulator's ground truth exactly — same events,
same metadata, same markets, lines, outcomes, odds and active flags, same unmapped counts."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from odds_assets.clients import RetryPolicy, client_for, settings_from_env
from odds_assets.models import BoardScrape, EventOdds
from odds_assets.simulator import ServerThread, SimulatorApp

from .conftest import T0, make_app

BOOKS = ("betpawa", "sportybet", "bet9ja")


def _comparable(eo: EventOdds) -> tuple[object, ...]:
    # markets as a set: the order a book lists them in is not part of the data
    return eo.event, frozenset(eo.markets), dict(eo.unmapped), eo.instances_total


def assert_board_is_truth(board: BoardScrape, app: SimulatorApp, book: str) -> None:
    truth = app.sim.ground_truth(book, T0)
    assert not board.failures, board.failures[:3]
    assert board.listing_complete and board.listed == len(truth)
    got = {e.event.sr_event_id: e for e in board.events}
    assert got.keys() == truth.keys()
    mismatched = [sr for sr in truth if _comparable(got[sr]) != _comparable(truth[sr])]
    assert not mismatched, (book, mismatched[:5])
    # the comparison is not vacuous: suspended prices and placeholders are in there
    outcomes = [o for eo in truth.values() for m in eo.markets for o in m.outcomes]
    assert any(not o.active for o in outcomes) and sum(len(eo.markets) for eo in truth.values()) > 1000


@pytest.fixture(scope="module")
def app() -> SimulatorApp:
    return make_app(events=150, status_rate=0.1)


@pytest.mark.parametrize("book", BOOKS)
def test_real_clients_over_http_equal_ground_truth(app: SimulatorApp, book: str) -> None:
    async def scrape(base_url: str) -> BoardScrape:
        settings = settings_from_env(book, base_url=base_url, delay_ms=0, retry=RetryPolicy.fast())
        async with client_for(book, settings) as client:
            return await client.fetch_board()

    with ServerThread(app) as base_url:
        board = asyncio.run(scrape(base_url))
    assert_board_is_truth(board, app, book)


@pytest.mark.parametrize("book", BOOKS)
def test_real_clients_in_process_equal_ground_truth_with_odds_key(book: str) -> None:
    # the Aug-2026 BetPawa rename (odds) and row specifiers, in-process through ASGITransport
    app = make_app(events=60, betpawa_price_key="odds", betpawa_row_specifier=True)

    async def scrape() -> BoardScrape:
        settings = settings_from_env(book, base_url="http://sim", delay_ms=0, retry=RetryPolicy.fast())
        async with client_for(book, settings, transport=httpx.ASGITransport(app=app)) as client:
            return await client.fetch_board()

    assert_board_is_truth(asyncio.run(scrape()), app, book)
