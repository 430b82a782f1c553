"""Which market × line instances each book offers for an event, and their odds and status at a tick.

Instances come from the shared market catalogue (only markets a book offers per the catalogue).
Per event there is one book-independent *universe* of instances in a shared random order; each book
keeps about ``markets_per_event`` of those it offers, so the books overlap the way real ones do.

Odds: base probabilities from the event's strength and goal expectation (so the books roughly
agree), a per-instance margin (booksum 1.03-1.12 times the sum of its probabilities: 1, or 2 for double
chance), rounded to exact cents; a change moves the probabilities and keeps the margin, as a book
re-applying its margin does. Changes happen at
moments drawn per 64-tick block from ``hash(seed, instance, block)`` (Poisson counts), so the
odds at any tick only need the last change before it, found by looking back a block or two,
never by simulating from the beginning. Suspensions and removals work the same way with
32-tick blocks and bounded durations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from odds_assets.markets.catalogue import CATALOGUE, MarketSpec, OutcomeSpec
from odds_assets.simulator._hash import M64, h, mix, mix_array, normal, uniform
from odds_assets.simulator.world import BOOK_INDEX, SimEvent

__all__ = [
    "EventState",
    "InstanceDef",
    "InstanceState",
    "MarketModel",
    "OutcomeDef",
    "S_OUA_SPEC",
    "line_str",
    "signed_line",
]

# Bet9ja's "Over/Under Asian" (whole and quarter total lines) has no BetPawa twin and is not in the
# catalogue; Bet9ja shows it on most events, so the simulator serves it as an unmapped market.
S_OUA_SPEC = MarketSpec("over_under_asian_ft", "FT", None, None, "S_OUA", "total", (
    OutcomeSpec(None, None, None, "O"),
    OutcomeSpec(None, None, None, "U"),
))

_S_UNIVERSE = 21
_S_ORDER = 22
_S_BOOKPICK = 23
_S_MARGIN = 24
_S_WEIGHT = 25
_S_MU = 26
_S_CHANGE = 27
_S_STATUS = 28
_S_NOISE = 29
_S_PLACEHOLDER = 30
_S_COUNT = 31

_CHANGE_BLOCK = 64
_STATUS_BLOCK = 32
_MAX_STATUS_TICKS = 24
_MIN_CENTS = 102  # keep real prices clear of the ≤ 1.01 "collapsed price" convention
_MAX_CENTS = 50_000
#: every (cents, active) pair a state can hold, built once: states share these instead of each holding its own
_PRICE_ON = tuple((c, True) for c in range(_MAX_CENTS + 1))
_PRICE_OFF = tuple((c, False) for c in range(_MAX_CENTS + 1))
_NO_PRICE = _PRICE_OFF[0]
#: both tables in one: index c is (c, True), index _OFF + c is (c, False)
_PRICES = _PRICE_ON + _PRICE_OFF
_OFF = _MAX_CENTS + 1

# Markets every event carries (if the book offers them) before the random rest of the budget.
_CORE = ("1x2_ft", "double_chance_ft", "btts_ft", "over_under_ft", "2way_handicap_ft", "handicap_3way_ft",
         "draw_no_bet_ft", "1x2_1h")


def line_str(q: int) -> str:
    """A line in quarter units as the books print it unsigned: 10 -> "2.5", -4 -> "-1", 3 -> "0.75"."""
    sign = "-" if q < 0 else ""
    a = abs(q)
    whole, frac = divmod(a, 4)
    return f"{sign}{whole}" + ("", ".25", ".5", ".75")[frac]


def signed_line(q: int) -> str:
    """A line with an explicit plus sign (BetPawa / SportyBet handicap labels): "+0.5", "-1", "0"."""
    s = line_str(q)
    return "+" + s if q > 0 else s


@dataclass(frozen=True, slots=True)
class OutcomeDef:
    """One outcome as one book shows it."""

    index: int
    #: BetPawa's label; None means the outcome is not in the normalised truth
    bp: str | None
    #: SportyBet desc / Bet9ja suffix (BetPawa: same as ``bp``)
    label: str
    #: SportyBet outcome id
    sb_id: str


@dataclass(frozen=True, slots=True)
class InstanceDef:
    """One market × line instance of one event at one book, with its opening probabilities."""

    spec: MarketSpec
    spec_index: int
    line_q: int | None
    outcomes: tuple[OutcomeDef, ...]
    probs: tuple[float, ...]
    margin: float
    key: int
    #: order of the market on the page (catalogue order)
    priority: int

    @property
    def mapped(self) -> bool:
        return self.spec.betpawa_id is not None


@dataclass(frozen=True, slots=True)
class InstanceState:
    """An instance at one tick: suspended or not, when its odds last changed, and its outcomes."""

    suspended: bool
    #: tick of the last odds change, -1 while the opening odds still stand
    version: int
    #: per outcome: (odds in cents or 0 = no price shown, active)
    outcomes: tuple[tuple[int, bool], ...]


#: one event at one book at one tick: every offered instance with its state (None = removed now)
EventState = list[tuple[InstanceDef, InstanceState | None]]


def _book_offers(spec: MarketSpec, book: str) -> bool:
    if book == "betpawa":
        return spec.betpawa_id is not None
    if book == "sportybet":
        return spec.sportybet_id is not None
    return spec.bet9ja_key is not None


def _book_label(o: OutcomeSpec, book: str) -> str | None:
    if book == "betpawa":
        return o.betpawa
    if book == "sportybet":
        return o.sportybet if o.sportybet is not None else o.sportybet_outcome_id
    return o.bet9ja


#: (id(spec), book) -> (spec, its outcomes at book); the spec is kept so its id is never reused
_BOOK_OUTCOMES: dict[tuple[int, str], tuple[MarketSpec, tuple[OutcomeDef, ...]]] = {}


def _book_outcomes(spec: MarketSpec, book: str) -> tuple[OutcomeDef, ...]:
    """The outcomes of ``spec`` that ``book`` shows, as it labels them (the same for every event and line,
    so built once per spec and book and shared by all instances)."""
    key = (id(spec), book)
    hit = _BOOK_OUTCOMES.get(key)
    if hit is not None and hit[0] is spec:
        return hit[1]
    out = tuple(OutcomeDef(index=j, bp=o.betpawa, label=_book_label(o, book) or "",
                           sb_id=o.sportybet_outcome_id or _sportybet_outcome_id(spec, j, o))
                for j, o in enumerate(spec.outcomes) if _book_label(o, book) is not None)
    _BOOK_OUTCOMES[key] = (spec, out)
    return out


def _default_line_q(m: MarketSpec) -> int | None:
    d = getattr(m, "default_line", None)
    return None if d is None else int(d * 4)


def _oua_alias_of() -> str | None:
    """The catalogue market whose whole/quarter lines Bet9ja files under ``S_OUA``, if it maps one."""
    for m in CATALOGUE:
        if "S_OUA" in getattr(m, "bet9ja_aliases", ()):
            return m.name
    return None


#: The clients' catalogue maps Bet9ja S_OUA onto BetPawa 5000 (a total of 2.25 is the same bet under
#: either key); when it does, those lines are served as 5000 instances, otherwise as unmapped S_OUA.
OUA_ALIAS_OF = _oua_alias_of()


def bet9ja_key(inst: InstanceDef) -> str:
    """The Bet9ja key an instance is filed under (whole/quarter totals go to the S_OUA alias)."""
    spec = inst.spec
    if (inst.line_q is not None and inst.line_q % 4 != 2 and spec.line_kind == "total"
            and "S_OUA" in getattr(spec, "bet9ja_aliases", ())):
        return "S_OUA"
    return spec.bet9ja_key or ""


def _eligible_specs() -> tuple[tuple[int, MarketSpec], ...]:
    mapped_b9 = {m.bet9ja_key for m in CATALOGUE if m.betpawa_id is not None and m.bet9ja_key}
    out: list[tuple[int, MarketSpec]] = []
    for i, m in enumerate(CATALOGUE):
        # "other" lines: only those whose normalised line the catalogue fixes (next goal: goal
        # number, Bet9ja implies 1); minute ranges, first corner etc. are left out.
        if m.line_kind == "other" and (m.betpawa_id is None or _default_line_q(m) is None):
            continue
        if m.betpawa_id is None:
            # unmapped markets are served by competitors, but only line-less ones (their specifier
            # grammar is unknown) and never aliases of a mapped Bet9ja key (S_LASTSCORE, S_HAOU),
            # which a parser would rightly map.
            if m.line_kind != "none" or (m.bet9ja_key in mapped_b9 and m.sportybet_id is None):
                continue
            if m.bet9ja_key in mapped_b9:
                m = MarketSpec(m.name, m.period, None, m.sportybet_id, None, m.line_kind, m.outcomes)
        out.append((i, m))
    if OUA_ALIAS_OF is None:
        out.append((len(CATALOGUE), S_OUA_SPEC))
    return tuple(out)


_ELIGIBLE = _eligible_specs()
_OU_FT_INDEX, _OU_FT = next((i, m) for i, m in enumerate(CATALOGUE) if m.name == "over_under_ft")


_H0 = 0x243F6A8885A308D3
_FNV_INT = 0x9E3779B97F4A7C15
_FNV = np.uint64(_FNV_INT)


def _fold(x: int, p: int) -> int:
    """One step of ``_hash.h``'s fold."""
    return ((x ^ (p & M64)) * _FNV_INT) & M64


