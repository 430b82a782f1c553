"""The simulated world: determinism (same seed + same time -> byte-identical answers), the evolution
rules (odds drift at the configured rate, suspensions/removals, events starting and appearing,
competitors missing ~5 % of events) and clock control, in-process and over ``/_sim/clock``. The rules
that need hundreds of events are checked on light boards (realistic ones: test_realistic.py)."""

from __future__ import annotations

from typing import Any

import orjson

from odds_assets.simulator import Simulator, SimulatorApp, SimulatorConfig, ground_truth

from .conftest import BP_HEADERS, T0, bp_listing_query, fetch, get, make_app


def _all_requests(app_for_ids: SimulatorApp) -> list[tuple[str, str, dict[str, Any]]]:
    sim = app_for_ids.sim
    tick = sim.tick()
    bp = sim.board("betpawa", tick)[:5]
    b9 = sim.board("bet9ja", tick)[:5]
    reqs: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/api/sportsbook/v4/categories/list/all", {"headers": BP_HEADERS}),
        ("GET", "/api/sportsbook/v4/categories/list/2?includeRegions=true", {"headers": BP_HEADERS}),
        ("GET", "/api/sportsbook/v4/events/lists/by-queries", {"params": {"q": bp_listing_query()},
                                                                "headers": BP_HEADERS}),
        ("GET", "/api/ng/factsCenter/pcUpcomingEvents",
         {"params": {"sportId": "sr:sport:1", "marketId": "1,18", "pageSize": 50, "pageNum": 1}}),
        ("GET", "/api/ng/factsCenter/popularAndSportList", {"params": {"sportId": "sr:sport:1"}}),
        ("GET", "/desktop/feapi/PalimpsestAjax/GetSports", {"params": {"DISP": 0}}),
        ("GET", "/desktop/feapi/PalimpsestAjax/GetEventsInGroupV2",
         {"params": {"GROUPID": b9[0].competition.b9_gid, "DISP": 0, "GROUPMARKETID": 1}}),
        ("GET", "/_sim/truth", {"params": {"book": "sportybet"}}),
    ]
    for ev in bp:
        reqs.append(("GET", f"/api/sportsbook/v4/events/{ev.betpawa_id}", {"headers": BP_HEADERS}))
        reqs.append(("GET", "/api/ng/factsCenter/event", {"params": {"eventId": f"sr:match:{ev.sr_id}",
                                                                     "productId": 3}}))
    for ev in b9:
        reqs.append(("GET", "/desktop/feapi/PalimpsestAjax/GetEvent", {"params": {"EVENTID": ev.bet9ja_id}}))
    return reqs


def test_same_seed_same_time_is_byte_identical() -> None:
    a, b = make_app(realistic=False), make_app(realistic=False)
    reqs = _all_requests(a)
    ra, rb = fetch(a, *reqs), fetch(b, *reqs)
    assert all(r.status_code == 200 for r in ra)
    assert [r.content for r in ra] == [r.content for r in rb]
    assert [r.headers["content-type"] for r in ra] == [r.headers["content-type"] for r in rb]


def test_another_seed_is_another_world() -> None:
    a, b = make_app(realistic=False, seed=7), make_app(realistic=False, seed=8)
    ra = get(a, "/_sim/truth", params={"book": "betpawa"}).content
    rb = get(b, "/_sim/truth", params={"book": "betpawa"}).content
    assert ra != rb


