"""Scenarios: a simulated world with planted facts that market analytics must recover.

Without a scenario (the default) the simulator behaves as before: each book moves each of its market
instances on its own and prices it at a random margin of 3–12 %. With a scenario every book prices one
*true probability path* per event × market × line, and the facts below are planted (all of them pure
functions of ``(seed, scenario, tick)``, reported by :meth:`Scenario.planted` and ``GET /_sim/scenario``):

- **True path.** An instance's true probabilities are its opening probabilities (the same model as
  without a scenario, shared by the three books) until its first *move*; a move happens at the ticks the
  change rate draws for the event × market × line (not per book) and sets every outcome's probability to
  its opening value × exp(1.25 % × u), u = ±(0.5 … 1) (hashed sign and size), scaled back to the opening sum. Then each
  probability is kept in [0.25 %, 94 %] (moved into the range, the excess spread over the others, the sum
  kept), so no price runs into the books' odds limits. A market the catalogue derives from an underlying
  partition (double chance from 1X2, ``MarginRule.underlying``) has no path of its own: its probabilities
  are the underlying's, summed per the rule's composition (P(1X) = P(1) + P(X)).
- **Planted margin** per book × market type: a book prices an instance whose true probabilities p_i sum
  to k (1, or 2 for double chance) at odds 1/r_i rounded to the cent, with r_i = p_i^a and a chosen so
  that Σ r_i = k·(1 + margin), rounded as :func:`margin_cents` rounds (to the cent, carrying the rounding
  error over to the longer odds, so the booksum stays k·(1 + margin)): the margin by the catalogue's rule
  (Σ 1/odds / k − 1) is the planted one up to half a cent-step of the longest odds, and the power method of
  margin removal gives back p_i (so the competitors' fair price is the true probability, up to the
  rounding). ``margins`` sets them per book: a number (every type) or a mapping of market type (catalogue
  name or BetPawa id) to number, with ``"*"`` for the rest; an unset one is drawn in [4 %, 9 %] from
  ``hash(seed, book, type)``. Allowed: 3–15 % (below 3 % the moves alone could open cross-book
  arbitrages).
- **Lead book and lags** per market type: the lead book (SportyBet or Bet9ja; ``lead``: a mapping of
  market type to book with ``"*"`` for the rest, unset ones drawn from the hash) shows a move at the
  tick it happens; the other competitor ``follower_lag_minutes`` later; BetPawa ``betpawa_lag_minutes``
  (N) later on the share ``betpawa_lag_share`` of events (drawn per event from the hash) and
  ``betpawa_other_lag_minutes`` (default 0: in the same tick as the lead book) on the others. A book
  lagging by L ticks shows at tick t the path as it was at t − L; lags are whole ticks.
- **Planted exposures** (``arbitrages``: ``count`` episodes with starts in [``from``, ``to``), each
  ``min_minutes``–``max_minutes`` long, target ``edge``): on an event listed by all three books during
  the whole episode, an instance all three offer with the type's complete outcome set (a mutually
  exclusive market type without an underlying one), BetPawa prices its likeliest outcome at odds raised
  for the ticks [start, end): the cent at or above both (1 + edge) / p and 1 / (1 − 1 % − S), p the
  competitors' mean true probability and S the best (lowest) 1/odds over the three books of the other
  outcomes, at every tick of the episode, so BetPawa's edge is at least ``edge`` and the best prices
  across books imply at most 99 %. During an episode the instance is active and fully priced at all
  three books. Outside episodes no BetPawa outcome has an edge above 3 % nor is part of a cross-book
  arbitrage: moves set a probability within e^{±1.25 %} of the opening before scaling back to the sum
  (which changes little: the first two outcomes move in opposite directions), so two versions of a price
  differ by at most ~3 %, less than a book's margin on the outcome plus the 3 % threshold (the tests hold
  it with every margin at 3 % and BetPawa 10 minutes late). A move is still at least 1 % of the
  probability at every book when its sign flips (who-moves-first counts moves of 1 %).

Only markets with a BetPawa id (the ones in the ground truth) are priced this way; the markets a book
serves without one (unmapped, for realism) keep the model without a scenario. Times in settings are
epoch seconds or ISO-8601 (naive = UTC); minutes must be whole ticks.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import orjson

from odds_assets.markets.catalogue import CATALOGUE, MarketSpec
from odds_assets.simulator._hash import h, mix, str_key, uniform
from odds_assets.simulator.config import parse_time
from odds_assets.simulator.markets import InstanceDef, InstanceState, MarketModel, line_str
from odds_assets.simulator.world import BOOKS, SimEvent, World

__all__ = [
    "COMPETITORS",
    "ArbitrageSettings",
    "PlantedEpisode",
    "PlantedTruth",
    "Scenario",
    "ScenarioSettings",
    "parse_scenario",
]

COMPETITORS: tuple[str, ...] = ("sportybet", "bet9ja")
#: a move multiplies a probability by exp(MOVE × u), u in [−1, 1], before scaling back to the sum
MOVE = 0.0125
P_LO, P_HI = 0.0025, 0.94
MARGIN_RANGE = (0.03, 0.15)
DEFAULT_MARGINS = (0.04, 0.09)
#: the best prices across books of a planted arbitrage imply at most 1 − ARB_SLACK
ARB_SLACK = 0.01

_S_PATH = 61
_S_MOVE = 62
_S_MARGIN = 63
_S_LEAD = 64
_S_LAGEV = 65
_S_EPISODE = 66
_S_NOISE = 29  # the market model's outcome-noise stream (placeholders), shared on purpose
_MIN_CENTS = 102
_M64 = (1 << 64) - 1
_ONE_OVER_2_53 = 1.0 / 9007199254740992.0
_HALF_MOVE = MOVE / 2
_SALTS = tuple(((j + 1) * 0x9E3779B97F4A7C15) & ((1 << 64) - 1) for j in range(64))
_MAX_CENTS = 50_000

_BY_NAME: dict[str, tuple[int, MarketSpec]] = {m.name: (i, m) for i, m in enumerate(CATALOGUE)}
_BY_BP_ID: dict[int, str] = {m.betpawa_id: m.name for m in CATALOGUE if m.betpawa_id is not None}


def _type_name(key: Any) -> str:
    """A market type's catalogue name from its name or its BetPawa id (int or numeric string)."""
    text = str(key).strip()
    if text in _BY_NAME:
        return text
    if text.isdigit() and int(text) in _BY_BP_ID:
        return _BY_BP_ID[int(text)]
    raise ValueError(f"scenario: unknown market type {key!r} (a catalogue name or a BetPawa market id)")


