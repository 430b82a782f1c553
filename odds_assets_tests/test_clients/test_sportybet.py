"""odds_assets.clients.sportybet: normalisation details (hcp a:b lines, inactive and placeholder odds,
BetGenius ids, bizCode) and the pcUpcomingEvents board through MockTransport (paging by totalNum,
bizCode refusals, re-parse)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest

from odds_assets.clients import parse_event
from odds_assets.clients.sportybet import parse_event_detailed
from odds_assets.errors import NormalisationError, UnexpectedPayload

from .conftest import FakeBook, assert_reparses, capture, fetch, json_response

DOC = orjson.loads(capture("sportybet"))


def _with_data(**changes: Any) -> bytes:
    return orjson.dumps(dict(DOC, data=dict(DOC["data"], **changes)))


def test_european_handicap_line_is_home_minus_away() -> None:
    odds = parse_event("sportybet", capture("sportybet"))
    lines = sorted(m.line for m in odds.markets if m.market_id == 4724 and m.line is not None)
    assert lines == [Decimal(-3), Decimal(-2), Decimal(-1), Decimal(1), Decimal(2)]


def test_inactive_and_zero_odds() -> None:
    market = {"id": "1", "desc": "1X2", "status": 0, "outcomes": [
        {"id": "1", "desc": "Home", "odds": "2.40", "isActive": 0},
        {"id": "2", "desc": "Draw", "odds": "0.00", "isActive": 1},
        {"id": "3", "desc": "Away", "odds": "3.00", "isActive": 1}]}
    suspended = dict(market, id="11", status=1, outcomes=[
        {"id": "4", "desc": "Home", "odds": "1.7", "isActive": 1},
        {"id": "5", "desc": "Away", "odds": "2.1", "isActive": 1}])
    odds = parse_event("sportybet", _with_data(markets=[market, suspended]))
    one, dnb = odds.markets
    assert [(o.name, o.odds, o.active) for o in one.outcomes] == [
        ("1", Decimal("2.40"), False), ("X", None, False), ("2", Decimal("3.00"), True)]
    assert all(not o.active for o in dnb.outcomes)


def test_duplicate_instance_kept_once_and_counted() -> None:
    market = DOC["data"]["markets"][0]
    odds = parse_event("sportybet", _with_data(markets=[market, dict(market, outcomes=[])]))
    assert len(odds.markets) == 1 and odds.unmapped == {"sportybet:1": 1} and odds.instances_total == 2


def test_unknown_outcome_leaves_instance_unmapped() -> None:
    market = {"id": "1", "desc": "1X2", "status": 0,
              "outcomes": [{"id": "99", "desc": "Walkover", "odds": "9", "isActive": 1}]}
    parsed = parse_event_detailed(_with_data(markets=[market]))
    assert parsed.odds.markets == () and parsed.odds.unmapped == {"sportybet:1": 1}
    assert parsed.instances[0].market_id == 3743


def test_betgenius_id_is_never_a_sportradar_id() -> None:
    genius = {"preMatchSource": {"sourceType": "BET_GENIUS", "sourceId": "1111111999"}}
    with pytest.raises(NormalisationError, match="BetGenius") as exc:
        parse_event("sportybet", _with_data(eventId="sr:match:1111111999", eventSource=genius))
    assert exc.value.path == "data.eventId"
    both = dict(genius, liveSource={"sourceType": "BET_RADAR", "sourceId": "4242"})
    odds = parse_event("sportybet", _with_data(eventId="sr:match:1111111999", eventSource=both))
    assert odds.event.sr_event_id == 4242


def test_bizcode_and_bad_input() -> None:
    with pytest.raises(UnexpectedPayload, match="bizCode"):
        parse_event("sportybet", orjson.dumps({"bizCode": 19000, "message": "event not found", "data": None}))
    with pytest.raises(NormalisationError, match="estimateStartTime"):
        parse_event("sportybet", _with_data(estimateStartTime="soon"))
    bad_line = {"id": "18", "specifier": "total=lots", "status": 0, "outcomes": []}
    with pytest.raises(NormalisationError) as exc:
        parse_event("sportybet", _with_data(markets=[bad_line]))
    assert exc.value.path == "data.markets[0].specifier" and exc.value.event_id == "sr:match:68995116"


class FakeSportyBet(FakeBook):
    """``n`` events sr:match:70000000+i over pages of ``size``."""

    def __init__(self, n: int, size: int = 100) -> None:
        super().__init__()
        self.n, self.size = n, size

    def route(self, request: httpx.Request) -> tuple[str, httpx.Response]:
        query = parse_qs(urlsplit(str(request.url)).query)
        assert "_t" in query
        if request.url.path == "/api/ng/factsCenter/pcUpcomingEvents":
            page = int(query["pageNum"][0])
            lo = (page - 1) * self.size
            events = [{"eventId": f"sr:match:{70_000_000 + i}"} for i in range(lo, min(lo + self.size, self.n))]
            doc = {"bizCode": 10000, "message": "0#0",
                   "data": {"totalNum": self.n, "tournaments": [{"events": events}] if events else []}}
            return f"listing:{page}", json_response(doc)
        if request.url.path == "/api/ng/factsCenter/event":
            assert query["productId"] == ["3"]
            event_id = query["eventId"][0]
            body = dict(DOC, data=dict(DOC["data"], eventId=event_id, eventSource={}))
            return f"detail:{event_id}", json_response(body)
        return "other", httpx.Response(404)


def test_board_pages_by_totalnum() -> None:
    book = FakeSportyBet(250)
    board = asyncio.run(fetch("sportybet", book))
    assert board.listing_complete and board.listed == 250 and len(board.events) == 250
    assert [book.calls[f"listing:{p}"] for p in (1, 2, 3, 4)] == [1, 1, 1, 0]
    assert board.events[0].event.sr_event_id == 70_000_000
    assert_reparses(board)


def test_bizcode_refusal_on_detail_and_listing() -> None:
    book = FakeSportyBet(150)
    refusal = json_response({"bizCode": 4000, "message": "event not found", "data": None})
    book.faults["detail:sr:match:70000001"] = lambda n: refusal
    book.faults["listing:2"] = lambda n: refusal
    board = asyncio.run(fetch("sportybet", book))
    assert not board.listing_complete and board.listed == 100
    (failure,) = board.failures
    assert failure.error_type == "UnexpectedPayload" and "bizCode" in failure.reason
    assert failure.sr_event_id == 70_000_001
    assert book.calls["detail:sr:match:70000001"] == 4  # retried, then the refusal body is kept
    assert_reparses(board)


def test_listing_ending_early_is_incomplete() -> None:
    book = FakeSportyBet(150)
    empty = json_response({"bizCode": 10000, "data": {"totalNum": 150, "tournaments": []}})
    book.faults["listing:2"] = lambda n: empty
    board = asyncio.run(fetch("sportybet", book))
    assert not board.listing_complete and board.listed == 100 and len(board.events) == 100
    assert_reparses(board)
