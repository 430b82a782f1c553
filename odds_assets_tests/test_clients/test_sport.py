"""Only football is normalised: every book reuses its market ids across sports, so an event of another
sport must fail with NotFootball (naming bookmaker, event and sport) instead of parsing into football
markets. Per book: the real capture still parses, a copy with its sport field changed is refused by
``parse_event``, and in a board fetched through MockTransport only that event fails."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from odds_assets.clients import parse_event
from odds_assets.errors import NormalisationError, NotFootball

from .conftest import FakeBetPawa, FakeBook, assert_reparses, capture, fetch, json_response
from .test_bet9ja import FakeBet9ja
from .test_sportybet import FakeSportyBet


def _betpawa_basketball(doc: dict[str, Any]) -> dict[str, Any]:
    return dict(doc, category={"id": "3", "name": "Basketball"})


def _sportybet_basketball(doc: dict[str, Any]) -> dict[str, Any]:
    return dict(doc, data=dict(doc["data"], sport=dict(doc["data"]["sport"], id="sr:sport:2", name="Basketball")))


def _bet9ja_tennis(doc: dict[str, Any]) -> dict[str, Any]:
    # the capture's S_ keys kept: the sport field alone must decide
    return dict(doc, D=dict(doc["D"], SID=5, S="Tennis"))


#: book -> (the change to a body, the sport it then states, where, the event id in the message)
CASES: dict[str, tuple[Callable[[dict[str, Any]], dict[str, Any]], str, str, str]] = {
    "betpawa": (_betpawa_basketball, "3", "category.id", "33289995"),
    "sportybet": (_sportybet_basketball, "sr:sport:2", "data.sport.id", "sr:match:68995116"),
    "bet9ja": (_bet9ja_tennis, "5", "D.SID", "769895636"),
}


@pytest.mark.parametrize("bookmaker", sorted(CASES))
def test_football_capture_still_parses(bookmaker: str) -> None:
    odds = parse_event(bookmaker, capture(bookmaker))
    assert odds.event.sr_event_id == 68995116 and odds.markets


@pytest.mark.parametrize("bookmaker", sorted(CASES))
def test_other_sport_is_refused(bookmaker: str) -> None:
    change, sport, path, event_id = CASES[bookmaker]
    body = orjson.dumps(change(orjson.loads(capture(bookmaker))))
    with pytest.raises(NotFootball) as exc:
        parse_event(bookmaker, body)
    err = exc.value
    assert isinstance(err, NormalisationError)
    assert (err.bookmaker, str(err.event_id), err.sport, err.path) == (bookmaker, event_id, sport, path)
    message = str(err)
    assert bookmaker in message and event_id in message and sport in message and "not football" in message


@pytest.mark.parametrize("bookmaker", ["betpawa", "sportybet"])
def test_missing_sport_is_not_taken_for_football(bookmaker: str) -> None:
    doc = orjson.loads(capture(bookmaker))
    if bookmaker == "betpawa":
        doc.pop("category")
    else:
        doc["data"].pop("sport")
    with pytest.raises(NormalisationError, match="sport|category"):
        parse_event(bookmaker, orjson.dumps(doc))


def test_bet9ja_live_soccer_id_is_football() -> None:
    doc = orjson.loads(capture("bet9ja"))
    odds = parse_event("bet9ja", orjson.dumps(dict(doc, D=dict(doc["D"], SID=3000001))))
    assert odds.markets


def _board_with_one_other_sport(bookmaker: str) -> tuple[FakeBook, str]:
    """A fake board of the book whose detail for one event is the non-football copy; its id."""
    change = CASES[bookmaker][0]
    book: FakeBook
    if bookmaker == "betpawa":
        fake_bp = FakeBetPawa(4)
        bad = change(fake_bp.detail(1))
        book, key, event_id = fake_bp, "detail:1", "1001"
    elif bookmaker == "sportybet":
        book = FakeSportyBet(4)
        event_id = "sr:match:70000001"
        doc = orjson.loads(capture("sportybet"))
        bad = change(dict(doc, data=dict(doc["data"], eventId=event_id, eventSource={})))
        key = f"detail:{event_id}"
    else:
        book = FakeBet9ja(per_group=2)
        event_id = "800011"
        doc = orjson.loads(capture("bet9ja"))
        bad = change(dict(doc, D=dict(doc["D"], ID=800011, EXTID="60800011")))
        key = f"detail:{event_id}"
    book.faults[key] = lambda n: json_response(bad)
    return book, event_id


@pytest.mark.parametrize("bookmaker", sorted(CASES))
def test_other_sport_fails_only_its_event_in_a_board(bookmaker: str) -> None:
    book, event_id = _board_with_one_other_sport(bookmaker)
    board = asyncio.run(fetch(bookmaker, book))
    (failure,) = board.failures
    assert failure.bookmaker == bookmaker and failure.bookmaker_event_id == event_id
    assert failure.error_type == "NotFootball" and "not football" in failure.reason
    assert CASES[bookmaker][1] in failure.reason
    assert board.listing_complete and len(board.events) == board.listed - 1 > 0
    assert event_id not in {e.event.bookmaker_event_id for e in board.events}
    assert_reparses(board)  # parse_board on the archive reports the same failure
