"""A market instance's margin and one book's fair probabilities, by its market type's catalogue rule.

The rule of a market type (``MarketSpec.margin``, a :class:`~odds_assets.markets.catalogue.MarginRule`)
says how many of its outcomes cover each result (k). A book's market instance has a margin only when it
is *complete* and *priced*: it lists exactly the type's BetPawa outcome set, every outcome with a price
and bettable (a suspended outcome's price is not an offer), and the type has a constant k:

    margin = Σ 1/odds / k − 1

in float64 (the exact decimal odds' inverses carry 16 significant digits, far below any band). For k = 1 it is
the usual overround; for double chance (k = 2) it is comparable with the 1X2's (about 5 %, where the
plain Σ 1/odds − 1 reads about 110 %). A market type the catalogue does not know is taken as mutually
exclusive with whatever outcomes the book lists. The SQL twin, used by the trader's view
``odds_side_by_side``, is migration 0007 (``market_margin_rules``); a test holds the two together.

:func:`book_probabilities` removes one book's margin from one market instance: from its own prices
(with target k) or, where the rule names an underlying partition (double chance from 1X2), from that
market of the same book, event and line, summed per the rule's composition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from odds_assets.analytics.fair import Method, devig
from odds_assets.errors import MarginError
from odds_assets.markets.catalogue import CATALOGUE, EXCLUSIVE, MarginRule, MarketSpec, by_name
from odds_assets.models import Outcome

__all__ = [
    "MarketShape",
    "book_probabilities",
    "is_priced",
    "market_margin",
    "market_shape",
    "market_shapes",
    "priced_margin",
    "underlying_market_id",
]


@dataclass(frozen=True, slots=True)
class MarketShape:
    """What the analytics read of a market type: its rule and its complete outcome set (BetPawa labels;
    ``None`` for a market id the catalogue does not know, whose listed set is taken as complete)."""

    market_id: int
    name: str | None
    rule: MarginRule
    outcomes: tuple[str, ...] | None

    def complete(self, names: Sequence[str]) -> bool:
        """Whether a book's outcome names are the type's whole set (no more, none missing)."""
        if self.outcomes is None:
            return len(names) > 0
        return len(names) == len(self.outcomes) and set(names) == set(self.outcomes)


@cache
def _shapes() -> dict[int, MarketShape]:
    return {m.betpawa_id: MarketShape(m.betpawa_id, m.name, m.margin,
                                      tuple(o.betpawa for o in m.outcomes if o.betpawa is not None))
            for m in CATALOGUE if m.betpawa_id is not None}


def market_shapes() -> dict[int, MarketShape]:
    """Every catalogued market type with a BetPawa id, by id."""
    return dict(_shapes())


def market_shape(market_id: int) -> MarketShape:
    """The shape of a BetPawa market id (a market id outside the catalogue: mutually exclusive)."""
    return _shapes().get(market_id) or MarketShape(market_id, None, EXCLUSIVE, None)


def is_priced(outcomes: Sequence[Outcome]) -> bool:
    """Every outcome has a price and is bettable."""
    return bool(outcomes) and all(o.active and o.odds is not None for o in outcomes)


def market_margin(market_id: int, outcomes: Sequence[Outcome]) -> float | None:
    """The margin of one book's market instance (module docstring), ``None`` when it has none: the type
    has no margin of its own, or the instance is incomplete or not fully priced and bettable."""
    if not is_priced(outcomes):
        return None
    return priced_margin(market_id, [o.name for o in outcomes], [float(o.odds) for o in outcomes if o.odds])


def priced_margin(market_id: int, names: Sequence[str], odds: Sequence[float]) -> float | None:
    """:func:`market_margin` of an instance already known to be priced and bettable throughout, given
    as its outcome names and odds (for a board's encoded markets, read without building outcomes)."""
    covers = market_shape(market_id).rule.covers
    if covers is None or not odds or not market_shape(market_id).complete(names):
        return None
    return sum(1.0 / o for o in odds) / covers - 1.0


def book_probabilities(market_id: int, outcomes: Sequence[Outcome], *, method: Method = "power",
                       underlying: Sequence[Outcome] | None = None) -> dict[str, float] | None:
    """One book's fair probability per outcome of a market instance, or ``None`` when it has none.

    The instance must be complete, priced and bettable. Where the type's rule names an underlying market
    (``MarginRule.underlying``), ``underlying`` must be that book's instance of it for the same event and
    line, complete, priced and bettable too; its fair probabilities are summed per the rule's
    composition. Otherwise the instance's own prices are de-vigged with target k. ``None`` also when the
    method has no answer for these prices (e.g. Shin for a market covered twice), and for a market id
    outside the catalogue (without its outcome set, books' instances cannot be compared).
    """
    shape = market_shape(market_id)
    rule = shape.rule
    if (rule.covers is None or shape.outcomes is None or not is_priced(outcomes)
            or not shape.complete([o.name for o in outcomes])):
        return None
    try:
        if rule.underlying is None:
            fair = devig([o.odds for o in outcomes if o.odds is not None], method=method, covers=rule.covers)
            return {o.name: p for o, p in zip(outcomes, fair.probabilities)}
        if underlying is None:
            return None
        parts = book_probabilities(underlying_market_id(rule.underlying), underlying, method=method)
    except MarginError:
        return None
    if parts is None:
        return None
    composition = dict(rule.composition)
    return {o.name: sum(parts[u] for u in composition[o.name]) for o in outcomes}


@cache
def _by_name() -> dict[str, MarketSpec]:
    return by_name()


def underlying_market_id(name: str) -> int:
    """The BetPawa id of an underlying market (a catalogue name)."""
    spec = _by_name()[name]
    if spec.betpawa_id is None:  # the catalogue test holds every underlying to a BetPawa market
        raise MarginError(f"underlying market {name} has no BetPawa id")
    return spec.betpawa_id
