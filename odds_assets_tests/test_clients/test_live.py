"""Opt-in live smoke test (ODDS_LIVE_TESTS=1): one real event per book from the real hosts — the
mocked tests cannot notice an API version being retired."""

from __future__ import annotations

import asyncio
import os

import pytest

from odds_assets.clients import client_for, parse_event, settings_from_env
from odds_assets.models import BOOKMAKERS

pytestmark = [pytest.mark.live,
              pytest.mark.skipif(os.environ.get("ODDS_LIVE_TESTS") != "1", reason="set ODDS_LIVE_TESTS=1")]


@pytest.mark.parametrize("bookmaker", BOOKMAKERS)
def test_one_real_event(bookmaker: str) -> None:
    async def go() -> None:
        async with client_for(bookmaker, settings_from_env(bookmaker)) as client:
            await client.fetch_listing()
            listing = client.detail_ids()
            assert listing.event_ids, f"{bookmaker}: empty listing"
            raw = await client.fetch_event(listing.event_ids[0])
            assert raw.kind == "detail", raw.body[:300]
            odds = parse_event(bookmaker, raw.body)
            assert odds.event.sr_event_id > 0 and odds.markets

    asyncio.run(go())
