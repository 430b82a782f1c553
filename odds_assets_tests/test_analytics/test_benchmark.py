"""The fair price of an event × market × line from the competitors, and BetPawa's edge against it
(``odds_assets.analytics.benchmark``). Expected values are written out here from the odds with the
multiplicative method (p = r / Σ r, by hand) or from ``devig`` where the method is the point."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from odds_assets.analytics.benchmark import FairPrice, edge, edges, fair_price, fair_prices_frame
from odds_assets.analytics.fair import devig
from odds_assets.models import Outcome

X12, DC = 3743, 4693


def x12(a: str, d: str, h: str, inactive: tuple[str, ...] = ()) -> tuple[Outcome, ...]:
    return tuple(Outcome(n, Decimal(o), n not in inactive) for n, o in (("1", a), ("X", d), ("2", h)))


def norm(*odds: float) -> list[float]:
    r = [1 / o for o in odds]
    return [x / sum(r) for x in r]


SB = x12("2.45", "3.20", "3.10")
B9 = x12("2.35", "3.40", "3.05")
BP = x12("2.50", "3.30", "2.90")


def test_the_mean_of_the_competitors_margin_free_probabilities() -> None:
    fair = fair_price(X12, {"sportybet": SB, "bet9ja": B9, "betpawa": BP}, method="multiplicative")
    assert fair is not None and fair.books == ("sportybet", "bet9ja")
    sb, b9 = norm(2.45, 3.20, 3.10), norm(2.35, 3.40, 3.05)
    assert [fair.probabilities[n] for n in "1X2"] == pytest.approx([(a + b) / 2 for a, b in zip(sb, b9)], abs=1e-15)
    assert fair.odds("1") == pytest.approx(2 / (sb[0] + b9[0]), abs=1e-12)


def test_betpawa_is_never_its_own_benchmark() -> None:
    assert fair_price(X12, {"betpawa": BP}) is None
    alone = fair_price(X12, {"betpawa": BP, "bet9ja": B9})
    assert alone is not None and alone.books == ("bet9ja",)
    b9 = devig([o.odds for o in B9 if o.odds is not None]).probabilities
    assert alone.probabilities == pytest.approx(dict(zip("1X2", b9)))


def test_only_competitors_pricing_every_outcome_bettably_count() -> None:
    suspended = fair_price(X12, {"sportybet": x12("2.45", "3.20", "3.10", inactive=("X",)), "bet9ja": B9})
    assert suspended is not None and suspended.books == ("bet9ja",)
    partial = fair_price(X12, {"sportybet": SB[:2], "bet9ja": B9})
    assert partial is not None and partial.books == ("bet9ja",)
    assert fair_price(X12, {"sportybet": SB[:2]}) is None


def test_double_chance_from_each_competitors_1x2() -> None:
    dc_sb = (Outcome("1X", Decimal("1.36")), Outcome("X2", Decimal("1.55")), Outcome("12", Decimal("1.37")))
    fair = fair_price(DC, {"sportybet": dc_sb, "bet9ja": dc_sb}, method="multiplicative",
                      underlying={"sportybet": SB})  # Bet9ja's 1X2 missing: Bet9ja does not count
    assert fair is not None and fair.books == ("sportybet",)
    p1, px, p2 = norm(2.45, 3.20, 3.10)
    assert fair.probabilities == pytest.approx({"1X": p1 + px, "X2": px + p2, "12": p1 + p2}, abs=1e-15)


def test_edge_is_betpawa_odds_times_fair_probability_minus_one() -> None:
    assert edge(Decimal("2.50"), 0.42) == pytest.approx(2.5 * 0.42 - 1, abs=1e-15)
    assert edge(2.0, 0.5) == 0.0
    fair = FairPrice({"1": 0.42, "X": 0.30, "2": 0.28}, ("sportybet",))
    suspended_x = x12("2.50", "3.30", "2.90", inactive=("X",))
    assert edges(suspended_x, fair) == pytest.approx({"1": 2.5 * 0.42 - 1, "2": 2.9 * 0.28 - 1}, abs=1e-15)


def test_the_frame_form_leaves_betpawa_out_and_takes_lines_as_keys() -> None:
    rows: list[tuple[object, ...]] = []
    for book, outs in (("sportybet", SB), ("bet9ja", B9), ("betpawa", BP)):
        rows += [(7, book, X12, None, o.name, float(o.odds), o.active) for o in outs if o.odds is not None]
    rows += [(7, "sportybet", 5000, 2.5, "Over", 1.9, True), (7, "sportybet", 5000, 2.5, "Under", 1.9, True),
             (7, "bet9ja", 5000, 2.5, "Over", 1.95, True), (7, "bet9ja", 5000, 2.5, "Under", 1.85, False)]
    frame = fair_prices_frame(pd.DataFrame(rows, columns=["sr_event_id", "bookmaker", "market_id", "line",
                                                          "outcome", "odds", "active"]), method="multiplicative")
    by = {(r.market_id, r.outcome): (r.fair_probability, r.books) for r in frame.itertuples()}
    sb, b9 = norm(2.45, 3.20, 3.10), norm(2.35, 3.40, 3.05)
    assert by[(X12, "1")] == (pytest.approx((sb[0] + b9[0]) / 2, abs=1e-15), 2)
    assert by[(5000, "Over")] == (pytest.approx(0.5, abs=1e-15), 1)  # Bet9ja's Under is suspended
    assert len(by) == 5
    assert fair_prices_frame(pd.DataFrame(rows[6:9], columns=["sr_event_id", "bookmaker", "market_id", "line",
                                                              "outcome", "odds", "active"])).empty