def _poisson_thresholds(p0: float, lam: float) -> np.ndarray:
    """The cumulative probabilities ``_block_ticks`` compares with (``c`` before its 1st..8th step): a
    block's count is the number of them below its uniform, computed with the very same float operations."""
    p = c = p0
    out = [c]
    for n in range(1, 8):
        p *= lam / n
        c += p
        out.append(c)
    return np.array(out, dtype=np.float64)


def _unit(x: np.ndarray) -> np.ndarray:
    """``(x & 0xFFFFFFFF) / 2**32`` as floats (exact: a 32-bit integer over a power of two)."""
    return (x & np.uint64(0xFFFFFFFF)).astype(np.float64) / 4294967296.0


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _period_scale(name: str) -> float:
    if name.endswith("_1h") or "_1h_" in name:
        return 0.45
    if name.endswith("_2h") or "_2h_" in name:
        return 0.55
    return 1.0


def _goals_source(spec: MarketSpec, si: int) -> tuple[MarketSpec, int]:
    """The market (and its catalogue index) whose goal expectation a total market prices: its own, but
    over_under_ft's for 1X2 / double chance combined with a total, so they agree with it and each other."""
    if all(o.betpawa is not None and " - " in o.betpawa for o in spec.outcomes):
        return _OU_FT, _OU_FT_INDEX
    return spec, si


