"""The simulator's fast paths against their definitions.

- ``MarketModel.states`` (every instance of an event hashed and priced as arrays) against the scalar
  ``MarketModel.state`` of a second, cache-free model: the scalar code is the reference model, and the
  two must agree exactly (states, not just prices), at ticks and rates that reach every branch (removed,
  suspended with and without prices, unchanged opening odds, moved odds, Bet9ja placeholders).
- ``FragmentCache`` generations, by hand: a part used within a period survives a rotation, an unused one
  is gone after two.
- ``compact``: cached bytes occupy their own length, not orjson's buffer.
"""

from __future__ import annotations

import sys

import orjson

from odds_assets.simulator.config import SimulatorConfig
from odds_assets.simulator.engine import Simulator
from odds_assets.simulator.markets import MarketModel
from odds_assets.simulator.realistic import FragmentCache, compact
from odds_assets.simulator.world import BOOKS

from .conftest import T0


def _model(cfg: SimulatorConfig) -> MarketModel:
    model = MarketModel(cfg.seed, tick_seconds=cfg.tick_seconds, change_rate=cfg.change_rate,
                        status_rate=cfg.status_rate, markets_per_event=cfg.markets_per_event)
    model.universe_share = 1.0
    return model


def test_array_states_equal_scalar_states() -> None:
    # busy rates so a few events reach every branch; a short horizon so some events are fresh
    cfg = SimulatorConfig(seed=3, events=40, frozen_at=T0, change_rate=0.02, status_rate=0.6, horizon_hours=2)
    sim = Simulator(cfg)
    seen = {"removed": 0, "suspended": 0, "no_price": 0, "opening": 0, "moved": 0, "placeholder": 0}
    t0 = sim.tick()
    for dt in (0, 1, 33, 95):
        tick = t0 + dt
        reference = _model(cfg)  # fresh: no cached state
        for book in BOOKS:
            for ev in sim.board(book, tick)[:6]:
                insts = sim.instances(book, ev)
                got = sim.model.states(ev, insts, book, tick)
                want = [reference.state(ev, i, book, tick) for i in insts]
                assert got == want, (book, ev.k, tick)
                for st in want:
                    if st is None:
                        seen["removed"] += 1
                        continue
                    seen["suspended"] += st.suspended
                    seen["opening" if st.version < 0 else "moved"] += 1
                    seen["no_price"] += st.suspended and all(c == 0 for c, _ in st.outcomes)
                    seen["placeholder"] += book == "bet9ja" and any(c == 0 for c, _ in st.outcomes)
    assert all(n > 0 for n in seen.values()), seen


def test_fragment_cache_generations() -> None:
    cache = FragmentCache(period=10)
    renders: list[str] = []

    def render(name: str) -> str:
        renders.append(name)
        return name

    cache.at(100).get("a", 1, lambda: render("a1"))
    cache.at(101).get("b", 1, lambda: render("b1"))
    assert cache.at(105).get("a", 1, lambda: render("a?")) == "a1"  # same period: a hit
    assert cache.at(110).get("a", 1, lambda: render("a?")) == "a1"  # next period: found in the previous one
    assert len(cache) == 2
    cache.at(120)  # "b" was not used during 110..119: dropped now, "a" is in the previous generation
    assert len(cache) == 1
    assert cache.get("b", 1, lambda: render("b2")) == "b2"
    assert cache.get("a", 2, lambda: render("a2")) == "a2"  # a new state re-renders
    assert renders == ["a1", "b1", "b2", "a2"]


def test_compact_bytes() -> None:
    raw = orjson.dumps({"k": "x" * 300})
    small = compact(raw)
    assert small == raw
    assert sys.getsizeof(small) == sys.getsizeof(b"") + len(raw)
