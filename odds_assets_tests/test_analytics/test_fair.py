"""Margin removal (``odds_assets.analytics.fair``): known answers for power, multiplicative and Shin, the
same methods for markets covered k times, the edge cases that must raise, and many markets at once.

The oracle is independent of the product: the published numbers of ``shared/docs/analytics-notes.md``
(1X2 2.10/3.40/3.60, R ``implied``'s README 4.20/3.70/1.95, ``mberk/shin``'s README 2.6/2.4/4.3) and the
published formulas solved here by plain bisection in the standard library (``_power``, ``_shin``),
with the model checked by its own forward map (Shin 1993 eq. 5)."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from odds_assets.analytics.fair import METHODS, devig, devig_many
from odds_assets.errors import MarginError


def odds(*values: str) -> list[Decimal]:
    return [Decimal(v) for v in values]


def _bisect(f, lo: float, hi: float) -> float:
    """The root of a decreasing f on [lo, hi], to float resolution."""
    for _ in range(200):
        mid = (lo + hi) / 2
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _power(r: list[float], k: int = 1) -> tuple[list[float], float]:
    """Clarke et al. 2017: p_i = r_i^kappa with sum = k."""
    kappa = _bisect(lambda x: sum(ri ** x for ri in r) - k, 1e-9, 100.0)
    return [ri ** kappa for ri in r], kappa


def _shin(r: list[float]) -> tuple[list[float], float]:
    """Shin 1992/1993: p_i(z) = (sqrt(z^2 + 4(1-z) r_i^2/B) - z) / (2(1-z)) with sum = 1."""
    b = sum(r)

    def p(z: float) -> list[float]:
        return [(math.sqrt(z * z + 4 * (1 - z) * ri * ri / b) - z) / (2 * (1 - z)) for ri in r]

    z = _bisect(lambda x: sum(p(x)) - 1, 0.0, 1 - 1e-12)
    return p(z), z


X12 = odds("2.10", "3.40", "3.60")
R12 = [1 / 2.10, 1 / 3.40, 1 / 3.60]


def test_known_answers_of_the_notes_table() -> None:
    """analytics-notes.md §1: B = 1.048086, and each method's probabilities and parameter."""
    assert sum(R12) == pytest.approx(1.048086, abs=1e-6)
    mult = devig(X12, method="multiplicative")
    assert mult.probabilities == pytest.approx((0.454343, 0.280624, 0.265033), abs=1e-6)
    assert mult.parameter == mult.booksum == pytest.approx(1.048086, abs=1e-6)
    power = devig(X12)  # the default method
    assert power.probabilities == pytest.approx((0.460174, 0.277980, 0.261846), abs=1e-6)
    assert power.parameter == pytest.approx(1.046112, abs=1e-6)
    shin = devig(X12, method="shin")
    # PyPI shin 0.2.2 to 9 decimals (notes): 0.458665716, 0.278737637, 0.262596647, z 0.024082837
    assert shin.probabilities == pytest.approx((0.458665716, 0.278737637, 0.262596647), abs=1e-9)
    assert shin.parameter == pytest.approx(0.024082837, abs=1e-9)
    # fair odds 1/p as the notes list them
    assert [round(1 / p, 4) for p in power.probabilities] == [2.1731, 3.5974, 3.8190]
    assert [round(1 / p, 4) for p in shin.probabilities] == [2.1802, 3.5876, 3.8081]
    assert [round(1 / p, 4) for p in mult.probabilities] == [2.2010, 3.5635, 3.7731]


def test_the_same_answers_from_the_formulas_solved_here() -> None:
    expected_power, kappa = _power(R12)
    expected_shin, z = _shin(R12)
    assert devig(X12).probabilities == pytest.approx(expected_power, abs=1e-12)
    assert devig(X12).parameter == pytest.approx(kappa, abs=1e-10)
    assert devig(X12, method="shin").probabilities == pytest.approx(expected_shin, abs=1e-12)
    assert devig(X12, method="shin").parameter == pytest.approx(z, abs=1e-10)
    assert devig(X12, method="multiplicative").probabilities == pytest.approx([r / sum(R12) for r in R12], abs=1e-15)