def _total_mu(spec: MarketSpec, si: int, ev: SimEvent, seed: int) -> float:
    name = spec.name
    jitter = (uniform(seed, _S_MU, ev.k, si) - 0.5) * 0.6
    if "corner" in name:
        base = 9.8 * _period_scale(name)
    elif "booking" in name:
        base = 4.2 * _period_scale(name)
    else:
        base = ev.goals * _period_scale(name)
        if name.startswith("home_"):
            base *= 0.5 + ev.strength * 0.12
        elif name.startswith("away_"):
            base *= 0.5 - ev.strength * 0.12
    return max(0.3, base + jitter)


def _total_lines(spec: MarketSpec, mu: float) -> list[int]:
    if spec.name == "over_under_ft":
        # halves 0.5..5.5 (all books), wholes 1..5 (SportyBet, Bet9ja S_OUA) and, when Bet9ja's
        # S_OUA maps to this market, quarters 0.75..5.25 (Bet9ja only)
        lines = [2 + 4 * i for i in range(6)] + [4 * i for i in range(1, 6)]
        if spec.name == OUA_ALIAS_OF:
            lines += [q for q in range(3, 22, 2)]
        return lines
    if spec is S_OUA_SPEC:
        return [q for q in range(3, 24) if q % 2 == 1 or q % 4 == 0]
    base = int(math.floor(mu))
    return [4 * x + 2 for x in (base - 1, base, base + 1) if x >= 0]


def _poisson_cdf(k: int, mu: float) -> float:
    term = math.exp(-mu)
    acc = term
    for i in range(1, k + 1):
        term *= mu / i
        acc += term
    return acc