def _per_type(raw: Any, what: str, check: Any) -> dict[str, Any]:
    """A number/book for every type, or a mapping type -> value with "*" for the rest."""
    if isinstance(raw, dict):
        out: dict[str, Any] = {}
        for k, v in raw.items():
            out["*" if k == "*" else _type_name(k)] = check(v, f"{what}[{k}]")
        return out
    return {"*": check(raw, what)}


def _margin(v: Any, where: str) -> float:
    x = float(v)
    lo, hi = MARGIN_RANGE
    if not lo <= x <= hi:
        raise ValueError(f"scenario: margin {where}={v} is outside [{lo}, {hi}]")
    return x


def _competitor(v: Any, where: str) -> str:
    if v not in COMPETITORS:
        raise ValueError(f"scenario: lead {where}={v!r} must be one of {list(COMPETITORS)}")
    return str(v)


def _minutes(v: Any, where: str) -> float:
    x = float(v)
    if x < 0:
        raise ValueError(f"scenario: {where}={v} must not be negative")
    return x


@dataclass(frozen=True, slots=True)
class ArbitrageSettings:
    """Where and how the planted exposure episodes are drawn (see the module docstring)."""

    count: int
    start: float
    end: float
    min_minutes: float = 3.0
    max_minutes: float = 10.0
    edge: float = 0.08

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "from": _iso(self.start), "to": _iso(self.end),
                "min_minutes": self.min_minutes, "max_minutes": self.max_minutes, "edge": self.edge}


@dataclass(frozen=True, slots=True)
class ScenarioSettings:
    """A scenario's settings, as given (the unset margins and leads are drawn when it is bound)."""

    margins: dict[str, dict[str, float]] = field(default_factory=dict)
    lead: dict[str, str] = field(default_factory=dict)
    follower_lag_minutes: float = 2.0
    betpawa_lag_minutes: float = 5.0
    betpawa_lag_share: float = 0.5
    betpawa_other_lag_minutes: float = 0.0
    arbitrages: ArbitrageSettings | None = None

    def to_json(self) -> dict[str, Any]:
        return {"margins": self.margins, "lead": self.lead, "follower_lag_minutes": self.follower_lag_minutes,
                "betpawa_lag_minutes": self.betpawa_lag_minutes, "betpawa_lag_share": self.betpawa_lag_share,
                "betpawa_other_lag_minutes": self.betpawa_other_lag_minutes,
                "arbitrages": None if self.arbitrages is None else self.arbitrages.to_json()}


_KEYS = {"margins", "lead", "follower_lag_minutes", "betpawa_lag_minutes", "betpawa_lag_share",
         "betpawa_other_lag_minutes", "arbitrages"}
_ARB_KEYS = {"count", "from", "to", "min_minutes", "max_minutes", "edge"}


