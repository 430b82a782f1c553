"""Scenarios (planted facts for the analytics): settings at start, at runtime and in the truth endpoint;
the planted margins realised by the books' rounded odds; no exposure or cross-book arbitrage outside the
planted episodes and every planted one where it was planted.

Oracles: margins are computed here from the odds (Σ 1/odds / k − 1, k = 2 for double chance, by the
market's name); the fair price and edge by a power de-vig written here (bisection on the exponent),
not the product's analytics."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest

from odds_assets.markets.catalogue import CATALOGUE
from odds_assets.models import Market
from odds_assets.simulator import Simulator, SimulatorConfig, ground_truth, parse_scenario

from .conftest import T0, fetch, get, make_app

BOOKS = ("betpawa", "sportybet", "bet9ja")
START = T0 // 60 * 60
#: BetPawa outcome set and name per market id, from the catalogue's data
OUTCOMES = {m.betpawa_id: {o.betpawa for o in m.outcomes if o.betpawa} for m in CATALOGUE if m.betpawa_id}
NAMES = {m.betpawa_id: m.name for m in CATALOGUE if m.betpawa_id}


def covers(market_id: int) -> int | None:
    """How many outcomes win on each result, by hand from the market's name: double chance (and its
    combinations) 2; ranges and early payouts none; everything else 1."""
    name = NAMES[market_id]
    if "multigoals" in name or "1up" in name or "2up" in name:
        return None
    if name.startswith("double_chance") or name == "haou_combined":
        return 2
    return 1


def priced(m: Market) -> bool:
    names = [o.name for o in m.outcomes]
    return (len(names) == len(OUTCOMES[m.market_id]) and set(names) == OUTCOMES[m.market_id]
            and all(o.active and o.odds is not None for o in m.outcomes))


def power_fair(odds: list[Decimal]) -> list[float]:
    """p_i = (1/o_i)^a with Σ p_i = 1, a by bisection (the sum falls as a grows)."""
    r = [1 / float(o) for o in odds]
    lo, hi = 0.2, 5.0
    for _ in range(60):
        a = (lo + hi) / 2
        if sum(x ** a for x in r) > 1:
            lo = a
        else:
            hi = a
    return [x ** ((lo + hi) / 2) for x in r]


# ---------------------------------------------------------------- settings


def test_no_scenario_by_default() -> None:
    assert SimulatorConfig().scenario is None and parse_scenario(None) is None
    app = make_app()
    assert app.sim.scenario is None
    assert get(app, "/_sim/scenario").json() == {"scenario": None}
    truth = get(app, "/_sim/truth", params={"book": "betpawa"}).json()
    assert "scenario" not in truth and "betpawa_lags" not in truth["events"][0]


def test_scenario_at_start_and_through_the_truth_endpoint() -> None:
    settings = {"margins": {"betpawa": 0.06, "sportybet": {"1x2_ft": 0.04, "*": 0.05}},
                "lead": {"1x2_ft": "bet9ja", "*": "sportybet"}, "betpawa_lag_minutes": 4, "follower_lag_minutes": 1,
                "betpawa_lag_share": 0.25}
    app = make_app(scenario=settings)
    doc = get(app, "/_sim/scenario").json()["scenario"]
    types = {t["name"]: t for t in doc["market_types"]}
    assert types["1x2_ft"]["lead"] == "bet9ja" and types["btts_ft"]["lead"] == "sportybet"
    assert types["1x2_ft"]["lag_minutes"] == {"bet9ja": 0.0, "sportybet": 1.0, "betpawa": 4.0}
    assert types["1x2_ft"]["margins"]["betpawa"] == 0.06 and types["1x2_ft"]["margins"]["sportybet"] == 0.04
    assert types["btts_ft"]["margins"]["sportybet"] == 0.05
    assert 0.04 <= types["btts_ft"]["margins"]["bet9ja"] <= 0.09  # unset: drawn in [4 %, 9 %]
    assert doc["episodes"] == [] and doc["betpawa_lag_share"] == 0.25
    truth = get(app, "/_sim/truth", params={"book": "betpawa"}).json()
    assert truth["scenario"]["market_types"] == doc["market_types"]
    lagging = {e["sr_event_id"] for e in truth["events"] if e["betpawa_lags"]}
    assert lagging == set(doc["betpawa_lagging_events"]) and 0 < len(lagging) < len(truth["events"])
    # the same planted facts in-process
    planted = app.sim.planted()
    assert planted.lead[3743] == "bet9ja" and planted.margins[("betpawa", 3743)] == 0.06
    assert {sr for sr in (e["sr_event_id"] for e in truth["events"]) if planted.betpawa_lags(sr)} == lagging


def test_scenario_at_runtime_over_http_and_in_process() -> None:
    app = make_app()
    plain = get(app, "/_sim/truth", params={"book": "sportybet"}).content
    r_on, r_truth, r_bad, r_off, r_plain = fetch(
        app,
        ("POST", "/_sim/scenario", {"json": {"margins": {"sportybet": 0.05}}}),
        ("GET", "/_sim/truth", {"params": {"book": "sportybet"}}),
        ("POST", "/_sim/scenario", {"json": {"margins": {"sportybet": 0.5}}}),
        ("POST", "/_sim/scenario", {"content": b"null"}),
        ("GET", "/_sim/truth", {"params": {"book": "sportybet"}}),
    )
    assert r_on.status_code == 200 and r_on.json()["scenario"]["settings"]["margins"] == {"sportybet": {"*": 0.05}}
    assert r_truth.json()["events"] != orjson_events(plain)
    # a bad setting is refused, naming it, and changes nothing
    assert r_bad.status_code == 400 and "margins.sportybet" in r_bad.json()["error"]
    assert r_off.json() == {"scenario": None}
    assert r_plain.content == plain  # off again: the world without a scenario, byte for byte
    sim = Simulator(SimulatorConfig(seed=7, events=120, frozen_at=T0))
    sim.set_scenario('{"margins": {"sportybet": 0.05}}')
    assert {e["sr_event_id"]: len(e["markets"]) for e in r_truth.json()["events"]} == {
        sr: len(eo.markets) for sr, eo in sim.ground_truth("sportybet").items()}
    with pytest.raises(ValueError, match="unknown setting"):
        sim.set_scenario({"margin": 0.05})
    with pytest.raises(ValueError, match="whole number"):
        Simulator(SimulatorConfig(tick_seconds=60, scenario={"betpawa_lag_minutes": 2.5}))
    with pytest.raises(ValueError, match="unknown market type"):
        parse_scenario({"lead": {"no_such_market": "bet9ja"}})


def orjson_events(body: bytes) -> Any:
    import orjson

    return orjson.loads(body)["events"]


def test_same_seed_and_scenario_same_world() -> None:
    settings = {"arbitrages": {"count": 2, "from": START, "to": START + 1800}}
    cfg: dict[str, Any] = {"seed": 3, "events": 30}
    a = ground_truth("bet9ja", START + 900, config=SimulatorConfig(**cfg, scenario=settings))
    sim = Simulator(SimulatorConfig(**cfg, scenario=settings))
    sim.ground_truth("bet9ja", START + 3000)  # computed out of order first
    assert sim.ground_truth("bet9ja", START + 900) == a
    other = {**settings, "margins": {"bet9ja": 0.05}}
    assert a != ground_truth("bet9ja", START + 900, config=SimulatorConfig(**cfg, scenario=other))
    assert [e.to_json() for e in sim.planted().episodes] == [
        e.to_json() for e in Simulator(SimulatorConfig(**cfg, scenario=settings)).planted().episodes]


# ---------------------------------------------------------------- planted margins


def test_realised_margins_equal_the_planted_ones() -> None:
    """Mean margin per book × market type over a board, from the odds, within 0.1 pp of the planted one,
    for every book × type with a complete, priced instance on the board."""
    sim = Simulator(SimulatorConfig(seed=2, events=150, realistic=False,
                                    scenario={"margins": {"bet9ja": {"double_chance_ft": 0.11}}}))
    planted = sim.planted()
    margins: dict[tuple[str, int], list[float]] = defaultdict(list)
    for book in BOOKS:
        for eo in sim.ground_truth(book, START).values():
            for m in eo.markets:
                k = covers(m.market_id)
                if k is not None and priced(m):
                    margins[(book, m.market_id)].append(sum(1 / float(o.odds) for o in m.outcomes if o.odds) / k - 1)
    checked = {key: (sum(v) / len(v), planted.margins[key]) for key, v in margins.items()}
    off = {key: v for key, v in checked.items() if abs(v[0] - v[1]) > 0.001}
    assert off == {}
    assert len(checked) >= 200 and sum(len(v) for v in margins.values()) > 10_000
    assert {b for b, _ in checked} == set(BOOKS)
    assert checked[("bet9ja", 4693)][1] == 0.11  # double chance FT, set explicitly
    assert len({round(p, 4) for _, p in checked.values()}) > 20  # the unset ones differ per book and type


# ---------------------------------------------------------------- exposures only where planted


def test_exposures_and_arbitrages_exactly_where_planted() -> None:
    """Every BetPawa outcome of a mutually exclusive market priced by a competitor, each minute for 40
    minutes: its edge against the competitors' power-fair price above 3 %, or the best prices of the
    three books implying under 100 %, exactly on the planted episodes' outcomes and ticks."""
    scenario = {"betpawa_lag_minutes": 5, "arbitrages": {"count": 3, "from": START + 300, "to": START + 1500,
                                                         "min_minutes": 3, "max_minutes": 8}}
    sim = Simulator(SimulatorConfig(seed=4, events=25, realistic=False, scenario=scenario))
    planted = sim.planted()
    expected = {((e.sr_event_id, e.market_id, e.line, e.outcome), t)
                for e in planted.episodes for t in range(e.start_tick, e.end_tick)}
    assert len(planted.episodes) == 3
    found: set[tuple[tuple[int, int, Decimal | None, str], int]] = set()
    arbs: set[tuple[tuple[int, int, Decimal | None], int]] = set()
    memo: dict[tuple[Market, ...], tuple[dict[str, float], bool]] = {}
    max_edge = -1.0
    for w in range(40):
        tick = START // 60 + w
        boards = {b: sim.ground_truth(b, tick * 60) for b in BOOKS}
        for sr, eo in boards["betpawa"].items():
            others = [{(m.market_id, m.line): m for m in boards[b][sr].markets} for b in BOOKS[1:] if sr in boards[b]]
            for m in eo.markets:
                if covers(m.market_id) != 1 or not priced(m):
                    continue
                comp = tuple(c[(m.market_id, m.line)] for c in others
                             if (m.market_id, m.line) in c and priced(c[(m.market_id, m.line)]))
                if not comp:
                    continue
                key = (m, *comp)
                if key not in memo:
                    fairs = [dict(zip((o.name for o in c.outcomes), power_fair([o.odds for o in c.outcomes if o.odds])))
                             for c in comp]
                    edges = {o.name: float(o.odds) * sum(f[o.name] for f in fairs) / len(fairs) - 1
                             for o in m.outcomes if o.odds}
                    best = {o.name: max(float(x.odds) for x in (o, *(next(y for y in c.outcomes if y.name == o.name)
                                                                     for c in comp)) if x.odds)
                            for o in m.outcomes}
                    memo[key] = (edges, sum(1 / x for x in best.values()) < 1)
                edges, arb = memo[key]
                for name, e in edges.items():
                    if e > 0.03:
                        found.add(((sr, m.market_id, m.line, name), tick))
                    else:
                        max_edge = max(max_edge, e)
                if arb:
                    arbs.add(((sr, m.market_id, m.line), tick))
    assert found == expected
    assert arbs == {(k[:3], t) for k, t in expected}
    assert max_edge < 0.03
    for ep in planted.episodes:  # the planted price is what BetPawa shows during the episode, not outside it
        for tick, inside in ((ep.start_tick - 1, False), (ep.start_tick, True), (ep.end_tick - 1, True),
                             (ep.end_tick, False)):
            m = next((x for x in sim.ground_truth("betpawa", tick * 60)[ep.sr_event_id].markets
                      if (x.market_id, x.line) == (ep.market_id, ep.line)), None)
            odds = None if m is None else next(o.odds for o in m.outcomes if o.name == ep.outcome)
            assert (odds == ep.betpawa_odds) is inside, (ep, tick)