@pytest.mark.parametrize("prices, method, expected, tol", [
    # R implied's README, 4.20/3.70/1.95 (its Shin stops at tol 1.2e-4: agree within 1e-6)
    (("4.20", "3.70", "1.95"), "multiplicative", (0.233156, 0.264663, 0.502181), 1e-6),
    (("4.20", "3.70", "1.95"), "shin", (0.231572, 0.263574, 0.504854), 1e-6),
    (("4.20", "3.70", "1.95"), "power", (0.231141, 0.263064, 0.505795), 1e-6),
    # mberk/shin's README, 2.6/2.4/4.3
    (("2.6", "2.4", "4.3"), "shin", (0.372994, 0.404779, 0.222227), 1e-6),
], ids=["implied-basic", "implied-shin", "implied-power", "mberk-shin"])
def test_published_cases(prices, method, expected, tol) -> None:
    assert devig(odds(*prices), method=method).probabilities == pytest.approx(expected, abs=tol)


def test_shin_z_of_the_mberk_case_and_the_forward_map() -> None:
    shin = devig(odds("2.6", "2.4", "4.3"), method="shin")
    assert shin.parameter == pytest.approx(0.016943, abs=1e-6)
    # Shin 1993 eq. 5: the model's own inverse odds r_i = y_i * sum_j y_j, y_i = sqrt(z p_i + (1-z) p_i^2)
    z = shin.parameter
    y = [math.sqrt(z * p + (1 - z) * p * p) for p in shin.probabilities]
    assert [yi * sum(y) for yi in y] == pytest.approx([1 / 2.6, 1 / 2.4, 1 / 4.3], abs=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_two_outcomes_and_shin_as_additive(method) -> None:
    # 1.80 / 2.10: B = 1.031746; for n = 2 Shin equals the additive method p_i = r_i - (B - 1)/2
    r = [1 / 1.80, 1 / 2.10]
    got = devig(odds("1.80", "2.10"), method=method).probabilities
    expected = {"multiplicative": [x / sum(r) for x in r], "power": _power(r)[0],
                "shin": [x - (sum(r) - 1) / 2 for x in r]}[method]
    assert got == pytest.approx(expected, abs=1e-12)
    assert sum(got) == pytest.approx(1.0, abs=1e-12)


def test_double_chance_covered_twice() -> None:
    """analytics-notes §2: DC 1X 1.39, X2 1.56, 12 1.35, B_DC = 2.101191; target k = 2."""
    dc = odds("1.39", "1.56", "1.35")
    r = [1 / 1.39, 1 / 1.56, 1 / 1.35]
    assert sum(r) == pytest.approx(2.101191, abs=1e-6)
    mult = devig(dc, method="multiplicative", covers=2)
    assert mult.probabilities == pytest.approx([2 * x / sum(r) for x in r], abs=1e-15)
    power = devig(dc, covers=2)
    assert power.probabilities == pytest.approx(_power(r, 2)[0], abs=1e-12)
    assert sum(power.probabilities) == pytest.approx(2.0, abs=1e-12)
    with pytest.raises(MarginError, match="one winner"):
        devig(dc, method="shin", covers=2)


def test_a_book_below_one_has_power_and_multiplicative_answers_but_no_shin() -> None:
    # 2.10 / 2.10: B = 0.952 < 1 (a book paying more than it takes: an arbitrage on its own prices)
    assert devig(odds("2.10", "2.10")).probabilities == pytest.approx((0.5, 0.5), abs=1e-12)
    assert devig(odds("2.10", "2.10")).parameter < 1
    assert devig(odds("2.10", "2.10"), method="multiplicative").probabilities == pytest.approx((0.5, 0.5))
    with pytest.raises(MarginError, match="booksum below 1"):
        devig(odds("2.10", "2.10"), method="shin")


@pytest.mark.parametrize("prices, covers, method, message", [
    (("1.5",), 1, "power", "more outcomes"),
    (("1.5", "2.5"), 2, "power", "more outcomes"),
    ((), 1, "multiplicative", "more outcomes"),
    (("1.0", "5.0"), 1, "power", "above 1"),
    (("0.5", "5.0"), 1, "shin", "above 1"),
    (("NaN", "2.0"), 1, "power", "finite"),
    (("Infinity", "2.0"), 1, "multiplicative", "finite"),
    (("1.5", "2.5"), 0, "power", "at least 1"),
    # covered twice, one price so short that 2 r / B > 1
    (("1.05", "30", "30"), 2, "multiplicative", "above 1"),
], ids=["one-outcome", "dc-two-outcomes", "none", "price-1", "price-below-1", "nan", "infinite", "covers-0",
        "dc-too-short"])
def test_no_answer_raises_a_clear_error(prices, covers, method, message) -> None:
    with pytest.raises(MarginError, match=message):
        devig(odds(*prices), method=method, covers=covers)


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(MarginError, match="unknown method"):
        devig(X12, method="additive")  # type: ignore[arg-type]


def test_many_markets_at_once_equal_one_at_a_time_and_a_bad_one_stops_nothing() -> None:
    markets = [odds("2.10", "3.40", "3.60"), odds("1.0", "2.0"), odds("1.80", "2.10"), odds("1.39", "1.56", "1.35"),
               odds("5.5"), odds("4.20", "3.70", "1.95")]
    covers = np.array([1, 1, 1, 2, 1, 1], dtype=np.int64)
    flat = np.array([float(o) for m in markets for o in m])
    sizes = np.array([len(m) for m in markets], dtype=np.int64)
    for method in ("power", "multiplicative"):
        res = devig_many(flat, sizes, method=method, covers=covers)
        assert res.solved.tolist() == [True, False, True, True, False, True]
        assert "above 1" in res.reason[1] and "more outcomes" in res.reason[4] and res.reason[0] == ""
        ends = np.cumsum(sizes)
        for i, (m, k) in enumerate(zip(markets, covers)):
            got = res.probabilities[ends[i] - sizes[i]:ends[i]]
            if res.solved[i]:
                assert got.tolist() == pytest.approx(devig(m, method=method, covers=int(k)).probabilities, abs=1e-15)
            else:
                assert np.isnan(got).all()
    shin = devig_many(flat, sizes, method="shin", covers=covers)
    assert shin.solved.tolist() == [True, False, True, False, False, True]
    assert "one winner" in shin.reason[3]


def test_sizes_must_match_the_odds() -> None:
    with pytest.raises(MarginError, match="sizes"):
        devig_many(np.array([2.0, 2.0]), np.array([3]))


def test_probabilities_sum_to_their_target_within_1e_9_on_many_random_markets() -> None:
    """Random books of 2-12 outcomes with margins of -2..40 %: every method's sums stay within 1e-9."""
    rng = np.random.default_rng(7)
    sizes = rng.integers(2, 13, size=2000)
    true = [rng.dirichlet(np.ones(n)) for n in sizes]
    margins = rng.uniform(0.98, 1.40, size=len(sizes))
    flat = np.concatenate([np.maximum(1.01, np.round(1 / (t * m), 2)) for t, m in zip(true, margins)])
    for method in METHODS:
        res = devig_many(flat, sizes.astype(np.int64), method=method)
        groups = np.repeat(np.arange(len(sizes)), sizes)
        sums = np.bincount(groups, weights=np.nan_to_num(res.probabilities), minlength=len(sizes))
        ok = res.solved
        assert ok.mean() > 0.9  # Shin has no answer below B = 1
        assert np.abs(sums[ok] - 1).max() < 1e-9
        assert ((res.probabilities[ok[groups]] > 0) & (res.probabilities[ok[groups]] < 1)).all()
