"""Fault injection: each fault kind reaches the client exactly as configured — first on the wire
(plain httpx through the ASGI app), then through the real clients (the error type they record).
Also: spec parsing, changing faults while running, and determinism of the fault sequence."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import orjson
import pytest

from odds_assets.clients import RetryPolicy, client_for, parse_event, settings_from_env
from odds_assets.clients.settings import ClientSettings
from odds_assets.models import BoardScrape, RawResponse
from odds_assets.simulator import SimulatorApp, parse_faults

from .conftest import BP_HEADERS, T0, bp_listing_query, fetch, get, make_app


def _detail_request(app: SimulatorApp, book: str) -> tuple[str, str, dict[str, Any]]:
    sim = app.sim
    ev = sim.board(book, sim.tick())[0]
    if book == "betpawa":
        return ("GET", f"/api/sportsbook/v4/events/{ev.betpawa_id}", {"headers": BP_HEADERS})
    if book == "sportybet":
        return ("GET", "/api/ng/factsCenter/event", {"params": {"eventId": f"sr:match:{ev.sr_id}", "productId": 3}})
    return ("GET", "/desktop/feapi/PalimpsestAjax/GetEvent", {"params": {"EVENTID": ev.bet9ja_id}})


def test_fault_spec_formats() -> None:
    text = parse_faults("betpawa:429=0.1,500=0.05,latency=20-80;*:html=0.01")
    assert text["betpawa"].rates == {"html": 0.01, "429": 0.1, "500": 0.05}
    assert text["betpawa"].latency_ms == (20.0, 80.0)
    assert text["bet9ja"].rates == {"html": 0.01}
    js = parse_faults('{"sportybet": {"403": 0.2, "latency_ms": [5, 10], "scope": "detail"}}')
    assert js["sportybet"].rates == {"403": 0.2} and js["sportybet"].scope == "detail"
    assert parse_faults(None) == {} and parse_faults("") == {}
    for bad in ("betpawa:teapot=0.1", "bwin:429=0.1", "betpawa:429=2", "betpawa:scope=sometimes"):
        with pytest.raises(ValueError):
            parse_faults(bad)


@pytest.mark.parametrize("book", ["betpawa", "sportybet", "bet9ja"])
@pytest.mark.parametrize("kind", ["403", "429", "500", "502", "503", "html", "truncated", "protobuf"])
def test_each_fault_on_the_wire(book: str, kind: str) -> None:
    app = make_app(faults={book: {kind: 1.0}}, retry_after=7)
    r = fetch(app, _detail_request(app, book))[0]
    ctype = r.headers["content-type"]
    if kind in ("403", "429", "500", "502", "503"):
        assert r.status_code == int(kind)
        if kind == "429":
            assert r.headers["retry-after"] == "7"
        return
    assert r.status_code == 200
    if kind == "html":
        assert ctype.startswith("text/html") and r.content.lstrip().lower().startswith(b"<!doctype html")
    elif kind == "truncated":
        assert ctype == "application/json"
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(r.content)
    else:
        assert ctype == "application/x-protobuf"
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(r.content)


def test_faults_hit_only_the_configured_book_and_scope() -> None:
    app = make_app(faults="betpawa:500=1,scope=listing")
    detail_bp, detail_sb = _detail_request(app, "betpawa"), _detail_request(app, "sportybet")
    listing = ("GET", "/api/sportsbook/v4/events/lists/by-queries", {"params": {"q": bp_listing_query()},
                                                                      "headers": BP_HEADERS})
    r_list, r_bp, r_sb = fetch(app, listing, detail_bp, detail_sb)
    assert (r_list.status_code, r_bp.status_code, r_sb.status_code) == (500, 200, 200)


def test_rename_price_to_odds() -> None:
    app = make_app(faults="betpawa:rename=1")
    body = fetch(app, _detail_request(app, "betpawa"))[0].json()
    prices = [p for m in body["markets"] for row in m["row"] for p in row["prices"]]
    assert prices and all("odds" in p and "price" not in p for p in prices)
    # the parsers read either key, so the data is unchanged
    plain = fetch(make_app(), _detail_request(app, "betpawa"))[0]
    renamed = fetch(app, _detail_request(app, "betpawa"))[0]
    assert parse_event("betpawa", renamed.content) == parse_event("betpawa", plain.content)


def test_latency_and_slow_responses() -> None:
    app = make_app(faults="bet9ja:latency=80-90", slow_seconds=0.4)
    start = time.perf_counter()
    fetch(app, _detail_request(app, "bet9ja"))
    assert time.perf_counter() - start >= 0.08
    app.sim.faults.set("bet9ja:slow=1")
    start = time.perf_counter()
    r = fetch(app, _detail_request(app, "bet9ja"))[0]
    assert time.perf_counter() - start >= 0.4 and r.status_code == 200


def test_listing_pages_silently_drop_events() -> None:
    clean, dropping = make_app(events=60), make_app(events=60, faults="*:drop=0.3")
    listing = ("GET", "/api/ng/factsCenter/pcUpcomingEvents",
               {"params": {"sportId": "sr:sport:1", "marketId": "1", "pageSize": 100, "pageNum": 1}})
    a, b = fetch(clean, listing)[0].json()["data"], fetch(dropping, listing)[0].json()["data"]
    count = lambda d: sum(len(t["events"]) for t in d["tournaments"])  # noqa: E731
    assert a["totalNum"] == b["totalNum"] == count(a)  # totalNum still claims the whole board
    assert 0.5 * count(a) < count(b) < 0.9 * count(a)


def test_fault_sequence_is_deterministic_and_retries_get_fresh_draws() -> None:
    spec = "sportybet:500=0.5"
    a, b = make_app(faults=spec), make_app(faults=spec)
    req = _detail_request(a, "sportybet")
    # the SportyBet cache buster _t must not change the draw
    reqs_a = [(m, u, {"params": {**kw["params"], "_t": i}}) for i, (m, u, kw) in enumerate([req] * 12)]
    reqs_b = [(m, u, {"params": {**kw["params"], "_t": 1000 + i}}) for i, (m, u, kw) in enumerate([req] * 12)]
    sa = [r.status_code for r in fetch(a, *reqs_a)]
    sb = [r.status_code for r in fetch(b, *reqs_b)]
    assert sa == sb
    assert set(sa) == {200, 500}


def test_faults_change_while_running() -> None:
    app = make_app()
    req = _detail_request(app, "bet9ja")
    r1, set_resp, r2, get_resp = fetch(
        app, req, ("POST", "/_sim/faults", {"json": {"bet9ja": {"403": 1.0}}}), req, ("GET", "/_sim/faults", {}))
    assert r1.status_code == 200 and r2.status_code == 403
    assert get_resp.json() == {"bet9ja": {"403": 1.0}} == set_resp.json()
    r3 = fetch(app, ("POST", "/_sim/faults", {"json": {"spec": "betpawa:429=0.5"}}), req)[1]
    assert r3.status_code == 200
    assert get(app, "/_sim/faults").json() == {"betpawa": {"429": 0.5}}


# ---------------------------------------------------------------- through the real clients

_EXPECTED_ERROR = {
    "403": "BookmakerBlocked", "html": "BookmakerBlocked", "429": "BookmakerRateLimited",
    "500": "BookmakerUnavailable", "502": "BookmakerUnavailable", "503": "BookmakerUnavailable",
    "slow": "BookmakerUnavailable", "truncated": "UnexpectedPayload", "protobuf": "UnexpectedPayload",
}


def _client_settings(book: str, **kw: Any) -> ClientSettings:
    values: dict[str, Any] = {"base_url": "http://sim", "retry": RetryPolicy.fast(), "delay_ms": 0, "timeout_s": 5.0}
    values.update(kw)
    return settings_from_env(book, **values)


def _event_id(app: SimulatorApp, book: str) -> str:
    ev = app.sim.board(book, app.sim.tick())[0]
    return {"betpawa": ev.betpawa_id, "sportybet": f"sr:match:{ev.sr_id}", "bet9ja": str(ev.bet9ja_id)}[book]


@pytest.mark.parametrize("book", ["betpawa", "sportybet", "bet9ja"])
@pytest.mark.parametrize("kind", sorted(_EXPECTED_ERROR))
def test_real_client_sees_the_fault(book: str, kind: str) -> None:
    app = make_app(faults={book: {kind: 1.0, "scope": "detail"}}, slow_seconds=1.0)
    settings = _client_settings(book, timeout_s=0.2 if kind == "slow" else 5.0)

    async def go() -> RawResponse:
        async with client_for(book, settings, transport=httpx.ASGITransport(app=app)) as client:
            return await client.fetch_event(_event_id(app, book))

    raw = asyncio.run(go())
    assert raw.kind == "error", raw.body[:200]
    assert orjson.loads(raw.body)["error_type"] == _EXPECTED_ERROR[kind]


def test_real_client_recovers_from_transient_faults_and_matches_truth() -> None:
    # protobuf is left out: the clients rightly treat it as fatal (it means a missing accept header)
    spec = "*:429=0.1,500=0.05,502=0.05,503=0.05,html=0.05,truncated=0.05,rename=0.5"
    app = make_app(events=40, faults=spec)

    async def go(book: str) -> BoardScrape:
        settings = _client_settings(book).with_(retry=RetryPolicy(
            max_attempts=10, backoff_base_s=0.001, backoff_cap_s=0.002, retry_after_cap_s=0.001,
            blocked_attempts=10, blocked_backoff_base_s=0.001, blocked_backoff_cap_s=0.002))
        async with client_for(book, settings, transport=httpx.ASGITransport(app=app)) as client:
            return await client.fetch_board()

    for book in ("betpawa", "sportybet", "bet9ja"):
        board = asyncio.run(go(book))
        truth = app.sim.ground_truth(book, T0)
        assert not board.failures and board.listing_complete, (book, board.failures[:2])
        got = {e.event.sr_event_id: e for e in board.events}
        assert got.keys() == truth.keys()
        for sr, eo in truth.items():
            assert got[sr].event == eo.event
            assert set(got[sr].markets) == set(eo.markets)
