"""odds_assets.clients.bet9ja: key grammar, S_OU vs S_OUA, shared keys routed by suffix, placeholder
odds, R envelope; and the GetSports → GetEventsInGroupV2 → GetEvent board through MockTransport
(a failed group truncates the listing, R:"E" fails only its event, re-parse)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest

from odds_assets.clients import parse_event
from odds_assets.clients.bet9ja import parse_key
from odds_assets.errors import NormalisationError, UnexpectedPayload

from .conftest import FakeBook, assert_reparses, capture, fetch, json_response

DOC = orjson.loads(capture("bet9ja"))


def _with_odds(odds: dict[str, Any], **changes: Any) -> bytes:
    return orjson.dumps(dict(DOC, D=dict(DOC["D"], O=odds, **changes)))


def test_key_grammar() -> None:
    assert parse_key("S_OU@2.5_O") == ("S_OU", "2.5", "O")
    assert parse_key("S_1X2_1") == ("S_1X2", None, "1")
    assert parse_key("S_HTFTCS_0-0/0-0") == ("S_HTFTCS", None, "0-0/0-0")
    assert parse_key("S_1X2HND@-1_XH") == ("S_1X2HND", "-1", "XH")
    assert parse_key("LIVES_OU@1.5_U") == ("S_OU", "1.5", "U")
    assert parse_key("B_ML_1") is None and parse_key("S_OU@_O") is None


def test_half_and_asian_totals_share_market_5000() -> None:
    odds = parse_event("bet9ja", _with_odds({"S_OU@2.5_O": "1.9", "S_OU@2.5_U": "1.8",
                                              "S_OUA@2.25_O": "1.7", "S_OUA@2.25_U": "2.05",
                                              "S_OUA@2_O": "1.5", "S_OUA@2_U": "2.5"}))
    assert [(m.market_id, str(m.line)) for m in odds.markets] == [(5000, "2.5"), (5000, "2.25"), (5000, "2")]


def test_shared_key_routed_by_suffix() -> None:
    odds = parse_event("bet9ja", _with_odds({"S_HAOU@1.5_OH": "2.2", "S_HAOU@1.5_UH": "1.6",
                                              "S_HAOU@1.5_OA": "2.6", "S_HAOU@1.5_UA": "1.45"}))
    by_id = {m.market_id: m for m in odds.markets}
    assert set(by_id) == {5006, 5003}
    assert [(o.name, o.odds) for o in by_id[5003].outcomes] == [("Over", Decimal("2.6")), ("Under", Decimal("1.45"))]
    assert odds.instances_total == 2


def test_placeholder_odds_are_unavailable_not_bad_data() -> None:
    odds = parse_event("bet9ja", _with_odds({"S_1X2_1": "2.4", "S_1X2_X": "1", "S_1X2_2": {"v": 3.1}}))
    (market,) = odds.markets
    assert [(o.name, o.odds, o.active) for o in market.outcomes] == [
        ("1", Decimal("2.4"), True), ("X", None, False), ("2", Decimal("3.1"), True)]


def test_first_goal_gets_goal_number_one() -> None:
    odds = parse_event("bet9ja", _with_odds({"S_1STGOAL_1": "1.9", "S_1STGOAL_X": "11", "S_1STGOAL_2": "2.2"}))
    assert [(m.market_id, m.line) for m in odds.markets] == [(28000224, Decimal(1))]


def test_unmapped_counted_per_key() -> None:
    odds = parse_event("bet9ja", _with_odds({"S_3CM@2.5_1GGOV": "4", "S_3CM@2.5_2GGOV": "5", "S_NCORN_7Corner": "9"}))
    assert odds.markets == () and odds.unmapped == {"S_3CM": 1, "S_NCORN": 1} and odds.instances_total == 2


def test_envelope_and_bad_input() -> None:
    with pytest.raises(UnexpectedPayload, match="R 'E'"):
        parse_event("bet9ja", b'{"R":"E","D":null}')
    with pytest.raises(NormalisationError) as exc:
        parse_event("bet9ja", _with_odds({"S_OU@two_O": "1.9"}))
    assert "S_OU@two" in exc.value.path and exc.value.event_id == 769895636
    with pytest.raises(NormalisationError, match="STARTDATE"):
        parse_event("bet9ja", _with_odds({}, STARTDATE="tomorrow"))
    with pytest.raises(NormalisationError, match="odds"):
        parse_event("bet9ja", _with_odds({"S_1X2_1": "evens"}))


class FakeBet9ja(FakeBook):
    """Two countries, three groups; group g holds events 800000+10g+k (k < per_group)."""

    groups = ("170880", "170881", "99")

    def __init__(self, per_group: int = 3) -> None:
        super().__init__()
        self.per_group = per_group

    def route(self, request: httpx.Request) -> tuple[str, httpx.Response]:
        query = parse_qs(urlsplit(str(request.url)).query)
        assert query["v_cache_version"] == ["1.301.2.225"]
        path = request.url.path
        if path.endswith("/GetSports"):
            pal = {"1": {"S_DESC": "Soccer", "SG": {"1": {"G": {"170880": {}, "170881": {}}}, "2": {"G": {"99": {}}}}}}
            return "sports", json_response({"R": "OK", "D": {"PAL": pal}})
        if path.endswith("/GetEventsInGroupV2"):
            g = query["GROUPID"][0]
            base = 800_000 + 10 * self.groups.index(g)
            items = [{"ID": base + k, "EXTID": str(60_000_000 + base + k)} for k in range(self.per_group)]
            return f"group:{g}", json_response({"R": "OK", "D": {"E": items}})
        if path.endswith("/GetEvent"):
            event_id = int(query["EVENTID"][0])
            doc = dict(DOC, D=dict(DOC["D"], ID=event_id, EXTID=str(60_000_000 + event_id)))
            return f"detail:{event_id}", json_response(doc)
        return "other", httpx.Response(404)


def test_board_walks_every_group() -> None:
    book = FakeBet9ja()
    board = asyncio.run(fetch("bet9ja", book))
    assert board.listing_complete and board.listed == 9 and len(board.events) == 9
    assert [r.kind for r in board.raw[:4]] == ["sports", "listing", "listing", "listing"]
    assert {e.event.sr_event_id for e in board.events} == {60_000_000 + 800_000 + 10 * g + k
                                                          for g in range(3) for k in range(3)}
    assert_reparses(board)


def test_failed_group_truncates_listing_only() -> None:
    book = FakeBet9ja()
    book.faults["group:170881"] = lambda n: httpx.Response(403)
    board = asyncio.run(fetch("bet9ja", book))
    assert not board.listing_complete and board.listed == 6 and len(board.events) == 6
    assert_reparses(board)


def test_r_e_fails_only_that_event() -> None:
    book = FakeBet9ja()
    book.faults["detail:800011"] = lambda n: json_response({"R": "E", "D": None})
    board = asyncio.run(fetch("bet9ja", book))
    (failure,) = board.failures
    assert failure.bookmaker_event_id == "800011" and failure.error_type == "UnexpectedPayload"
    assert failure.sr_event_id == 60_800_011 and "GetEvent" in failure.reason
    assert len(board.events) == 8
    assert_reparses(board)


def test_exact_goals_6_is_exactly_six_not_6_plus() -> None:
    # The real capture's own figures: S_EXACTGOAL_6 = 17 next to S_OU@5.5 Over = 11.25. "6+" and
    # "Over 5.5" are the same bet, so one book cannot price them 17 and 11.25; as exactly six the
    # gap is expected: implied 1/17 ÷ 1/11.25 = 0.66, the share of P(6 or more) that P(exactly 6)
    # has under a Poisson goal model (the other captures give 10.25 vs 5.8 and 12 vs 7.4, 0.57 and
    # 0.62; the capture's 1X2 and Over/Under 2.5 put the goal mean near 2.6). So the suffix must not
    # become BetPawa's "6+", priced 17 or at all.
    real = DOC["D"]["O"]
    assert (real["S_EXACTGOAL_6"], real["S_OU@5.5_O"]) == ("17", "11.25")
    goals = {k: v for k, v in real.items() if k.startswith("S_EXACTGOAL_")}
    odds = parse_event("bet9ja", _with_odds({**goals, "S_OU@5.5_O": "11.25"}))
    by_id = {m.market_id: m for m in odds.markets}
    exact = by_id[4926]
    assert "6+" not in {o.name for o in exact.outcomes}
    assert Decimal("17") not in {o.odds for o in exact.outcomes}
    # the other outcomes mean the same at every book and still map; the market is not thrown away
    assert {o.name: o.odds for o in exact.outcomes} == {
        str(n): Decimal(goals[f"S_EXACTGOAL_{n}"]) for n in range(1, 6)}
    assert odds.unmapped == {}
    over = {o.name: o.odds for o in by_id[5000].outcomes}
    assert by_id[5000].line == Decimal("5.5") and over["Over"] == Decimal("11.25")


def test_whole_capture_has_no_exact_goals_6_plus() -> None:
    odds = parse_event("bet9ja", capture("bet9ja"))
    (exact,) = [m for m in odds.markets if m.market_id == 4926]
    assert [o.name for o in exact.outcomes if o.name == "6+"] == []
