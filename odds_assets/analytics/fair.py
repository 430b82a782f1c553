"""Margin removal: one book's odds of one market -> fair probabilities (no Dagster, no database).

Notation: odds o_i, inverse odds r_i = 1/o_i, booksum B = Σ r_i; a market whose outcomes cover every
result of the match ``covers`` = k times (1 for mutually exclusive outcomes, 2 for double chance; the
rule per market type is in the catalogue, ``MarginRule``) has fair probabilities summing to k.

Methods (``Method``; the default is power):

- **multiplicative** (basic normalisation): p_i = k·r_i / B. Spreads the margin in proportion to r_i,
  so it leaves the favourite-longshot bias in. Parameter reported: B.
- **power**: p_i = r_i^κ with κ solving Σ r_i^κ = k (Clarke, Kovalchik & Ingram 2017, after Vovk &
  Zhdanov 2009; R ``implied`` reports 1/κ). Puts more of the margin on longshots; p_i stays in (0, 1).
  Σ r_i^κ is convex and decreasing in κ, so Newton's method from κ = 1 converges monotonically.
  Parameter reported: κ.
- **Shin** (Shin 1992, 1993): p_i(z) = (√(z² + 4(1−z)·r_i²/B) − z) / (2(1−z)), z ∈ [0, 1) the
  insiders' share, chosen so Σ p_i(z) = 1; Σ p_i(z) falls from √B at z = 0, so a solution exists iff
  B ≥ 1, found by bisection on z (64 halvings: the bracket shrinks below float resolution). Shin's model
  has one winner: it is defined for k = 1 only. Parameter reported: z.

Precision: odds come in as exact ``Decimal``; r_i and everything after are IEEE float64. Power and
Shin give irrational probabilities (r_i^κ, square roots), so no exact decimal answer exists to keep;
float64 carries ~16 significant digits, the solvers stop at |Σ p_i − k| ≤ 1e-12·k, and a result is
refused beyond that, which leaves three orders of magnitude under the 1e-9 the analytics' checks allow.
Float64 also lets a whole window's markets be solved at once as numpy arrays (:func:`devig_many`),
one Newton or bisection step for all of them, which ``Decimal`` arithmetic could not do in time.

Errors (:class:`~odds_assets.errors.MarginError`): fewer than k + 1 outcomes (one outcome, or a double
chance with two), a price ≤ 1 or not finite, Shin with k ≠ 1 or B < 1, multiplicative with k > 1 giving a
probability above 1, or a solver that did not reach its tolerance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt

from odds_assets.errors import MarginError

__all__ = ["METHODS", "Devigged", "DeviggedMany", "Method", "devig", "devig_many"]

Method = Literal["power", "multiplicative", "shin"]
#: the methods, the default first
METHODS: tuple[Method, ...] = get_args(Method)

_TOLERANCE = 1e-12
_NEWTON_STEPS = 100
_BISECTIONS = 64

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Devigged:
    """Fair probabilities of one market's outcomes (in the order given), the method's parameter (κ for
    power, z for Shin, B for multiplicative) and the booksum B."""

    probabilities: tuple[float, ...]
    parameter: float
    booksum: float


@dataclass(frozen=True, slots=True)
class DeviggedMany:
    """:func:`devig_many`'s answer: per outcome its fair probability (NaN in a market without one), per
    market the parameter, the booksum and whether it was solved (``reason`` says why not, "" if it was)."""

    probabilities: FloatArray
    parameter: FloatArray
    booksum: FloatArray
    solved: npt.NDArray[np.bool_]
    reason: tuple[str, ...]


def devig(odds: Sequence[Decimal], *, method: Method = "power", covers: int = 1) -> Devigged:
    """Fair probabilities of one market from its odds (every outcome of a complete market, all priced).

    Raises :class:`MarginError` naming the cause when there is no answer (see the module docstring).
    """
    if method not in METHODS:
        raise MarginError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    values = np.array([float(o) for o in odds], dtype=np.float64)
    res = devig_many(values, np.array([len(values)], dtype=np.int64), method=method, covers=covers)
    if not res.solved[0]:
        shown = ", ".join(str(o) for o in odds)
        raise MarginError(f"{method} margin removal of odds [{shown}] (covers={covers}): {res.reason[0]}")
    return Devigged(tuple(float(p) for p in res.probabilities), float(res.parameter[0]), float(res.booksum[0]))


def devig_many(odds: FloatArray, sizes: IntArray, *, method: Method = "power",
               covers: int | IntArray = 1) -> DeviggedMany:
    """:func:`devig` for many markets at once: ``odds`` holds every market's outcomes one market after
    the other, ``sizes`` how many outcomes each market has, ``covers`` the k of every market (or one for
    all). A market without an answer does not stop the others: its probabilities are NaN and ``reason``
    says why."""
    if method not in METHODS:
        raise MarginError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    odds = np.asarray(odds, dtype=np.float64)
    sizes = np.asarray(sizes, dtype=np.int64)
    m = len(sizes)
    if (sizes < 0).any() or int(sizes.sum()) != len(odds):
        raise MarginError(f"sizes add up to {int(sizes.sum())} outcomes, odds has {len(odds)}")
    k = np.broadcast_to(np.asarray(covers, dtype=np.float64), (m,)).copy()
    group = np.repeat(np.arange(m), sizes)

    def total(x: FloatArray) -> FloatArray:
        """Per market, the sum of x over its outcomes."""
        return np.bincount(group, weights=x, minlength=m).astype(np.float64)

    bad_price = ~(np.isfinite(odds) & (odds > 1.0))
    reasons = np.full(m, "", dtype=object)
    reasons[total(bad_price.astype(np.float64)) > 0] = "a price is not a finite number above 1"
    reasons[(reasons == "") & ~(k >= 1)] = "covers must be at least 1"
    reasons[(reasons == "") & (sizes <= k)] = "needs more outcomes than each result is covered by"
    if method == "shin":
        reasons[(reasons == "") & (k != 1)] = "Shin's model is defined for one winner (covers=1) only"
    r = 1.0 / np.where(bad_price, 2.0, odds)  # a placeholder where the price is bad: never reported
    booksum = total(r)
    if method == "shin":
        reasons[(reasons == "") & (booksum < 1.0)] = "booksum below 1: no insider share z >= 0 balances it"
    ok = reasons == ""
    if method == "multiplicative":
        parameter = booksum
        p = k[group] * r / booksum[group]
        reasons[ok & (total((p > 1.0).astype(np.float64)) > 0)] = "a probability above 1 (one price too short)"
    elif method == "power":
        parameter, p = _power(r, group, k, ok, total)
    else:
        parameter, p = _shin(r, group, booksum, total)
    ok = reasons == ""
    sums = total(np.where(ok[group], p, 0.0))
    reasons[ok & ~(np.abs(sums - k) <= _TOLERANCE * k)] = f"did not converge to |sum - covers| <= {_TOLERANCE:g}"
    solved = reasons == ""
    return DeviggedMany(np.where(solved[group], p, np.nan), np.where(solved, parameter, np.nan), booksum,
                        solved, tuple(str(x) for x in reasons))


_Total = Callable[[FloatArray], FloatArray]


def _power(r: FloatArray, group: IntArray, k: FloatArray, ok: npt.NDArray[np.bool_],
           total: _Total) -> tuple[FloatArray, FloatArray]:
    """κ with Σ r_i^κ = k per market, and p_i = r_i^κ: Newton from κ = 1. The sum is convex and
    decreasing in κ, so after at most one step every iterate lies left of the root and rises to it."""
    log_r = np.log(r)
    kappa = np.ones(len(k))
    # a market stops stepping once its own step is negligible, so its κ (to the last bit) depends on its
    # prices alone, not on which other markets share the batch (a window's fair prices then repeat
    # exactly from one window to the next for the markets that did not move)
    live = ok.copy()
    for _ in range(_NEWTON_STEPS):
        rk = r ** kappa[group]
        slope = total(rk * log_r)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(live & (slope < 0), (total(rk) - k) / slope, 0.0)
        nxt = kappa - step
        # the root is positive (Σ r_i^κ -> n > k as κ -> 0): never step to κ <= 0
        kappa = np.where(live, np.where(nxt > 0, nxt, kappa / 2), kappa)
        live &= ~(np.abs(step) <= 1e-15 * kappa)
        if not live.any():
            break
    return kappa, r ** kappa[group]


def _shin(r: FloatArray, group: IntArray, booksum: FloatArray, total: _Total) -> tuple[FloatArray, FloatArray]:
    """z in [0, 1) with Σ p_i(z) = 1 per market, by bisection, and the p_i(z)."""
    q = r * r / booksum[group]

    def probs(z: FloatArray) -> FloatArray:
        zg = z[group]
        return (np.sqrt(zg * zg + 4.0 * (1.0 - zg) * q) - zg) / (2.0 * (1.0 - zg))

    lo = np.zeros(len(booksum))
    hi = np.full(len(booksum), 1.0 - 1e-12)
    for _ in range(_BISECTIONS):
        mid = (lo + hi) / 2
        above = total(probs(mid)) > 1.0  # still too much probability: more insiders
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    z = (lo + hi) / 2
    return z, probs(z)
