"""Protocol details a real client depends on: BetPawa's protobuf answer without ``accept:
application/json``, its 100-event page cap and ``{"responses":[{}]}`` end marker, brand header;
SportyBet's bizCode envelope; Bet9ja's ``R:"E"``; and the ``odds simulator`` command line."""

from __future__ import annotations

import argparse

import orjson

from odds_assets.cli import simulator_cmd

from .conftest import BP_HEADERS, bp_listing_query, fetch, get, make_app


def test_betpawa_listing_pages_and_end_marker() -> None:
    app = make_app(events=250)
    ids: list[str] = []
    skip = 0
    while True:
        doc = get(app, "/api/sportsbook/v4/events/lists/by-queries", params={"q": bp_listing_query(skip)},
                  headers=BP_HEADERS).json()
        inner = doc["responses"][0]
        if "responses" not in inner:
            assert doc == {"responses": [{}]}
            break
        assert len(inner["responses"]) <= 100
        ids += [e["id"] for e in inner["responses"]]
        skip += 100
    board = app.sim.board("betpawa", app.sim.tick())
    assert ids == [ev.betpawa_id for ev in board]


def test_betpawa_protocol_errors() -> None:
    app = make_app()
    ev = app.sim.board("betpawa", app.sim.tick())[0]
    too_big, no_q, proto, no_brand, unknown, detail_proto = fetch(
        app,
        ("GET", "/api/sportsbook/v4/events/lists/by-queries", {"params": {"q": bp_listing_query(take=200)},
                                                                "headers": BP_HEADERS}),
        ("GET", "/api/sportsbook/v4/events/lists/by-queries", {"params": {"events": "x"}, "headers": BP_HEADERS}),
        ("GET", "/api/sportsbook/v4/events/lists/by-queries", {"params": {"q": bp_listing_query()},
                                                                "headers": {"accept": "*/*", "x-pawa-brand": "b"}}),
        ("GET", f"/api/sportsbook/v4/events/{ev.betpawa_id}", {"headers": {"accept": "application/json"}}),
        ("GET", "/api/sportsbook/v4/events/1", {"headers": BP_HEADERS}),
        ("GET", f"/api/sportsbook/v4/events/{ev.betpawa_id}", {"headers": {"x-pawa-brand": "b"}}),
    )
    assert too_big.status_code == 400 and too_big.json()["message"] == "The maximum number of events is 100"
    assert no_q.status_code == 400 and no_q.json()["message"] == "Request is empty"
    assert proto.status_code == 200 and proto.headers["content-type"] == "application/x-protobuf"
    assert not proto.content.startswith(b"{")
    assert no_brand.status_code == 400
    assert unknown.status_code == 404
    assert detail_proto.headers["content-type"] == "application/x-protobuf"
    # the categories endpoints answer JSON either way
    cats = get(app, "/api/sportsbook/v4/categories/list/all", headers={"x-pawa-brand": "b"})
    assert "onlyMeta" in cats.json()


def test_sportybet_and_bet9ja_unknown_events() -> None:
    app = make_app()
    sb, sb_bad_cc, b9, b9_group = fetch(
        app,
        ("GET", "/api/ng/factsCenter/event", {"params": {"eventId": "sr:match:1", "productId": 3}}),
        ("GET", "/api/ca/factsCenter/event", {"params": {"eventId": "sr:match:1", "productId": 3}}),
        ("GET", "/desktop/feapi/PalimpsestAjax/GetEvent", {"params": {"EVENTID": "1"}}),
        ("GET", "/desktop/feapi/PalimpsestAjax/GetEventsInGroupV2", {"params": {"GROUPID": "1"}}),
    )
    assert sb.status_code == 200 and sb.json()["bizCode"] != 10000 and sb.json()["data"] is None
    assert sb_bad_cc.status_code == 502
    assert b9.status_code == 200 and b9.json()["R"] == "E"
    assert b9_group.json()["R"] == "E"


def test_sportybet_paging_and_pc_events() -> None:
    app = make_app(events=150)
    seen: list[str] = []
    page = 1
    while True:
        data = get(app, "/api/ng/factsCenter/pcUpcomingEvents",
                   params={"sportId": "sr:sport:1", "marketId": "1,18", "pageSize": 40, "pageNum": page}).json()["data"]
        seen += [e["eventId"] for t in data["tournaments"] for e in t["events"]]
        if page * 40 >= data["totalNum"]:
            break
        page += 1
    board = app.sim.board("sportybet", app.sim.tick())
    assert seen == [f"sr:match:{ev.sr_id}" for ev in board]
    tid = f"sr:tournament:{board[0].competition.sb_tournament}"
    body = [{"sportId": "sr:sport:1", "marketId": "1", "tournamentId": [[tid]]}]
    r = fetch(app, ("POST", "/api/ng/factsCenter/pcEvents", {"content": orjson.dumps(body),
                                                             "headers": {"content-type": "application/json"}}))[0]
    events = r.json()["data"][0]["events"]
    assert events and all(m["id"] == "1" for e in events for m in e["markets"])
    sports = get(app, "/api/ng/factsCenter/popularAndSportList", params={"sportId": "sr:sport:1"}).json()
    assert sports["data"]["sportList"][0]["eventSize"] == len(board)


def test_cli_registers_the_simulator_command() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    simulator_cmd.register(sub)
    args = parser.parse_args(["simulator", "--port", "9999", "--events", "10", "--faults", "bet9ja:403=0.1",
                              "--change-rate", "0.1", "--freeze-at", "2026-09-21T00:00:00Z"])
    assert (args.port, args.events, args.change_rate, args.faults) == (9999, 10, 0.1, "bet9ja:403=0.1")
    assert callable(args.func)