def parse_scenario(spec: Any) -> ScenarioSettings | None:
    """Scenario settings from a mapping or JSON text (``None``/``"off"`` = no scenario; ``{}`` = a
    scenario with every default). Raises ``ValueError`` naming the bad setting."""
    if spec is None or isinstance(spec, ScenarioSettings):
        return spec
    if isinstance(spec, (bytes, str)):
        text = spec.decode() if isinstance(spec, bytes) else spec
        if text.strip().lower() in ("", "off", "none", "null"):
            return None
        if text.strip().lower() in ("on", "default"):
            return ScenarioSettings()
        try:
            spec = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"scenario: not JSON: {exc}") from None
        if spec is None:
            return None
    if not isinstance(spec, dict):
        raise ValueError("scenario: settings must be a JSON object")
    unknown = set(spec) - _KEYS
    if unknown:
        raise ValueError(f"scenario: unknown setting(s) {sorted(unknown)} (known: {sorted(_KEYS)})")
    margins: dict[str, dict[str, float]] = {}
    for book, raw in (spec.get("margins") or {}).items():
        if book not in BOOKS:
            raise ValueError(f"scenario: margins for unknown book {book!r} (one of {list(BOOKS)})")
        margins[book] = _per_type(raw, f"margins.{book}", _margin)
    lead = _per_type(spec["lead"], "lead", _competitor) if spec.get("lead") is not None else {}
    share = float(spec.get("betpawa_lag_share", 0.5))
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"scenario: betpawa_lag_share={share} is not in [0, 1]")
    arbs = None
    raw_arbs = spec.get("arbitrages")
    if raw_arbs:
        if not isinstance(raw_arbs, dict) or set(raw_arbs) - _ARB_KEYS or not {"count", "from", "to"} <= set(raw_arbs):
            raise ValueError(f"scenario: arbitrages must be an object with count, from, to and optionally "
                             f"min_minutes, max_minutes, edge (got {raw_arbs!r})")
        arbs = ArbitrageSettings(count=int(raw_arbs["count"]), start=parse_time(raw_arbs["from"]),
                                 end=parse_time(raw_arbs["to"]),
                                 min_minutes=_minutes(raw_arbs.get("min_minutes", 3), "arbitrages.min_minutes"),
                                 max_minutes=_minutes(raw_arbs.get("max_minutes", 10), "arbitrages.max_minutes"),
                                 edge=float(raw_arbs.get("edge", 0.08)))
        if arbs.count < 0 or arbs.end <= arbs.start or arbs.max_minutes < arbs.min_minutes or arbs.min_minutes <= 0:
            raise ValueError(f"scenario: arbitrages need count >= 0, from < to and 0 < min_minutes <= max_minutes "
                             f"(got {raw_arbs!r})")
        if not 0.03 < arbs.edge < 1.0:
            raise ValueError(f"scenario: arbitrages.edge={arbs.edge} must be above 0.03 and below 1")
    return ScenarioSettings(
        margins=margins, lead=lead,
        follower_lag_minutes=_minutes(spec.get("follower_lag_minutes", 2), "follower_lag_minutes"),
        betpawa_lag_minutes=_minutes(spec.get("betpawa_lag_minutes", 5), "betpawa_lag_minutes"),
        betpawa_lag_share=share,
        betpawa_other_lag_minutes=_minutes(spec.get("betpawa_other_lag_minutes", 0), "betpawa_other_lag_minutes"),
        arbitrages=arbs)


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class PlantedEpisode:
    """One planted exposure: BetPawa's raised price of one outcome during ticks [start_tick, end_tick)."""

    sr_event_id: int
    market_id: int
    market: str
    #: the line as stored (Decimal, quarter steps), None for a market without one
    line: Decimal | None
    outcome: str
    start: datetime
    end: datetime
    betpawa_odds: Decimal
    start_tick: int
    end_tick: int
    k: int
    spec_index: int
    line_q: int | None
    #: position of the outcome in BetPawa's instance
    position: int

    def to_json(self) -> dict[str, Any]:
        return {"sr_event_id": self.sr_event_id, "market_id": self.market_id, "market": self.market,
                "line": None if self.line_q is None else line_str(self.line_q), "outcome": self.outcome,
                "start": self.start.strftime("%Y-%m-%dT%H:%M:%SZ"), "end": self.end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "start_tick": self.start_tick, "end_tick": self.end_tick,
                "betpawa_odds": format(self.betpawa_odds, "f")}


@dataclass(frozen=True, slots=True)
class PlantedTruth:
    """What a scenario planted, in the product's terms (BetPawa market ids, UTC datetimes, minutes)."""

    #: (book, market_id) -> planted margin, for every mapped market type
    margins: dict[tuple[str, int], float]
    #: market_id -> the book that shows a move first
    lead: dict[int, str]
    #: market_id -> book -> lag in minutes behind the lead book ("betpawa": on lagging events; the lag on
    #: the other events is ``betpawa_other_lag_minutes``)
    lag_minutes: dict[int, dict[str, float]]
    betpawa_other_lag_minutes: float
    betpawa_lag_share: float
    episodes: tuple[PlantedEpisode, ...]
    scenario: Scenario

    def betpawa_lags(self, sr_event_id: int) -> bool:
        """Whether BetPawa follows moves ``betpawa_lag_minutes`` late on this event."""
        return self.scenario.betpawa_lags(sr_event_id - 50_000_000)


