"""Market analytics on the stored prices, as plain functions (no Dagster, no database).

- :mod:`odds_assets.analytics.fair` — margin removal for one market's odds: power (default),
  multiplicative, Shin; one market (:func:`devig`) or many at once (:func:`devig_many`).
- :mod:`odds_assets.analytics.margin` — a market instance's margin and one book's fair probabilities
  by its type's catalogue rule (mutually exclusive, covered k times, derived from an underlying market,
  or no margin of its own).
- :mod:`odds_assets.analytics.benchmark` — the fair price of an event × market × line from the
  competitors (BetPawa never in its own benchmark) and BetPawa's edge against it.

The definitions are written out in those modules' docstrings and in the README ("Analytics").
"""

from odds_assets.analytics.benchmark import (
    COMPETITORS,
    REFERENCE,
    FairPrice,
    edge,
    edges,
    fair_price,
    fair_prices_frame,
)
from odds_assets.analytics.fair import METHODS, Devigged, DeviggedMany, Method, devig, devig_many
from odds_assets.analytics.margin import MarketShape, book_probabilities, market_margin, market_shape

__all__ = [
    "COMPETITORS",
    "METHODS",
    "REFERENCE",
    "Devigged",
    "DeviggedMany",
    "FairPrice",
    "MarketShape",
    "Method",
    "book_probabilities",
    "devig",
    "devig_many",
    "edge",
    "edges",
    "fair_price",
    "fair_prices_frame",
    "market_margin",
    "market_shape",
]