def test_world_is_constant_within_a_tick_and_computable_out_of_order() -> None:
    cfg = SimulatorConfig(seed=3, events=80, realistic=False)
    start = (T0 // 60) * 60
    fresh = ground_truth("betpawa", start + 59, config=cfg)
    # a simulator that already computed a later tick gives the same answer for an earlier one
    sim = Simulator(cfg)
    sim.ground_truth("betpawa", start + 3600)
    assert sim.ground_truth("betpawa", start) == fresh


def test_odds_change_at_the_configured_rate() -> None:
    sim = Simulator(SimulatorConfig(seed=11, events=300, status_rate=0.0, realistic=False))
    before = sim.ground_truth("betpawa", T0)
    after = sim.ground_truth("betpawa", T0 + 300)
    same_events = before.keys() & after.keys()
    total = changed = 0
    for sr in same_events:
        a = {(m.market_id, m.line): m for m in before[sr].markets}
        b = {(m.market_id, m.line): m for m in after[sr].markets}
        for key in a.keys() & b.keys():
            total += 1
            changed += a[key] != b[key]
    assert total > 10_000
    # default 5 % per 5 minutes; a change that rounds to the same cents is invisible
    assert 0.03 <= changed / total <= 0.07, changed / total


def test_suspensions_removals_and_placeholders_show_up() -> None:
    sim = Simulator(SimulatorConfig(seed=5, events=200, status_rate=0.2, realistic=False))
    outcomes = [o for eo in sim.ground_truth("sportybet", T0).values() for m in eo.markets for o in m.outcomes]
    assert any(o.odds is None and not o.active for o in outcomes)  # "0.00" / isActive 0
    assert any(o.odds is not None and not o.active for o in outcomes)  # suspended with a price
    assert all(o.odds is not None for o in outcomes if o.active)
    b9 = [o for eo in sim.ground_truth("bet9ja", T0).values() for m in eo.markets for o in m.outcomes]
    # Bet9ja cannot show a suspended price: everything inactive is the "1" placeholder
    assert all(o.odds is None for o in b9 if not o.active) and any(not o.active for o in b9)
    # removed instances come back: some instance absent now is present later
    sr, eo = next(iter(sim.ground_truth("betpawa", T0).items()))
    keys_now = {(m.market_id, m.line) for m in eo.markets}
    all_keys = {(i.spec.betpawa_id, i.line_q) for i in sim.instances("betpawa", sim.world.event(sr - 50_000_000))}
    assert len(keys_now) <= len(all_keys)


def test_events_start_and_new_ones_appear() -> None:
    sim = Simulator(SimulatorConfig(seed=2, events=200, realistic=False))
    now = sim.ground_truth("betpawa", T0)
    later = sim.ground_truth("betpawa", T0 + 6 * 3600)
    gone, new = now.keys() - later.keys(), later.keys() - now.keys()
    assert gone and new
    assert all(now[sr].event.kickoff.timestamp() <= T0 + 6 * 3600 for sr in gone)
    assert 180 <= len(now) <= 220 and 180 <= len(later) <= 220


def test_competitors_miss_some_events_and_names_differ() -> None:
    sim = Simulator(SimulatorConfig(seed=2, events=400, realistic=False))
    bp = sim.ground_truth("betpawa", T0)
    for book in ("sportybet", "bet9ja"):
        other = sim.ground_truth(book, T0)
        assert other.keys() <= bp.keys()
        missing = 1 - len(other) / len(bp)
        assert 0.01 <= missing <= 0.12, (book, missing)
    b9 = sim.ground_truth("bet9ja", T0)
    assert any(bp[sr].event.home != b9[sr].event.home for sr in b9)
    assert all(bp[sr].event.kickoff == b9[sr].event.kickoff for sr in b9)


def test_about_fifty_instances_per_event_per_book_from_the_catalogue() -> None:
    # light boards: markets_per_event catalogue instances (realistic boards: test_realistic.py)
    sim = Simulator(SimulatorConfig(seed=4, events=100, realistic=False))
    for book in ("betpawa", "sportybet", "bet9ja"):
        truth = sim.ground_truth(book, T0)
        mean = sum(eo.instances_total for eo in truth.values()) / len(truth)
        assert 35 <= mean <= 65, (book, mean)
    # Bet9ja S_OU carries half lines only; other lines are filed under S_OUA
    ev = sim.board("bet9ja", sim.tick(T0))[0]
    body = get(make_app(realistic=False, seed=4, events=100), "/desktop/feapi/PalimpsestAjax/GetEvent",
               params={"EVENTID": ev.bet9ja_id}).json()
    ou_lines = {k.split("@")[1].rsplit("_", 1)[0] for k in body["D"]["O"] if k.startswith("S_OU@")}
    assert ou_lines and all(line.endswith(".5") for line in ou_lines)


def test_clock_control_over_http() -> None:
    app = make_app(realistic=False)
    r1, r2, r3, r4 = fetch(
        app,
        ("GET", "/_sim/clock", {}),
        ("POST", "/_sim/clock", {"json": {"advance": 3600}}),
        ("POST", "/_sim/clock", {"json": {"t": "2026-10-01T00:00:00Z"}}),
        ("GET", "/_sim/truth", {"params": {"book": "bet9ja", "t": T0}}),
    )
    assert r1.json()["t"] == T0 and r1.json()["frozen"] is True
    assert r2.json()["t"] == T0 + 3600
    assert r3.json()["t"] == 1_790_812_800
    truth = r4.json()
    assert truth["t"] == T0 and truth["events"]
    expected = ground_truth("bet9ja", T0, config=app.sim.config)
    assert {e["sr_event_id"] for e in truth["events"]} == set(expected)
    first = truth["events"][0]
    eo = expected[first["sr_event_id"]]
    assert len(first["markets"]) == len(eo.markets)
    assert orjson.loads(orjson.dumps(first))["bookmaker_event_id"] == eo.event.bookmaker_event_id