def _clamp_sum(p: list[float]) -> list[float]:
    """Probabilities moved into [P_LO, P_HI], the sum kept (the excess spread over the free ones)."""
    n = len(p)
    if min(p) >= P_LO and max(p) <= P_HI:
        return p
    s = sum(p)
    if n < 2 or not n * P_LO < s < n * P_HI:
        return p
    out = list(p)
    for _ in range(n):
        fixed = [x <= P_LO or x >= P_HI for x in out]
        out = [min(P_HI, max(P_LO, x)) for x in out]
        diff = s - sum(out)
        if abs(diff) < 1e-15:
            break
        free = [x for x, f in zip(out, fixed) if not f and P_LO < x < P_HI]
        room = sum(free)
        if room <= 0:
            break
        scale = 1.0 + diff / room
        out = [x * scale if P_LO < x < P_HI else x for x in out]
    return out


def power_margin(p: list[float], margin: float) -> list[float]:
    """:func:`power_apply` of :func:`power_prepare`."""
    return power_apply(power_prepare(p), margin)


_Prepared = tuple[list[float], list[float], float, float, float]


def power_prepare(p: list[float]) -> _Prepared:
    """What :func:`power_apply` needs of ``p`` whatever the margin (shared by the books pricing one path)."""
    if min(p) <= 0.0:
        return p, [], 0.0, 0.0, sum(p)
    logs = [math.log(x) for x in p]
    return (p, logs, sum(x * lg for x, lg in zip(p, logs)), sum(x * lg * lg for x, lg in zip(p, logs)), sum(p))


def power_apply(prepared: _Prepared, margin: float) -> list[float]:
    """r_i = p_i^a with Σ r_i = (1 + margin)·Σ p_i: Newton on a (the sum is convex and decreasing in a) from
    the root of its second-order expansion around a = 1, to a relative 1e-7, then every r_i scaled by the
    last residual so the sum is exact (a change of the r_i far below a cent)."""
    p, logs, s1, s2, total = prepared
    target = total * (1.0 + margin)
    if len(p) < 2 or target >= len(p) or not logs or s1 >= 0.0:
        return [x * (1.0 + margin) for x in p]
    # start from the root of the second-order expansion Σ p_i (1 + b ln p_i + b² ln² p_i / 2) = target, b = a − 1
    a = 1.0 + (-s1 - math.sqrt(s1 * s1 + 2.0 * s2 * total * margin)) / s2 if s2 > 0 else 1.0 + total * margin / s1
    exp = math.exp
    for _ in range(8):
        rs = [exp(a * lg) for lg in logs]
        tot = sum(rs)
        f = tot - target
        if -1e-7 * target < f < 1e-7 * target:
            break
        slope = sum(r * lg for r, lg in zip(rs, logs))
        if slope >= 0.0:
            break
        a -= f / slope
    scale = target / tot
    return [r * scale for r in rs]


def margin_cents(r: list[float]) -> list[int]:
    """Odds in cents for implied probabilities ``r``, rounded the way a book keeping its margin rounds:
    shortest odds first, each to the cent nearest 1 / (r_i − its share of the rounding error so far), the
    share being r_i over the r of the outcomes not yet rounded, so the longest odds take up the rest and
    the booksum misses Σ r_i by at most half a cent-step of the longest odds in 1/odds terms (a few
    thousandths of a point for most markets; rounding each price to its nearest cent would let the errors
    add up to tenths of a point on short favourites). Every price moves by the same small relative amount
    (the error over the rest's Σ r), so an outcome's own margin is kept. Odds stay within [1.02, 500]."""
    order = sorted(range(len(r)), key=r.__getitem__, reverse=True)
    out = [0] * len(r)
    rest = sum(r)
    drift = 0.0  # realised minus wanted Σ 1/odds so far
    for i in order:
        want = r[i] - drift * r[i] / rest if rest > 0 else r[i]
        cents = min(_MAX_CENTS, max(_MIN_CENTS, int(round(100.0 / want)) if want > 0 else _MAX_CENTS))
        out[i] = cents
        drift += 100.0 / cents - r[i]
        rest -= r[i]
    return out


