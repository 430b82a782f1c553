"""Realistic boards: instance sets as large and as busy as the real event details.

A *market instance* is one market type × line as a book's page lists it: a BetPawa (market, row
handicap), a SportyBet market object (id + specifier), a Bet9ja ``KEY[@LINE]`` group of ``O`` entries.
A realistic event of a book carries about as many instances as that book's real capture
(:data:`REAL_INSTANCES`, ±5 % per event): first every catalogue instance the event's universe holds for
the book (the markets the clients map, priced exactly as on light boards), then *extras* — markets
the catalogue does not map, with the ids, keys, specifiers and outcome labels of the real capture
(:mod:`._real_shapes`) and generated prices — up to the event's target. Extras are ordinary instances:
they drift, get suspended and removed, and the ground truth counts them in ``EventOdds.unmapped``.

Light boards (``SimulatorConfig.realistic = False``) keep about ``markets_per_event`` catalogue instances
and no extras, as before.
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from odds_assets.markets.catalogue import MarketSpec, OutcomeSpec
from odds_assets.simulator import _real_shapes as shapes
from odds_assets.simulator._hash import h, normal, uniform
from odds_assets.simulator.markets import InstanceDef, OutcomeDef
from odds_assets.simulator.world import BOOK_INDEX, SimEvent

if TYPE_CHECKING:
    from odds_assets.simulator.markets import MarketModel

T = TypeVar("T")

__all__ = ["B9Extra", "BpExtra", "EXTRA_META", "FragmentCache", "REAL_INSTANCES", "SbExtra", "compact", "fragments",
           "guide_text", "instances", "json_fragment", "player_name"]

#: mapped market instances of the real event detail per book (the catalogue part of a realistic event is
#: capped at about these, the rest of its instances are extras)
REAL_MAPPED = {"betpawa": 117, "sportybet": 166, "bet9ja": 134}
#: share of the non-core catalogue markets in a realistic event's universe (all of them)
UNIVERSE_SHARE = 1.0
#: market instances of the real event detail per book (one event of ../shared/fixtures/real, counted as
#: defined above: BetPawa 118 (market, row handicap) pairs, SportyBet 360 market objects, Bet9ja 221
#: KEY[@LINE] groups)
REAL_INSTANCES = {"betpawa": 118, "sportybet": 360, "bet9ja": 221}

_S_TARGET = 41
_S_WEIGHT = 42
_S_MARGIN = 43
_S_PLAYER = 44
#: extras' spec_index / priority start here (after every catalogue index; they sort after catalogue markets)
EXTRA_BASE = 1000
#: extra lines generated past the real capture's highest line of an Over/Under extra ("total=X.5")
_MAX_EXTRA_LINES = 6


@dataclass(frozen=True, slots=True)
class SbExtra:
    """A SportyBet market object the catalogue does not map, as the real page shows it."""

    market_id: str
    specifier: str | None
    desc: str
    group: str
    group_id: str
    #: (outcome id, desc) of the fixed outcomes
    outcomes: tuple[tuple[str, str], ...]
    #: how many player outcomes follow the fixed ones (goalscorer markets; names generated per event)
    players: int
    #: further keys the real market object carries (``mode``, ``parameters``), in order
    extra: tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True)
class BpExtra:
    """A BetPawa market the catalogue does not map (the real page's only one: a player market)."""

    market_id: str
    name: str
    #: player outcomes (names generated per event); one row of one price each
    players: int


@dataclass(frozen=True, slots=True)
class B9Extra:
    """A Bet9ja ``KEY[@LINE]`` group the catalogue does not map."""

    key: str
    line: str | None
    suffixes: tuple[str, ...]


_TOTAL_RE = re.compile(r"^(?:(?P<pre>.*)\|)?total=(?P<line>\d+\.5)$")


def _sb_templates() -> list[SbExtra]:
    base = [SbExtra(mid, spec, desc, group, shapes.SB_GROUPS[group], outs, players, tuple(extra.items()))
            for mid, spec, desc, group, outs, players, extra in shapes.SB_EXTRAS]
    # Over/Under extras get further lines past the capture's highest, round-robin over the markets, so an
    # event whose catalogue part is small can still reach the real count with plausible instances.
    top: dict[tuple[str, str | None], SbExtra] = {}
    for t in base:
        m = _TOTAL_RE.match(t.specifier or "")
        if m is None or "minsnr" in (t.specifier or "") or len(t.outcomes) != 2:
            continue
        line = m.group("line")
        if [d for _, d in t.outcomes] != [f"Over {line}", f"Under {line}"]:
            continue
        key = (t.market_id, m.group("pre"))
        old = top.get(key)
        if old is None or float(line) > float(_TOTAL_RE.match(old.specifier or "").group("line")):  # type: ignore[union-attr]
            top[key] = t
    more: list[SbExtra] = []
    for step in range(1, _MAX_EXTRA_LINES + 1):
        for (_, pre), t in top.items():
            line = float(_TOTAL_RE.match(t.specifier or "").group("line")) + step  # type: ignore[union-attr]
            text = f"{line:g}"
            spec = f"{pre}|total={text}" if pre else f"total={text}"
            outs = ((t.outcomes[0][0], f"Over {text}"), (t.outcomes[1][0], f"Under {text}"))
            more.append(SbExtra(t.market_id, spec, t.desc, t.group, t.group_id, outs, 0, t.extra))
    return base + more


def _spec(name: str, sportybet_id: int | None, bet9ja_key: str | None, labels: list[str]) -> MarketSpec:
    outcomes = tuple(OutcomeSpec(None, label if sportybet_id else None, None, label if bet9ja_key else None)
                     for label in labels)
    return MarketSpec(name, "FT", None, sportybet_id, bet9ja_key, "none", outcomes)


def _build() -> tuple[dict[str, list[tuple[MarketSpec, Any, tuple[OutcomeDef, ...]]]], dict[str, Any]]:
    templates: dict[str, list[tuple[MarketSpec, Any, tuple[OutcomeDef, ...]]]] = {
        "betpawa": [], "sportybet": [], "bet9ja": []}
    meta: dict[str, Any] = {}
    for i, t in enumerate(_sb_templates()):
        labels = [d for _, d in t.outcomes] + [f"player {j}" for j in range(t.players)]
        spec = _spec(f"x_sportybet_{i}", int(t.market_id), None, labels)
        outs = tuple(OutcomeDef(index=j, bp=None, label=d, sb_id=oid) for j, (oid, d) in enumerate(t.outcomes))
        templates["sportybet"].append((spec, t, outs))
        meta[spec.name] = t
    # BetPawa's unmapped instances are named in the ground truth by their raw key, "betpawa:<market id>",
    # which is the spec's name (see truth.event_truth)
    for market_id, name, players in shapes.BP_EXTRAS:
        bp = BpExtra(market_id, name, players)
        spec = _spec(f"betpawa:{market_id}", None, None, [])
        templates["betpawa"].append((spec, bp, ()))
        meta[spec.name] = bp
    for i, (key, line, suffixes) in enumerate(shapes.B9_EXTRAS):
        b = B9Extra(key, line, suffixes)
        spec = _spec(f"x_bet9ja_{i}", None, key, list(suffixes))
        outs = tuple(OutcomeDef(index=j, bp=None, label=s, sb_id="") for j, s in enumerate(suffixes))
        templates["bet9ja"].append((spec, b, outs))
        meta[spec.name] = b
    return templates, meta


_TEMPLATES, EXTRA_META = _build()
#: EXTRA_META: spec name of an extra -> its SbExtra / B9Extra (the renderers look extras up here)

_SYLLABLES = ("ka", "lo", "mi", "ran", "do", "su", "te", "vi", "ba", "ne", "zo", "gu", "pe", "ri", "han", "li",
              "mar", "co", "sa", "den", "fo", "ye", "wu", "che")


def _word(x: int, n: int) -> str:
    return "".join(_SYLLABLES[(x >> (5 * i)) % len(_SYLLABLES)] for i in range(n)).capitalize()


def player_name(seed: int, ev: SimEvent, j: int, team: str) -> str:
    """A generated player label in the books' "Surname, Given (Team)" style."""
    x = h(seed, _S_PLAYER, ev.k, j)
    return f"{_word(x, 2 + x % 2)}, {_word(x >> 20, 2)} ({team})"


def guide_text(name: str) -> str:
    """Generated explanatory prose for a market, about as long as the books' own (the wording is ours)."""
    return (f"{name}: predict the outcome for the stated period. Regular time only (90 minutes and stoppage "
            "time), no extra time or penalties.")


_JITTER = tuple(math.exp(0.3 * (n / 15.0 - 0.5)) for n in range(16))
_BASE_WEIGHTS: dict[tuple[int, str, int], tuple[float, ...]] = {}


def _base_weights(seed: int, book: str, i: int, n: int) -> tuple[float, ...]:
    key = (seed, book, i)
    w = _BASE_WEIGHTS.get(key)
    if w is None or len(w) != n:
        w = _BASE_WEIGHTS[key] = tuple(math.exp(0.8 * normal(seed, _S_WEIGHT, BOOK_INDEX[book], i, j))
                                       for j in range(n))
    return w


def _extra_instance(seed: int, ev: SimEvent, book: str, i: int, spec: MarketSpec, t: Any,
                    fixed: tuple[OutcomeDef, ...]) -> InstanceDef:
    bi = BOOK_INDEX[book]
    outcomes = fixed
    if isinstance(t, (SbExtra, BpExtra)) and t.players:
        home, away = ev.team_names(book)
        n = len(fixed)
        # SportyBet: "Surname, Given (Team)" with an SR player id; BetPawa: "Given Surname", the side in sb_id
        outcomes = fixed + tuple(
            OutcomeDef(index=n + j, bp=None,
                       label=player_name(seed, ev, j, home if j % 2 == 0 else away) if isinstance(t, SbExtra)
                       else " ".join(reversed(player_name(seed, ev, j, "").split(" (")[0].split(", "))),
                       sb_id=f"sr:player:{100_000 + h(seed, _S_PLAYER, ev.k, j, 1) % 2_900_000}"
                       if isinstance(t, SbExtra) else str(1 + j % 2))
            for j in range(t.players))
    # opening probabilities: the template's own (per seed), each moved by up to ±15 % per event from one
    # hash (4 bits per outcome), then normalised
    base = _base_weights(seed, book, i, len(outcomes))
    x = h(seed, _S_WEIGHT, ev.k, i, bi)
    weights = [w * _JITTER[(x >> (4 * (j % 16))) & 15] for j, w in enumerate(base)]
    total = sum(weights)
    probs = tuple(w / total for w in weights)
    margin = 1.04 + 0.10 * uniform(seed, _S_MARGIN, ev.k, i, bi)
    return InstanceDef(spec=spec, spec_index=EXTRA_BASE + i, line_q=None, outcomes=outcomes, probs=probs,
                       margin=margin, key=h(seed, ev.k, EXTRA_BASE + i, 999, bi), priority=EXTRA_BASE + i)


def targets(seed: int, ev: SimEvent, book: str) -> tuple[int, int]:
    """(mapped, all) instances ``book`` shows for ``ev`` on a realistic board before removals: the real
    capture's counts times one factor in [0.95, 1.05) per event and book."""
    f = 0.95 + 0.1 * uniform(seed, _S_TARGET, ev.k, BOOK_INDEX[book])
    return round(REAL_MAPPED[book] * f), round(REAL_INSTANCES[book] * f)


def instances(model: MarketModel, ev: SimEvent, book: str) -> list[InstanceDef]:
    """The realistic instance set: the first catalogue instances of the event's (full) universe for the
    book, up to the mapped target, then extras (in the real page's order) up to the total target."""
    mapped, total = targets(model.seed, ev, book)
    base = model.instances(ev, book, budget=mapped)
    room = total - len(base)
    extras = [_extra_instance(model.seed, ev, book, i, spec, t, outs)
              for i, (spec, t, outs) in enumerate(_TEMPLATES[book][:max(0, room)])]
    return base + extras


class FragmentCache:
    """Rendered page parts (typically ``orjson.Fragment``: pre-serialised JSON), each kept while the state
    it was rendered from is unchanged: one entry per key (the latest state only), so an event whose
    instances did not move costs a lookup per part instead of a render.

    Entries live in two generations: a lookup moves its entry into the current one, and every ``period``
    ticks (see :meth:`at`) the previous generation is dropped and the current one becomes the previous.
    So a part used at least once per ``period`` ticks stays (a scraper at any cadence up to ``period``
    minutes keeps the whole board warm), and parts of events that left the board go within two periods
    instead of piling up. ``limit`` entries is a safety net (cleared past it)."""

    def __init__(self, limit: int = 1_500_000, period: int = 30) -> None:
        self.limit = limit
        self.period = period
        self._parts: dict[Hashable, tuple[Any, Any]] = {}
        self._old: dict[Hashable, tuple[Any, Any]] = {}
        self._since: int | None = None
        #: parts shared by many keys (a renderer's own use, e.g. SportyBet's market frames); never rotated
        self.shared: dict[Any, Any] = {}

    def at(self, tick: int) -> FragmentCache:
        """Note the tick being rendered (rotating the generations when ``period`` ticks have passed)."""
        if self._since is None or not self._since <= tick < self._since + self.period:
            if self._since is not None:
                self._old = self._parts
                self._parts = {}
            self._since = tick
        return self

    def get(self, key: Hashable, state: Any, render: Callable[[], T]) -> T:
        """The part of ``key`` rendered from ``state`` (``render()`` on a miss)."""
        hit = self._parts.get(key)
        if hit is None:
            hit = self._old.pop(key, None)
            if hit is not None:
                self._parts[key] = hit
        if hit is not None and (hit[0] is state or hit[0] == state):
            return hit[1]  # type: ignore[no-any-return]
        part = render()
        if len(self._parts) >= self.limit:
            self._parts.clear()
        self._parts[key] = (state, part)
        return part

    def __len__(self) -> int:
        return len(self._parts) + len(self._old)


def compact(data: bytes) -> bytes:
    """``data`` copied into a bytes object of exactly its length.

    ``orjson.dumps`` returns its output buffer as is: a 300-byte result occupies about 4 KiB, a 300 KiB
    one up to twice its length. Anything kept in a cache is copied once so the cache holds its bytes only
    (measured: fragments took 13x their length before)."""
    return memoryview(data).tobytes()


def json_fragment(value: Any) -> orjson.Fragment:
    """``value`` serialised once (compact bytes), to be embedded as is in a larger ``orjson.dumps``."""
    return orjson.Fragment(compact(orjson.dumps(value)))


_CACHES: weakref.WeakKeyDictionary[Any, dict[str, FragmentCache]] = weakref.WeakKeyDictionary()


def fragments(sim: Any, book: str, tick: int) -> FragmentCache:
    """The fragment cache of one simulator and book, rendering ``tick`` (fragments depend on the
    simulator's config, so two simulators in one process never share them)."""
    per_sim = _CACHES.get(sim)
    if per_sim is None:
        per_sim = _CACHES[sim] = {}
    cache = per_sim.get(book)
    if cache is None:
        cache = per_sim[book] = FragmentCache()
    return cache.at(tick)
