"""The simulator's core: world + market model + clock + caches, shared by the HTTP app and the truth
(which reads the per-tick states through :class:`odds_assets.simulator.truth.BoardStates` and imports
nothing of this module).

Per (book, event, tick) the market states are computed once (all of an event's instances at once,
:meth:`MarketModel.states`) and kept, and so is the latest rendered body per (book, event), so a board
scraped within one tick costs one computation per event; ticks older than ``config.cache_ticks`` are
dropped as the clock moves on. Memory is bounded by the board size: per-event caches hold a few boards'
worth of events, the renderers' part caches (``realistic.FragmentCache``) the parts used in the last one
or two 30-tick periods, the body cache at most ``config.body_cache_mb``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from odds_assets.simulator import realistic
from odds_assets.simulator.config import SimClock, SimulatorConfig
from odds_assets.simulator.markets import EventState, InstanceDef, InstanceState, MarketModel
from odds_assets.simulator.scenario import PlantedTruth, Scenario, parse_scenario
from odds_assets.simulator.truth import board_truth
from odds_assets.simulator.world import BOOKS, SimEvent, World

__all__ = ["EventState", "Simulator"]

T = TypeVar("T")


class Simulator:
    """A seeded, evolving world of three bookmakers' pre-match football boards."""

    def __init__(self, config: SimulatorConfig | None = None, *, clock: SimClock | None = None) -> None:
        from odds_assets.simulator.faults import FaultInjector  # faults imports nothing back

        self.config = config or SimulatorConfig()
        self.clock = clock or SimClock(self.config.frozen_at)
        self.world = World(self.config)
        self.model = MarketModel(self.config.seed, tick_seconds=self.config.tick_seconds,
                                 change_rate=self.config.change_rate, status_rate=self.config.status_rate,
                                 markets_per_event=self.config.markets_per_event)
        if self.config.realistic:
            self.model.universe_share = realistic.UNIVERSE_SHARE
        # Per-event caches hold about two boards' worth (the events on the board now and those that left
        # within the last horizon or so), so a simulator running for days does not pile up departed events.
        n = max(1, int(self.config.events))
        per_event = (1.05 * sum(realistic.REAL_INSTANCES.values()) if self.config.realistic
                     else 3 * 1.2 * self.config.markets_per_event)
        self.model.universe_limit = 2 * n + 200
        self.model.states_limit = max(100_000, int(2.2 * n * per_event))
        self._instances_limit = 3 * (2 * n + 200)
        self.faults = FaultInjector(self.config.seed, self.config.faults)
        self.scenario: Scenario | None = None
        self._lock = threading.RLock()
        self._instances: OrderedDict[tuple[str, int], list[InstanceDef]] = OrderedDict()
        self._ticks: OrderedDict[int, dict[Any, Any]] = OrderedDict()
        self._bodies: OrderedDict[Any, tuple[tuple[Any, ...], bytes]] = OrderedDict()
        self._bodies_bytes = 0
        self.set_scenario(self.config.scenario)

    # ---------------------------------------------------------------- time

    def now(self) -> float:
        return self.clock.now()

    def tick(self, t: float | None = None) -> int:
        return self.world.tick_of(self.now() if t is None else t)

    # ---------------------------------------------------------------- caches

    def _tick_cache(self, tick: int) -> dict[Any, Any]:
        with self._lock:
            cache = self._ticks.get(tick)
            if cache is None:
                cache = {}
                self._ticks[tick] = cache
                while len(self._ticks) > max(1, self.config.cache_ticks):
                    self._ticks.popitem(last=False)
            return cache

    def cached(self, tick: int, key: Any, build: Callable[[], T]) -> T:
        """``build()`` once per (tick, key)."""
        cache = self._tick_cache(tick)
        value: T | None = cache.get(key)
        if value is None:
            value = build()
            cache[key] = value
        return value

    # ---------------------------------------------------------------- scenario

    def set_scenario(self, spec: Any) -> Scenario | None:
        """Switch to the scenario ``spec`` (settings as :func:`~odds_assets.simulator.scenario.parse_scenario`
        takes them; None = no scenario). Every cached state and body is dropped, so the next answer at any
        tick is the new world's; a bad spec raises ``ValueError`` and changes nothing."""
        settings = parse_scenario(spec)
        scenario = None if settings is None else Scenario(settings, self.world, self.model)
        if scenario is not None:
            scenario.episodes()  # drawn now, so a scenario that cannot be planted fails here
        with self._lock:
            self.scenario = scenario
            self.model.scenario = scenario
            self.model._states.clear()
            self._ticks.clear()
            self._bodies.clear()
            self._bodies_bytes = 0
        return scenario

    def planted(self) -> PlantedTruth:
        """The facts the current scenario planted (raises ``ValueError`` without a scenario)."""
        if self.scenario is None:
            raise ValueError("the simulator runs without a scenario: nothing is planted")
        return self.scenario.planted()

    # ---------------------------------------------------------------- world queries

    def instances(self, book: str, ev: SimEvent) -> list[InstanceDef]:
        key = (book, ev.k)
        with self._lock:
            inst = self._instances.get(key)
            if inst is not None:
                self._instances.move_to_end(key)
                return inst
        inst = (realistic.instances(self.model, ev, book) if self.config.realistic
                else self.model.instances(ev, book))
        with self._lock:
            self._instances[key] = inst
            while len(self._instances) > self._instances_limit:
                self._instances.popitem(last=False)
        return inst

    def board(self, book: str, tick: int) -> list[SimEvent]:
        """Events ``book`` lists during ``tick`` (cached per tick)."""
        return self.cached(tick, ("board", book), lambda: self.world.board(book, tick))

    def event_at(self, book: str, k: int | None, tick: int) -> SimEvent | None:
        """Event ``k`` if ``book`` shows it pre-match during ``tick``."""
        if k is None:
            return None
        ev = self.world.event(k)
        if not self.world.on_board(ev, tick) or not self.world.listed(ev, book):
            return None
        return ev

    def event_states(self, book: str, ev: SimEvent, tick: int) -> list[InstanceState | None]:
        """The state of each of ``self.instances(book, ev)`` during ``tick`` (None: removed now), computed
        once per tick (the tick cache keeps these lists, not instance/state pairs)."""
        return self.cached(tick, ("state", book, ev.k),
                           lambda: self.model.states(ev, self.instances(book, ev), book, tick))

    def event_state(self, book: str, ev: SimEvent, tick: int) -> EventState:
        """Every instance ``book`` offers for ``ev`` with its state during ``tick``."""
        return list(zip(self.instances(book, ev), self.event_states(book, ev, tick)))

    def detail_body(self, book: str, ev: SimEvent, tick: int, variant: Any, render: Callable[[], bytes]) -> bytes:
        """A rendered detail, reused across ticks while none of the event's instances changed.

        Most events keep every instance over a tick (≈1 % of instances change per minute), so a
        scraper hitting each new tick mostly gets bytes rendered before. Only the latest body per
        (book, event, variant) is kept, with the full state tuple it was rendered from: a hit is exact
        (never a hash collision) and the cache holds one board's worth of bodies, not every past one
        (bounded in bytes too, oldest first, for events that left the board).
        """
        states = tuple(self.event_states(book, ev, tick))
        key = (book, ev.k, variant)
        with self._lock:
            hit = self._bodies.get(key)
            if hit is not None and hit[0] == states:
                self._bodies.move_to_end(key)
                return hit[1]
        body = realistic.compact(render())  # cached: without orjson's spare capacity
        with self._lock:
            old = self._bodies.pop(key, None)
            if old is not None:
                self._bodies_bytes -= len(old[1])
            self._bodies[key] = (states, body)
            self._bodies_bytes += len(body)
            while self._bodies_bytes > self.config.body_cache_mb * 2**20 and self._bodies:
                _, (_, dropped) = self._bodies.popitem(last=False)
                self._bodies_bytes -= len(dropped)
        return body

    def ground_truth(self, book: str, t: float | None = None) -> dict[int, Any]:
        """What ``book`` shows at time ``t`` (default now), normalised; see :mod:`.truth`."""
        return board_truth(self, book, self.tick(t))

    @staticmethod
    def books() -> tuple[str, ...]:
        return BOOKS