class Scenario:
    """A scenario bound to a world and market model (``MarketModel.state`` asks it for every state)."""

    def __init__(self, settings: ScenarioSettings, world: World, model: MarketModel) -> None:
        self.settings = settings
        self.world = world
        self.model = model
        self.seed = world.seed
        self.tick_seconds = world.tick_seconds
        self.follower_lag = self._ticks(settings.follower_lag_minutes, "follower_lag_minutes")
        self.betpawa_lag = self._ticks(settings.betpawa_lag_minutes, "betpawa_lag_minutes")
        self.betpawa_other_lag = self._ticks(settings.betpawa_other_lag_minutes, "betpawa_other_lag_minutes")
        arbs = settings.arbitrages
        if arbs is not None:
            self._ticks(arbs.min_minutes, "arbitrages.min_minutes")
            self._ticks(arbs.max_minutes, "arbitrages.max_minutes")
        self._lock = threading.RLock()
        self._margins: dict[tuple[str, str], float] = {}
        self._leads: dict[str, str] = {}
        self._paths: dict[tuple[int, int, int, int], list[float]] = {}
        self._states: dict[int, tuple[tuple[Any, ...], InstanceState]] = {}
        self._keys: dict[int, tuple[int, int, float]] = {}
        self._prepared: dict[tuple[int, ...], _Prepared] = {}
        self._sources: dict[int, tuple[int, MarketSpec, tuple[tuple[int, ...], ...] | None]] = {}
        self._episodes: tuple[PlantedEpisode, ...] | None = None
        self._by_instance: dict[tuple[int, int, int], PlantedEpisode] = {}
        self._generating = False

    def _ticks(self, minutes: float, what: str) -> int:
        ticks = minutes * 60.0 / self.tick_seconds
        if abs(ticks - round(ticks)) > 1e-9:
            raise ValueError(f"scenario: {what}={minutes} is not a whole number of {self.tick_seconds}-second ticks")
        return int(round(ticks))

    # ---------------------------------------------------------------- planted facts

    def margin(self, book: str, name: str) -> float:
        """The planted margin of ``book`` on the market type ``name`` (catalogue name)."""
        key = (book, name)
        m = self._margins.get(key)
        if m is None:
            given = self.settings.margins.get(book, {})
            m = given.get(name, given.get("*"))
            if m is None:
                lo, hi = DEFAULT_MARGINS
                m = lo + (hi - lo) * uniform(self.seed, _S_MARGIN, BOOKS.index(book), str_key(name))
                m = round(m, 4)
            self._margins[key] = m
        return m

    def lead(self, name: str) -> str:
        """The competitor that shows the market type's moves first."""
        book = self._leads.get(name)
        if book is None:
            book = self.settings.lead.get(name, self.settings.lead.get("*"))
            if book is None:
                book = COMPETITORS[h(self.seed, _S_LEAD, str_key(name)) % 2]
            self._leads[name] = book
        return book

    def betpawa_lags(self, k: int) -> bool:
        """Whether BetPawa follows moves ``betpawa_lag_minutes`` late on event ``k``."""
        return uniform(self.seed, _S_LAGEV, k) < self.settings.betpawa_lag_share

    def lag_ticks(self, book: str, name: str, k: int) -> int:
        """How many ticks after the lead book ``book`` shows a move of type ``name`` on event ``k``."""
        if book == "betpawa":
            return self.betpawa_lag if self.betpawa_lags(k) else self.betpawa_other_lag
        return 0 if book == self.lead(name) else self.follower_lag

    # ---------------------------------------------------------------- true path

    def _source(self, spec: MarketSpec, si: int) -> tuple[int, MarketSpec, tuple[tuple[int, ...], ...] | None]:
        """The path an instance's type follows: its own, or its underlying market's, with per outcome of
        the type the underlying outcomes (positions) it is the union of (cached per type)."""
        src = self._sources.get(si)
        if src is None:
            src = (si, spec, None)
            rule = getattr(spec, "margin", None)
            if rule is not None and rule.underlying and rule.composition and rule.underlying in _BY_NAME:
                comp = dict(rule.composition)
                ui, uspec = _BY_NAME[rule.underlying]
                index = {o.betpawa: j for j, o in enumerate(uspec.outcomes)}
                if all(o.betpawa in comp and all(u in index for u in comp[o.betpawa]) for o in spec.outcomes):
                    src = (ui, uspec, tuple(tuple(index[u] for u in comp[o.betpawa]) for o in spec.outcomes))
            self._sources[si] = src
        return src

    def _entry_key(self, k: int, si: int, q: int | None) -> int:
        return h(self.seed, _S_PATH, k, si, q if q is not None else 999)

    def _moved(self, base: list[float] | tuple[float, ...], index: list[int], entry: int, version: int) -> list[float]:
        """``base`` (probabilities of the outcomes at positions ``index`` of their type) at a path version:
        each times exp(MOVE × u), u uniform in [−1, 1] from (entry, version, outcome), scaled back to the
        sum, then kept in [P_LO, P_HI]."""
        p = list(base)
        if version >= 0:
            x = h(self.seed, _S_MOVE, entry, version)
            # u = ±(0.5 … 1): the outcome's sign from the hash (so the first two outcomes' signs differ and a
            # two-way market never moves both ways at once, which scaling back to the sum would undo)
            moved = []
            exp = math.exp
            for b, j in zip(base, index):
                y = (((x ^ _SALTS[j % 64]) * 0xBF58476D1CE4E5B9) & _M64) >> 11
                size = _HALF_MOVE + _HALF_MOVE * y * _ONE_OVER_2_53
                moved.append(b * exp(size if ((x >> (0 if j < 2 else j % 60)) ^ (j == 1)) & 1 else -size))
            scale = sum(base) / sum(moved)
            p = [m * scale for m in moved]
        return _clamp_sum(p)

    def _underlying(self, ev: SimEvent, si: int, spec: MarketSpec, q: int | None, version: int) -> list[float]:
        """True probabilities of every outcome of an underlying type (the path a derived type sums)."""
        qk = q if q is not None else 999
        key = (ev.k, si, qk, version)
        p = self._paths.get(key)
        if p is None:
            base = [max(1e-4, x) for x in self.model._probabilities(ev, si, spec, q)]
            p = self._moved(base, list(range(len(base))), self._entry_key(ev.k, si, q), version)
            if len(self._paths) > 200_000:
                self._paths.clear()
            self._paths[key] = p
        return p

    def _true_probs(self, ev: SimEvent, inst: InstanceDef, version: int) -> list[float]:
        """True probabilities of the instance's outcomes (as the book lists them) at a path version: its own
        opening probabilities moved, or its underlying type's summed per the composition."""
        si, spec, parts = self._source(inst.spec, inst.spec_index)
        if parts is None:
            return self._moved(inst.probs, [o.index for o in inst.outcomes], self._entry_key(ev.k, si, inst.line_q),
                               version)
        full = self._underlying(ev, si, spec, inst.line_q, version)
        return [sum(full[u] for u in parts[o.index]) for o in inst.outcomes]

    def _version(self, ev: SimEvent, inst: InstanceDef, book: str, tick: int) -> tuple[int, int]:
        """(path version the book shows at ``tick``, the tick the book showed it from)."""
        fixed = self._keys.get(inst.key)
        if fixed is None:
            si, _, _ = self._source(inst.spec, inst.spec_index)
            fixed = (self._entry_key(ev.k, si, inst.line_q), self.lag_ticks(book, inst.spec.name, ev.k),
                     self.margin(book, inst.spec.name))
            if len(self._keys) > 2_000_000:
                self._keys.clear()
            self._keys[inst.key] = fixed
        entry, lag, _ = fixed
        v = self.model._last_change(entry, tick - lag, ev.appear_at // self.tick_seconds)
        return v, (v + lag if v >= 0 else -1)

    # ---------------------------------------------------------------- states

    def state(self, ev: SimEvent, inst: InstanceDef, book: str, tick: int) -> InstanceState | None:
        """The instance at ``tick`` under the scenario (``MarketModel.state``'s contract)."""
        if self.settings.arbitrages is None:
            return self._state(ev, inst, book, tick, None, None)
        ep = self.episode_of(ev.k, inst.spec_index, inst.line_q)
        active = ep is not None and ep.start_tick <= tick < ep.end_tick
        return self._state(ev, inst, book, tick, ep if active else None, ep)

    def _state(self, ev: SimEvent, inst: InstanceDef, book: str, tick: int, active: PlantedEpisode | None,
               planted: PlantedEpisode | None) -> InstanceState | None:
        model = self.model
        appear = ev.appear_at // self.tick_seconds
        status = 0 if active is not None else model._status(inst.key, tick, appear)
        if status == 3:
            return None
        fixed = self._keys.get(inst.key)
        if fixed is None:
            si, _, _ = self._source(inst.spec, inst.spec_index)
            fixed = (self._entry_key(ev.k, si, inst.line_q), self.lag_ticks(book, inst.spec.name, ev.k),
                     self.margin(book, inst.spec.name))
            if len(self._keys) > 2_000_000:
                self._keys.clear()
            self._keys[inst.key] = fixed
        version = model._last_change(fixed[0], tick - fixed[1], appear)
        shown = version + fixed[1] if version >= 0 else -1
        raised = 0
        if book == "betpawa" and planted is not None and tick >= planted.start_tick:
            # BetPawa's price changed at the episode's start and again at its end
            shown = max(shown, planted.start_tick if tick < planted.end_tick else planted.end_tick)
            if active is not None:
                raised = int(active.betpawa_odds * 100)
        sig = (version, shown, status, active is not None, raised)
        cached = self._states.get(inst.key)
        if cached is not None and cached[0] == sig:
            return cached[1]
        outs0 = inst.outcomes
        pkey = (fixed[0], version, inst.spec_index, len(outs0), outs0[0].index, outs0[-1].index)
        prepared = self._prepared.get(pkey)
        if prepared is None:
            prepared = power_prepare(self._true_probs(ev, inst, version))
            if len(self._prepared) > 300_000:
                self._prepared.clear()
            self._prepared[pkey] = prepared
        r = power_apply(prepared, fixed[2])
        base = h(self.seed, _S_NOISE, inst.key, version)
        outs: list[tuple[int, bool]] = []
        for pos, (o, cents) in enumerate(zip(inst.outcomes, margin_cents(r))):
            if raised and pos == active.position:  # type: ignore[union-attr]
                cents = raised
            if status == 2:
                outs.append((0, False))
            elif status == 1:
                outs.append((cents, False))
            elif active is not None:
                outs.append((cents, True))
            else:
                # a multiplicative hash of (state, outcome) in [0, 1): 0.4 % no price, 0.4 % not bettable
                u = ((((base ^ _SALTS[o.index % 64]) * 0xBF58476D1CE4E5B9) & _M64) >> 40) / 16777216.0
                if u < 0.004:
                    outs.append((0, False))
                elif u < 0.008:
                    outs.append((cents, False))
                else:
                    outs.append((cents, True))
        if book == "bet9ja":
            outs = [(c, a) if a else (0, False) for c, a in outs]
        st = InstanceState(suspended=status in (1, 2), version=shown, outcomes=tuple(outs))
        if len(self._states) > 2_000_000:
            self._states.clear()
        self._states[inst.key] = (sig, st)
        return st

    # ---------------------------------------------------------------- planted episodes

    def episode_of(self, k: int, si: int, q: int | None) -> PlantedEpisode | None:
        """The planted episode on an event's market × line, if any."""
        if self.settings.arbitrages is None or self._generating:
            return None
        if self._episodes is None:
            self.episodes()
        return self._by_instance.get((k, si, q if q is not None else 999))

    def episodes(self) -> tuple[PlantedEpisode, ...]:
        """Every planted episode, by start (drawn once, a pure function of seed and settings)."""
        with self._lock:
            if self._episodes is None:
                self._generating = True
                try:
                    eps = self._draw_episodes()
                finally:
                    self._generating = False
                self._by_instance = {(e.k, e.spec_index, e.line_q if e.line_q is not None else 999): e for e in eps}
                self._episodes = eps
            return self._episodes

    def _draw_episodes(self) -> tuple[PlantedEpisode, ...]:
        arbs = self.settings.arbitrages
        if arbs is None or arbs.count == 0:
            return ()
        world = self.world
        lo = world.tick_of(arbs.start)
        hi = max(lo + 1, world.tick_of(arbs.end))
        dmin, dmax = self._ticks(arbs.min_minutes, "min"), self._ticks(arbs.max_minutes, "max")
        used: set[int] = set()
        out: list[PlantedEpisode] = []
        for i in range(arbs.count):
            for attempt in range(200):
                x = h(self.seed, _S_EPISODE, i, attempt)
                start = lo + mix(x) % (hi - lo)
                end = start + dmin + mix(x + 1) % (dmax - dmin + 1)
                events = [ev for ev in world.board("betpawa", start)
                          if ev.k not in used and all(world.listed(ev, b) for b in COMPETITORS)
                          and ev.appear_at <= world.tick_start(start) and ev.kickoff > world.tick_start(end + 10)]
                if not events:
                    continue
                ev = events[mix(x + 2) % len(events)]
                ep = self._plant(ev, start, end, mix(x + 3), arbs.edge)
                if ep is not None:
                    used.add(ev.k)
                    out.append(ep)
                    break
            else:
                raise ValueError(f"scenario: could not plant arbitrage {i + 1} of {arbs.count} between "
                                 f"{_iso(arbs.start)} and {_iso(arbs.end)} (no event on all three boards throughout)")
        out.sort(key=lambda e: (e.start_tick, e.sr_event_id))
        return tuple(out)

    def _plant(self, ev: SimEvent, start: int, end: int, pick: int, edge: float) -> PlantedEpisode | None:
        per_book = {b: {(i.spec_index, i.line_q): i for i in self.model.instances(ev, b)} for b in BOOKS}
        candidates = []
        for key, inst in per_book["betpawa"].items():
            spec = inst.spec
            rule = getattr(spec, "margin", None)
            if spec.betpawa_id is None or rule is None or rule.covers != 1 or rule.underlying is not None:
                continue
            labels = [o.betpawa for o in spec.outcomes if o.betpawa is not None]
            if len(labels) < 2 or len(labels) != len(spec.outcomes):
                continue
            if all(key in per_book[b] and len(per_book[b][key].outcomes) == len(labels) for b in COMPETITORS):
                candidates.append(key)
        candidates.sort(key=lambda kq: (kq[0], kq[1] if kq[1] is not None else 999))
        for j in range(len(candidates)):
            key = candidates[(pick + j) % len(candidates)]
            insts = {b: per_book[b][key] for b in BOOKS}
            bp = insts["betpawa"]
            need = 0.0
            probs0 = self._true_probs(ev, bp, self._version(ev, bp, "sportybet", start)[0])
            pos = max(range(len(probs0)), key=lambda n: probs0[n])
            ok = True
            for t in range(start, end):
                states = {b: self._state(ev, insts[b], b, t, _FORCE, None) for b in BOOKS}
                fair = [self._true_probs(ev, insts[b], self._version(ev, insts[b], b, t)[0]) for b in COMPETITORS]
                p = sum(f[pos] for f in fair) / len(fair)
                others = 0.0
                for n in range(len(bp.outcomes)):
                    if n != pos:
                        others += min(100.0 / states[b].outcomes[n][0] for b in BOOKS)  # type: ignore[union-attr]
                room = 1.0 - ARB_SLACK - others
                if room <= 0.05:
                    ok = False
                    break
                need = max(need, (1.0 + edge) / p, 1.0 / room)
            if not ok or need > 50:
                continue
            cents = int(math.ceil(need * 100.0 - 1e-9))
            spec = bp.spec
            assert spec.betpawa_id is not None
            return PlantedEpisode(
                sr_event_id=ev.sr_id, market_id=spec.betpawa_id, market=spec.name,
                line=None if bp.line_q is None else Decimal(bp.line_q) / 4,
                outcome=str(bp.outcomes[pos].bp),
                start=datetime.fromtimestamp(self.world.tick_start(start), tz=timezone.utc),
                end=datetime.fromtimestamp(self.world.tick_start(end), tz=timezone.utc),
                betpawa_odds=Decimal(cents).scaleb(-2), start_tick=start, end_tick=end, k=ev.k,
                spec_index=bp.spec_index, line_q=bp.line_q, position=pos)
        return None

    # ---------------------------------------------------------------- reports

    def planted(self) -> PlantedTruth:
        """The planted facts for every mapped market type, and the episodes."""
        margins: dict[tuple[str, int], float] = {}
        lead: dict[int, str] = {}
        lags: dict[int, dict[str, float]] = {}
        minute = self.tick_seconds / 60.0
        for m in CATALOGUE:
            if m.betpawa_id is None:
                continue
            for b in BOOKS:
                margins[(b, m.betpawa_id)] = self.margin(b, m.name)
            lead[m.betpawa_id] = self.lead(m.name)
            lags[m.betpawa_id] = {b: (0.0 if b == lead[m.betpawa_id] else self.follower_lag * minute)
                                  for b in COMPETITORS}
            lags[m.betpawa_id]["betpawa"] = self.betpawa_lag * minute
        return PlantedTruth(margins=margins, lead=lead, lag_minutes=lags,
                            betpawa_other_lag_minutes=self.betpawa_other_lag * minute,
                            betpawa_lag_share=self.settings.betpawa_lag_share, episodes=self.episodes(),
                            scenario=self)

    def to_json(self, board: list[SimEvent] | None = None) -> dict[str, Any]:
        """The JSON form served at ``GET /_sim/scenario`` (``board``: the events whose BetPawa lag to list)."""
        truth = self.planted()
        types = []
        for m in CATALOGUE:
            if m.betpawa_id is None:
                continue
            types.append({"market_id": m.betpawa_id, "name": m.name, "lead": truth.lead[m.betpawa_id],
                          "lag_minutes": truth.lag_minutes[m.betpawa_id],
                          "margins": {b: truth.margins[(b, m.betpawa_id)] for b in BOOKS}})
        out: dict[str, Any] = {
            "settings": self.settings.to_json(),
            "tick_seconds": self.tick_seconds,
            "betpawa_lag_share": truth.betpawa_lag_share,
            "betpawa_other_lag_minutes": truth.betpawa_other_lag_minutes,
            "market_types": types,
            "episodes": [e.to_json() for e in truth.episodes],
        }
        if board is not None:
            out["betpawa_lagging_events"] = [ev.sr_id for ev in board if self.betpawa_lags(ev.k)]
        return out


#: a stand-in "active episode" for the planting's own look at the three books: forces the instance
#: active and fully priced without raising any price
_EPOCH = datetime.fromtimestamp(0, tz=timezone.utc)
_FORCE = PlantedEpisode(sr_event_id=0, market_id=0, market="", line=None, outcome="", start=_EPOCH, end=_EPOCH,
                        betpawa_odds=Decimal(0), start_tick=0, end_tick=0, k=-1, spec_index=-1, line_q=None,
                        position=-1)