def _p_over(mu: float, q: int) -> float:
    """P(over) of a count with mean ``mu`` at a line in quarter units (pushes on whole lines excluded)."""
    if q % 2 == 1:  # quarter lines: half the stake on each neighbouring line
        return 0.5 * (_p_over(mu, q - 1) + _p_over(mu, q + 1))
    if q % 4 == 2:
        p = 1.0 - _poisson_cdf(q // 4, mu)
    else:
        line = q // 4
        over = 1.0 - _poisson_cdf(line, mu)
        under = _poisson_cdf(line - 1, mu) if line > 0 else 0.0
        p = over / (over + under) if over + under > 0 else 0.5
    return min(0.985, max(0.015, p))


def _three_way(d: float, period: str) -> tuple[float, float, float]:
    """(home, draw, away) for a goal-strength difference ``d`` (draws likelier in a half)."""
    pd = max(0.12, 0.27 - 0.05 * abs(d) + {"1H": 0.14, "2H": 0.06}.get(period, 0.0))
    p1 = (1.0 - pd) * _logistic(1.8 * d)
    return p1, pd, 1.0 - pd - p1


def _btts_yes(mu: float, d: float) -> float:
    """P(both teams score) with ``mu`` goals expected and a strength difference ``d``."""
    return (1.0 - math.exp(-mu * (0.5 + 0.12 * d))) * (1.0 - math.exp(-mu * (0.5 - 0.12 * d)))


def _hcp_scale(spec: MarketSpec) -> float:
    return (2.0 if "corner" in spec.name else 1.0) * _period_scale(spec.name)


def _is_over(o: OutcomeSpec) -> bool:
    text = o.betpawa or o.bet9ja or ""
    if o.betpawa is not None:
        return "Over" in text
    return "O" in text and "U" not in text


class MarketModel:
    """Instance sets and per-tick state; pure functions of (seed, event, book, tick)."""

    def __init__(self, seed: int, *, tick_seconds: int, change_rate: float, status_rate: float,
                 markets_per_event: int) -> None:
        self.seed = seed
        self.tick_seconds = tick_seconds
        self.markets_per_event = markets_per_event
        # per-tick probabilities from the per-5-minute rates
        per = tick_seconds / 300.0
        p_change = 1.0 - (1.0 - min(max(change_rate, 0.0), 0.999999)) ** per
        p_status = 1.0 - (1.0 - min(max(status_rate, 0.0), 0.999999)) ** per
        self._lam_change = p_change * _CHANGE_BLOCK
        self._lam_status = p_status * _STATUS_BLOCK
        self._exp_change = math.exp(-self._lam_change)
        self._exp_status = math.exp(-self._lam_status)
        #: the thresholds ``_block_ticks`` compares a block's uniform with, in its own float arithmetic
        self._cum_change = _poisson_thresholds(self._exp_change, self._lam_change)
        self._cum_status = _poisson_thresholds(self._exp_status, self._lam_status)
        #: ``h``'s fold state after (seed, _S_NOISE)
        self._noise_prefix = np.uint64(_fold(_fold(_H0, seed), _S_NOISE))
        #: the latest state per instance key: the state itself when its status is 0 (active; its version is
        #: in it), else (version, status, state) — most instances are active, and a bare state is 64 bytes
        #: less per instance
        self._states: dict[int, InstanceState | tuple[int, int, InstanceState]] = {}
        #: a bound :class:`odds_assets.simulator.scenario.Scenario` prices every state of a market with a BetPawa id
        #: instead (None: no scenario)
        self.scenario: Any = None
        self._universes: dict[int, list[tuple[float, int, MarketSpec, int | None, list[float]]]] = {}

    # ---------------------------------------------------------------- instance sets

    #: share of the non-core catalogue markets in an event's universe (realistic boards use them all)
    universe_share = 0.6
    #: events whose universe is kept, and instances whose latest state is kept (cleared past these; the
    #: simulator sets them from its board size, so caches of events that left the board stay bounded)
    universe_limit = 20_000
    states_limit = 2_000_000

    def instances(self, ev: SimEvent, book: str, *, budget: int | None = None) -> list[InstanceDef]:
        """The instances ``book`` offers for ``ev`` (fixed for the event's life), in page order: the first
        ``budget`` of the event's universe the book offers (default: about ``markets_per_event``)."""
        s = self.seed
        bi = BOOK_INDEX[book]
        universe = self._universe(ev)
        if budget is None:
            budget = int(self.markets_per_event * (0.8 + 0.4 * uniform(s, _S_COUNT, ev.k, bi)))
        picked: list[InstanceDef] = []
        for order, si, spec, q, probs_all in universe:
            if len(picked) >= budget:
                break
            if not _book_offers(spec, book) or not self._book_has_line(book, spec, q):
                continue
            if order >= 0 and uniform(s, _S_BOOKPICK, ev.k, si, bi, q if q is not None else 999) < 0.1:
                continue
            if not probs_all:
                probs_all.extend(self._probabilities(ev, si, spec, q))
            inst = self._make_instance(ev, book, si, spec, q, probs_all)
            if inst is not None:
                picked.append(inst)
        picked.sort(key=lambda i: (i.priority, i.line_q if i.line_q is not None else 0))
        return picked

    @staticmethod
    def _book_has_line(book: str, spec: MarketSpec, q: int | None) -> bool:
        if q is None:
            return True
        if spec.line_kind == "total":
            if spec is S_OUA_SPEC:
                return book == "bet9ja"
            if q % 4 == 2:
                return True
            if spec.name != "over_under_ft":
                return False
            # BetPawa showed half lines only; SportyBet adds whole lines; Bet9ja files whole and
            # quarter lines under S_OUA (mapped here only when the catalogue aliases it)
            if book == "sportybet":
                return q % 4 == 0
            return book == "bet9ja" and spec.name == OUA_ALIAS_OF
        if spec.line_kind == "asian_handicap":
            # SportyBet shows whole and half handicaps only
            return book != "sportybet" or q % 2 == 0
        return True

    def _universe(self, ev: SimEvent) -> list[tuple[float, int, MarketSpec, int | None, list[float]]]:
        """The event's book-independent instances in their shared random order (cached per event)."""
        cached = self._universes.get(ev.k)
        if cached is not None:
            return cached
        s = self.seed
        universe: list[tuple[float, int, MarketSpec, int | None, list[float]]] = []
        for si, spec in _ELIGIBLE:
            core = spec.name in _CORE
            if not core and uniform(s, _S_UNIVERSE, ev.k, si) >= self.universe_share:
                continue
            if spec.line_kind == "none":
                lines: list[int | None] = [None]
            elif spec.line_kind == "total":
                lines = list(_total_lines(spec, _total_mu(*_goals_source(spec, si), ev, s)))
            elif spec.line_kind == "other":
                lines = [_default_line_q(spec)]
            elif spec.line_kind == "asian_handicap":
                centre = int(round(-ev.strength * _hcp_scale(spec) * 2)) * 2
                lines = [centre + j for j in range(-4, 5)]
            else:  # european_handicap
                lines = [-8, -4, 4, 8]
            for q in lines:
                order = -1.0 if core else uniform(s, _S_ORDER, ev.k, si, q if q is not None else 999)
                universe.append((order, si, spec, q, []))  # probabilities filled on first use
        universe.sort(key=lambda x: (x[0], x[1], x[3] if x[3] is not None else 0))
        if len(self._universes) > self.universe_limit:
            self._universes.clear()
        self._universes[ev.k] = universe
        return universe

    def _make_instance(self, ev: SimEvent, book: str, si: int, spec: MarketSpec, q: int | None,
                       probs_all: list[float]) -> InstanceDef | None:
        s = self.seed
        outcomes = _book_outcomes(spec, book)
        if not outcomes:
            return None
        probs = tuple(max(1e-4, probs_all[o.index]) for o in outcomes)
        if len(outcomes) < len(spec.outcomes) and abs(sum(probs_all) - 1.0) < 1e-9:
            # The catalogue's outcome list of such a type is the union of the books' own sets (BetPawa's
            # first-half exact goals 0/1/2+, SportyBet's 0/1/2/3+): each book prices the set it lists
            # as a whole (its own probabilities sum to 1), or its booksum would read -35 %.
            total = sum(probs)
            probs = tuple(p / total for p in probs)
        qk = q if q is not None else 999
        bi = BOOK_INDEX[book]
        margin = 1.03 + 0.09 * uniform(s, _S_MARGIN, ev.k, si, qk, bi)
        return InstanceDef(spec=spec, spec_index=si, line_q=q, outcomes=outcomes, probs=probs, margin=margin,
                           key=h(s, ev.k, si, qk, bi), priority=si)

    def _probabilities(self, ev: SimEvent, si: int, spec: MarketSpec, q: int | None) -> list[float]:
        """True probabilities of every outcome of the spec (they sum to 1; to 2 for double chance and its
        combinations, whose outcomes cover each result twice)."""
        s = self.seed
        n = len(spec.outcomes)
        kind = spec.line_kind
        labels = [o.betpawa for o in spec.outcomes]
        scale = _period_scale(spec.name)
        d = ev.strength * scale
        if kind == "asian_handicap" and n == 2 and q is not None:
            p = _logistic(1.4 * (ev.strength * _hcp_scale(spec) + q / 4.0))
            return [p, 1.0 - p]
        if kind == "european_handicap" and n == 3 and q is not None:
            dh = ev.strength * _hcp_scale(spec) + q / 4.0
            p1 = _logistic(1.3 * (dh - 0.5))
            p2 = _logistic(-1.3 * (dh + 0.5))
            px = max(0.08, 1.0 - p1 - p2)
            t = p1 + px + p2
            return [p1 / t, px / t, p2 / t]
        if all(label is not None and " - " in label for label in labels):
            # 1X2 or double chance combined with BTTS or a total ("1 - Yes", "X2 - Under"): each outcome is
            # cells of 1X2 x the two-way market (taken as independent), so 1X2 & BTTS is a partition,
            # double chance & BTTS covers each result twice, and the two agree with each other
            three = dict(zip("1X2", _three_way(d, spec.period)))
            if kind == "total" and q is not None:
                first, p_first = "Over", _p_over(_total_mu(*_goals_source(spec, si), ev, s), q)
            else:
                first, p_first = "Yes", _btts_yes(ev.goals * scale, d)
            out = []
            for label in labels:
                assert label is not None
                result, tail = label.split(" - ")
                out.append(sum(three[r] for r in result) * (p_first if tail == first else 1.0 - p_first))
            return out
        if kind == "total" and q is not None:
            p_over = _p_over(_total_mu(spec, si, ev, s), q)
            if n == 2:
                return [p_over if _is_over(o) else 1.0 - p_over for o in spec.outcomes]
            weights = [math.exp(0.5 * normal(s, _S_WEIGHT, ev.k, si, j)) for j in range(n)]
            weights = [w * (p_over if _is_over(o) else 1.0 - p_over) for w, o in zip(weights, spec.outcomes)]
            t = sum(weights)
            return [w / t for w in weights]
        if labels == ["1", "None", "2"]:  # next goal
            p_none = math.exp(-ev.goals)
            p1 = (1.0 - p_none) * _logistic(1.2 * d)
            return [p1, p_none, 1.0 - p_none - p1]
        if "corner" not in spec.name and "booking" not in spec.name:
            p1, px, p2 = _three_way(d, spec.period)
            if labels == ["1", "X", "2"]:
                return [p1, px, p2]
            if labels == ["1X", "X2", "12"]:
                return [p1 + px, px + p2, p1 + p2]
            if labels == ["1", "2"] and "draw_no_bet" in spec.name:
                return [p1 / (p1 + p2), p2 / (p1 + p2)]
            if labels == ["Yes", "No"] and spec.name.startswith("btts"):
                yes = _btts_yes(ev.goals * scale, d)
                return [yes, 1.0 - yes]
        weights = [math.exp(0.5 * normal(s, _S_WEIGHT, ev.k, si, j)) for j in range(n)]
        t = sum(weights)
        return [w / t for w in weights]

    # ---------------------------------------------------------------- state at a tick

    def state(self, ev: SimEvent, inst: InstanceDef, book: str, tick: int) -> InstanceState | None:
        """The instance at ``tick``; None when the book has removed it for now."""
        if self.scenario is not None and inst.spec.betpawa_id is not None:
            # a scenario prices the markets the truth holds; markets without a BetPawa id keep this model
            return self.scenario.state(ev, inst, book, tick)  # type: ignore[no-any-return]
        appear_tick = ev.appear_at // self.tick_seconds
        status = self._status(inst.key, tick, appear_tick)
        if status == 3:
            return None
        version = self._last_change(inst.key, tick, appear_tick)
        # odds only move at a change and status only at a status event, so the state is a function
        # of (instance, version, status): the latest one per instance is kept, which makes every later
        # tick nearly free and keeps the cache at one state per live instance (older versions, asked
        # for by a truth query about the past, are recomputed)
        cached = self._states.get(inst.key)
        if cached is not None:
            if isinstance(cached, InstanceState):
                if status == 0 and cached.version == version:
                    return cached
            elif cached[0] == version and cached[1] == status:
                return cached[2]
        st = self._compute_state(inst, book, version, status)
        if len(self._states) > self.states_limit:  # instances of events long gone
            self._states.clear()
        self._states[inst.key] = st if status == 0 else (version, status, st)
        return st

    def states(self, ev: SimEvent, insts: list[InstanceDef], book: str, tick: int) -> list[InstanceState | None]:
        """``[self.state(ev, i, book, tick) for i in insts]``, with the hashing of every instance done at once
        (numpy, 64-bit integer arithmetic: the same values as the scalar code, which stays the definition).

        Status and last change of all instances are computed as arrays; instances whose (version, status)
        match the kept state reuse it; the rest get their outcome draws hashed as arrays and only the
        floating-point pricing (per outcome, in Python, so every price is the scalar code's) done one by one."""
        out: list[InstanceState | None] = [None] * len(insts)
        if self.scenario is not None:
            own = [j for j, i in enumerate(insts) if i.spec.betpawa_id is None]
            for j, i in enumerate(insts):
                if i.spec.betpawa_id is not None:
                    out[j] = self.scenario.state(ev, i, book, tick)
        else:
            own = list(range(len(insts)))
        if not own:
            return out
        sub = [insts[j] for j in own]
        keys = np.fromiter((i.key for i in sub), dtype=np.uint64, count=len(sub))
        appear_tick = ev.appear_at // self.tick_seconds
        statuses = self._status_array(keys, tick, appear_tick)
        versions = self._last_change_array(keys, tick, appear_tick).tolist()
        misses: list[tuple[int, InstanceDef, int, int]] = []
        cache = self._states
        for j, inst, status, version in zip(own, sub, statuses, versions):
            if status == 3:
                continue
            cached = cache.get(inst.key)
            if cached is not None:
                if cached.__class__ is InstanceState:
                    if status == 0 and cached.version == version:
                        out[j] = cached
                        continue
                elif cached[0] == version and cached[1] == status:  # type: ignore[index]
                    out[j] = cached[2]  # type: ignore[index]
                    continue
            misses.append((j, inst, version, status))
        if not misses:
            return out
        if len(cache) + len(misses) > self.states_limit:  # instances of events long gone
            cache.clear()
        # h(seed, _S_NOISE, key, version) per miss, then mix(base ^ (index + 1)) per outcome and mix() of that
        x = np.fromiter((m[1].key for m in misses), dtype=np.uint64, count=len(misses))
        v = np.fromiter((m[2] & M64 for m in misses), dtype=np.uint64, count=len(misses))
        base = mix_array((((x ^ self._noise_prefix) * _FNV) ^ v) * _FNV)
        counts = [len(m[1].outcomes) for m in misses]
        idx = np.fromiter((o.index + 1 for m in misses for o in m[1].outcomes), dtype=np.uint64, count=sum(counts))
        draws_a = mix_array(np.repeat(base, counts) ^ idx)
        # the moves' two uniforms per outcome (exact in numpy: integers over powers of two); the
        # transcendental functions stay Python's (libm), since numpy's exp and log differ in the last bit
        u1 = (((draws_a >> np.uint64(32)).astype(np.float64) + 0.5) / 4294967296.0).tolist()
        u2 = ((((draws_a & np.uint64(0xFFFFFFFF)).astype(np.float64) + 0.5) / 4294967296.0)
              * 6.283185307179586).tolist()
        exp, sqrt, log, cos = math.exp, math.sqrt, math.log, math.cos
        flat: list[float] = []
        pos = 0
        for (_, inst, version, _), n in zip(misses, counts):
            probs = inst.probs
            if version >= 0:
                end = pos + n
                moved = [p * exp(-0.05 * sqrt(-2.0 * log(a)) * cos(b))
                         for p, a, b in zip(probs, u1[pos:end], u2[pos:end])]
                scale = sum(probs) / sum(moved)
                flat.extend([p * scale for p in moved])
            else:
                flat.extend(probs)
            pos += n
        # prices and availability as _price computes them (IEEE division, multiplication and
        # round-half-even are the same in numpy)
        margins = np.repeat(np.fromiter((m[1].margin for m in misses), dtype=np.float64, count=len(misses)), counts)
        cents = np.clip(np.rint((1.0 / (np.array(flat, dtype=np.float64) * margins)) * 100.0),
                        _MIN_CENTS, _MAX_CENTS).astype(np.int64)
        st = np.repeat(np.fromiter((m[3] for m in misses), dtype=np.int64, count=len(misses)), counts)
        au = (mix_array(draws_a) & np.uint64(0xFFFFFF)).astype(np.float64) / 16777216.0
        inactive = (st != 0) | (au < 0.008)
        no_price = (st == 2) | ((st == 0) & (au < 0.004))
        if book == "bet9ja":
            no_price |= inactive  # Bet9ja has no suspended flag: an unavailable outcome shows the placeholder
        code = np.where(no_price, _OFF, np.where(inactive, _OFF + cents, cents)).tolist()
        pairs = _PRICES
        pos = 0
        for (j, inst, version, status), n in zip(misses, counts):
            end = pos + n
            state = InstanceState(suspended=status in (1, 2), version=version,
                                  outcomes=tuple([pairs[c] for c in code[pos:end]]))
            pos = end
            cache[inst.key] = state if status == 0 else (version, status, state)
            out[j] = state
        return out

    def _status_array(self, keys: np.ndarray, tick: int, floor_tick: int) -> list[int]:
        """``_status`` of every key: both blocks' event counts as arrays; the few keys with an event in
        either block are resolved by the scalar code."""
        if self._lam_status <= 0.0 or len(keys) == 0:
            return [0] * len(keys)
        b = tick // _STATUS_BLOCK
        busy = np.zeros(len(keys), dtype=bool)
        for bb in (b - 1, b):
            x = mix_array(keys ^ np.uint64(mix(bb * 64 + _S_STATUS)))
            busy |= np.searchsorted(self._cum_status, _unit(x), side="left") > 0
        out = [0] * len(keys)
        for j in np.flatnonzero(busy).tolist():
            out[j] = self._status(int(keys[j]), tick, floor_tick)
        return out

    def _last_change_array(self, keys: np.ndarray, tick: int, floor_tick: int) -> np.ndarray:
        """``_last_change`` of every key, block by block backwards as in the scalar code."""
        out = np.full(len(keys), -1, dtype=np.int64)
        if self._lam_change <= 0.0:
            return out
        pending = np.arange(len(keys))
        b = tick // _CHANGE_BLOCK
        while pending.size:
            start = b * _CHANGE_BLOCK
            if start + _CHANGE_BLOCK <= floor_tick:
                break
            x = mix_array(keys[pending] ^ np.uint64(mix(b * 64 + _S_CHANGE)))
            n = np.searchsorted(self._cum_change, _unit(x), side="left")
            y = mix_array(x)
            best = np.full(len(pending), -1, dtype=np.int64)
            for i in range(8):
                has = n > i
                if not has.any():
                    break
                t = start + ((y >> np.uint64(7 * i)) % np.uint64(_CHANGE_BLOCK)).astype(np.int64)
                best = np.where(has & (t <= tick) & (t > best), t, best)
            found = best >= 0
            out[pending[found]] = np.where(best[found] >= floor_tick, best[found], -1)
            pending = pending[~found]
            b -= 1
        return out

    def _compute_state(self, inst: InstanceDef, book: str, version: int, status: int) -> InstanceState:
        base = h(self.seed, _S_NOISE, inst.key, version)
        draws = [mix(base ^ (o.index + 1)) for o in inst.outcomes]
        return self._price(inst, book, version, status, draws, [mix(x) & 0xFFFFFF for x in draws])

    def _price(self, inst: InstanceDef, book: str, version: int, status: int, draws: list[int],
               acts: list[int]) -> InstanceState:
        """The state of ``inst`` from its outcome draws (``mix(h(seed, _S_NOISE, key, version) ^ (index + 1))``)
        and their availability hashes (``mix(draw) & 0xFFFFFF``)."""
        suspended = status in (1, 2)
        probs = list(inst.probs)
        if version >= 0:
            # A move changes what the book thinks of the outcomes, not its margin: each probability
            # moves by ~5 % (Box-Muller on the two halves of one hash), then they are scaled back to
            # their sum, so the instance keeps its planted margin (a real book re-applies its margin to
            # the moved prices; moving odds one by one made margins drift by several points).
            moved = []
            for x, p in zip(draws, probs):
                u1 = ((x >> 32) + 0.5) / 4294967296.0
                u2 = ((x & 0xFFFFFFFF) + 0.5) / 4294967296.0
                moved.append(p * math.exp(-0.05 * math.sqrt(-2.0 * math.log(u1)) * math.cos(6.283185307179586 * u2)))
            scale = sum(probs) / sum(moved)
            probs = [p * scale for p in moved]
        outs: list[tuple[int, bool]] = []
        margin = inst.margin
        for a, p in zip(acts, probs):
            odds = 1.0 / (p * margin)
            cents = min(_MAX_CENTS, max(_MIN_CENTS, int(round(odds * 100.0))))
            if status == 2:
                outs.append(_NO_PRICE)
            elif suspended:
                outs.append(_PRICE_OFF[cents])
            else:
                u = a / 16777216.0
                if u < 0.004:
                    outs.append(_NO_PRICE)  # this outcome alone has no price right now
                elif u < 0.008:
                    outs.append(_PRICE_OFF[cents])  # shown but not bettable
                else:
                    outs.append(_PRICE_ON[cents])
        if book == "bet9ja":
            # Bet9ja has no suspended flag: an unavailable outcome shows the placeholder "1"
            outs = [o if o[1] else _NO_PRICE for o in outs]
        return InstanceState(suspended=suspended, version=version, outcomes=tuple(outs))

    def _block_ticks(self, key: int, stream: int, block: int, size: int, lam: float) -> list[int]:
        """Offsets in ``[0, size)`` of the events of one block (a Poisson count, hashed positions)."""
        x = mix(key ^ mix(block * 64 + stream))
        u = (x & 0xFFFFFFFF) / 4294967296.0
        p = self._exp_change if stream == _S_CHANGE else self._exp_status
        c = p
        n = 0
        while u > c and n < 8:
            n += 1
            p *= lam / n
            c += p
        if n == 0:
            return []
        y = mix(x)
        return [(y >> (7 * i)) % size for i in range(n)]

    def _last_change(self, key: int, tick: int, floor_tick: int) -> int:
        if self._lam_change <= 0.0:
            return -1
        b = tick // _CHANGE_BLOCK
        while True:
            start = b * _CHANGE_BLOCK
            if start + _CHANGE_BLOCK <= floor_tick:
                return -1
            best = -1
            for off in self._block_ticks(key, _S_CHANGE, b, _CHANGE_BLOCK, self._lam_change):
                t = start + off
                if best < t <= tick:
                    best = t
            if best >= 0:
                return best if best >= floor_tick else -1
            b -= 1

    def _status(self, key: int, tick: int, floor_tick: int) -> int:
        """0 active, 1 suspended (prices shown), 2 suspended (no prices), 3 removed."""
        if self._lam_status <= 0.0:
            return 0
        b = tick // _STATUS_BLOCK
        best_t = -1
        best_kind = 0
        for bb in (b - 1, b):
            start = bb * _STATUS_BLOCK
            for i, off in enumerate(self._block_ticks(key, _S_STATUS, bb, _STATUS_BLOCK, self._lam_status)):
                t = start + off
                if t < floor_tick or t > tick or t <= best_t:
                    continue
                x = mix(mix(key ^ (bb * 64 + _S_STATUS)) + i + 1)
                dur = 1 + x % _MAX_STATUS_TICKS
                if tick < t + dur:
                    u = (x >> 16) % 100
                    best_t = t
                    best_kind = 1 if u < 40 else (2 if u < 60 else 3)
        return best_kind


# SportyBet outcome ids seen in the capture (SR UOF ids); other outcomes get stable synthetic ids.
_SB_KNOWN_IDS: dict[tuple[int, str], str] = {
    (1, "Home"): "1", (1, "Draw"): "2", (1, "Away"): "3",
    (10, "Home or Draw"): "9", (10, "Home or Away"): "10", (10, "Draw or Away"): "11",
    (29, "Yes"): "74", (29, "No"): "76",
    (11, "Home"): "4", (11, "Away"): "5",
    (8, "Home"): "6", (8, "None"): "7", (8, "Away"): "8",
}


def _sportybet_outcome_id(spec: MarketSpec, j: int, o: OutcomeSpec) -> str:
    if spec.sportybet_id is not None and o.sportybet is not None:
        known = _SB_KNOWN_IDS.get((spec.sportybet_id, o.sportybet))
        if known:
            return known
    return str(100_000 + (spec.sportybet_id or 0) % 1000 * 100 + j)
