"""The market's fair price of an event × market × line, from BetPawa's competitors, and BetPawa's edge.

- **Fair price**: each competitor (SportyBet, Bet9ja) that prices the market completely and bettably
  (and, for a market derived from an underlying one, that market too) has its margin removed
  (:func:`~odds_assets.analytics.margin.book_probabilities`, power by default); the fair probability of
  an outcome is the mean over those competitors, its fair odds 1/p. BetPawa is never part of its own
  benchmark: its prices are what is measured against it.
- **Edge** of a BetPawa outcome = BetPawa odds × fair probability − 1: positive when BetPawa pays more
  than the market thinks the outcome is worth (value given away to a bettor), negative by about the
  margin on a fairly priced outcome.

:func:`fair_price` and :func:`edges` take one instance; :func:`fair_prices_frame` computes every fair
price of a set of current odds at once (one row per outcome, e.g. one window read from
``market_odds_current``), with the solvers running over all markets together (``devig_many``): the form
a window-level asset computes in pandas. Both apply the same rules, and a test holds them together.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import numpy as np
import pandas as pd

from odds_assets.analytics.fair import Method, devig_many
from odds_assets.analytics.margin import book_probabilities, market_shape, market_shapes, underlying_market_id
from odds_assets.models import Outcome

__all__ = ["COMPETITORS", "REFERENCE", "FairPrice", "edge", "edges", "fair_price", "fair_prices_frame"]

#: the book whose prices are measured, and the books whose prices make the benchmark
REFERENCE = "betpawa"
COMPETITORS: tuple[str, ...] = ("sportybet", "bet9ja")


@dataclass(frozen=True, slots=True)
class FairPrice:
    """The benchmark of one event × market × line: per outcome the mean fair probability of ``books``."""

    probabilities: dict[str, float]
    books: tuple[str, ...]

    def odds(self, outcome: str) -> float:
        """Fair odds of an outcome: 1 / its fair probability."""
        return 1.0 / self.probabilities[outcome]


def fair_price(market_id: int, books: Mapping[str, Sequence[Outcome]], *, method: Method = "power",
               underlying: Mapping[str, Sequence[Outcome]] | None = None) -> FairPrice | None:
    """The fair price of one event × market × line from the competitors' instances in ``books`` (book
    -> outcomes; BetPawa's, if given, is left out), or ``None`` when no competitor qualifies.

    ``underlying``: per book, its instance of the market the rule derives this one from (same event and
    line), for double chance and its combinations.
    """
    per_book: dict[str, dict[str, float]] = {}
    for book in COMPETITORS:
        if book not in books:
            continue
        under = None if underlying is None else underlying.get(book)
        probs = book_probabilities(market_id, books[book], method=method, underlying=under)
        if probs is not None:
            per_book[book] = probs
    if not per_book:
        return None
    names = next(iter(per_book.values())).keys()
    mean = {name: sum(p[name] for p in per_book.values()) / len(per_book) for name in names}
    return FairPrice(mean, tuple(per_book))


def edge(odds: Decimal | float, fair_probability: float) -> float:
    """BetPawa odds × fair probability − 1."""
    return float(odds) * fair_probability - 1.0


def edges(betpawa: Sequence[Outcome], fair: FairPrice) -> dict[str, float]:
    """The edge of every BetPawa outcome that is priced and bettable and has a fair probability."""
    return {o.name: edge(o.odds, fair.probabilities[o.name]) for o in betpawa
            if o.active and o.odds is not None and o.name in fair.probabilities}


# --- a whole set of current odds at once -------------------------------------------------------------

FAIR_COLUMNS = ["sr_event_id", "market_id", "line", "outcome", "fair_probability", "fair_odds", "books",
                "competitors"]
_INSTANCE = ["sr_event_id", "bookmaker", "market_id", "line_key"]


def fair_prices_frame(outcomes: pd.DataFrame, *, method: Method = "power") -> pd.DataFrame:
    """Every fair price of a set of current odds, as :func:`fair_price` gives them one at a time.

    ``outcomes``: one row per outcome of an available market instance, with columns ``sr_event_id``,
    ``bookmaker``, ``market_id``, ``line`` (``None`` or NaN for no line), ``outcome``, ``odds`` (float,
    NaN for no price) and ``active``. BetPawa's rows are left out.

    Returns one row per (sr_event_id, market_id, line, outcome) that has a fair price, with
    ``fair_probability``, ``fair_odds``, ``books`` (how many competitors were averaged) and
    ``competitors`` (which, comma-separated in ``COMPETITORS`` order, e.g. ``"sportybet,bet9ja"``).
    """
    df = outcomes.loc[outcomes["bookmaker"].isin(COMPETITORS),
                      ["sr_event_id", "bookmaker", "market_id", "line", "outcome", "odds", "active"]]
    if df.empty:
        return pd.DataFrame(columns=FAIR_COLUMNS)
    codes, lines = pd.factorize(df["line"])  # no line (None, NaN): code -1, the last key below
    line_keys = np.array([*(_line_key(line) for line in lines), ""], dtype=object)
    df = df.assign(line_key=line_keys[codes], bettable=df["active"].astype(bool) & df["odds"].notna())
    df["inst"] = df.groupby(_INSTANCE, sort=False).ngroup()
    df = df.sort_values("inst", kind="stable").reset_index(drop=True)  # each instance's rows together
    # an outcome of its type's set (NaN: not one, or a type outside the catalogue)
    df = df.merge(_type_outcomes(), on=["market_id", "outcome"], how="left")
    df["derived"] = df["derived"].eq(True)  # bool, not object with NaN (a slow groupby)

    # which instances qualify: complete (as many outcomes as the type has, all of its set), priced and
    # bettable, of a type with a margin of its own (one row per outcome: names do not repeat)
    heads = df.groupby("inst", sort=True).agg(
        n=("outcome", "size"), members=("set_size", "count"), set_size=("set_size", "max"),
        bettable=("bettable", "all"), covers=("covers", "max"), derived=("derived", "max"))
    usable = (heads["bettable"] & (heads["n"] == heads["set_size"]) & (heads["members"] == heads["n"])
              & heads["covers"].notna()).to_numpy(dtype=bool)
    derived = heads["derived"].to_numpy(dtype=bool)
    inst = df["inst"].to_numpy()

    # 1. instances de-vigged from their own prices
    own = df[(usable & ~derived)[inst]]
    sizes = own.groupby("inst", sort=True).size()
    res = devig_many(own["odds"].to_numpy(dtype=np.float64), sizes.to_numpy(dtype=np.int64), method=method,
                     covers=heads["covers"].to_numpy()[sizes.index.to_numpy()].astype(np.int64))
    own = own.assign(p=res.probabilities)[res.solved[np.repeat(np.arange(len(sizes)), sizes.to_numpy())]]

    # 2. derived instances: sums of their book's underlying instance's probabilities (same event, line)
    cols = ["sr_event_id", "bookmaker", "market_id", "line_key", "line", "outcome", "p"]
    der = df[(usable & derived)[inst]]
    if not der.empty:
        parts = _composition_frame(der["market_id"].unique().tolist())
        der = der.merge(parts, on=["market_id", "outcome"]).merge(
            own[["sr_event_id", "bookmaker", "market_id", "line_key", "outcome", "p"]].rename(
                columns={"market_id": "part_market_id", "outcome": "part"}),
            on=["sr_event_id", "bookmaker", "part_market_id", "line_key", "part"], how="left")
        sums = der.groupby(["inst", "outcome"], sort=False).agg(p=("p", "sum"), found=("p", "count"),
                                                                 needed=("part", "size"))
        per_inst = sums.groupby("inst")[["found", "needed"]].sum()
        whole = per_inst.index[per_inst["found"] == per_inst["needed"]]
        sums = sums[sums.index.get_level_values("inst").isin(whole)].reset_index()
        der = sums.merge(df[["inst", "outcome", *cols[:-2]]], on=["inst", "outcome"])
    der = der.reindex(columns=cols)

    # 3. the mean over the competitors that have probabilities
    pieces = [x for x in (own[cols], der[cols]) if not x.empty]
    if not pieces:
        return pd.DataFrame(columns=FAIR_COLUMNS)
    done = pd.concat(pieces, ignore_index=True)
    # one row per competitor and outcome, so the sum of the books' bits is the set of books averaged
    done["bit"] = done["bookmaker"].map({b: 1 << i for i, b in enumerate(COMPETITORS)}).astype(np.int64)
    grouped = done.groupby(["sr_event_id", "market_id", "line_key", "outcome"], sort=True)
    out: pd.DataFrame = grouped.agg(line=("line", "first"), fair_probability=("p", "mean"),
                                    books=("bookmaker", "nunique"), mask=("bit", "sum")).reset_index()
    out["fair_odds"] = 1.0 / out["fair_probability"]
    out["competitors"] = out["mask"].map(_competitor_names())
    out["line"] = pd.Series([None if key == "" else line for key, line in zip(out["line_key"], out["line"])],
                            index=out.index, dtype=object)
    return out.reindex(columns=FAIR_COLUMNS)


@cache
def _competitor_names() -> dict[int, str]:
    """Bit mask of competitors -> their names, comma-separated in ``COMPETITORS`` order."""
    return {mask: ",".join(b for i, b in enumerate(COMPETITORS) if mask >> i & 1)
            for mask in range(1, 1 << len(COMPETITORS))}


def _line_key(line: object) -> str:
    """A join key for a line: ``""`` for no line (None or NaN), else the number's text (``2.5``)."""
    if line is None or (isinstance(line, float) and math.isnan(line)):
        return ""
    return format(Decimal(str(line)).normalize(), "f")


@cache
def _type_outcomes() -> pd.DataFrame:
    """(market_id, outcome) of every catalogued type with a margin of its own, with its set's size,
    its k and whether it is derived from an underlying market."""
    rows = []
    for mid, shape in market_shapes().items():
        if shape.rule.covers is None or shape.outcomes is None:
            continue
        rows += [(mid, name, len(shape.outcomes), shape.rule.covers, shape.rule.underlying is not None)
                 for name in shape.outcomes]
    return pd.DataFrame(rows, columns=["market_id", "outcome", "set_size", "covers", "derived"])


def _composition_frame(market_ids: Sequence[int]) -> pd.DataFrame:
    """(market_id, outcome, part_market_id, part) for derived market types: outcome = Σ parts."""
    rows = []
    for mid in market_ids:
        rule = market_shape(int(mid)).rule
        if rule.underlying is None:
            continue
        umid = underlying_market_id(rule.underlying)
        rows += [(int(mid), name, umid, part) for name, parts in rule.composition for part in parts]
    return pd.DataFrame(rows, columns=["market_id", "outcome", "part_market_id", "part"])
