"""The daily market reports: definitions, and the part of "who moves first" that is plain arithmetic.

Each report covers one UTC day D = [D 00:00, D+1 00:00), is computed from the stored history (change-only
``market_odds_history``, the engine's ledger of complete event scrapes ``snapshots.event_ids``, and
``events``) by :mod:`odds_assets.db.analytics_daily`, and is written idempotently (the day's rows deleted,
then inserted, in one transaction). Competition and kick-off are the event's (``events``: BetPawa's names
when it lists the match). Times are UTC; odds are the stored exact decimals.

**Observed state.** A state of a market instance (book × event × market type × line) is a history row;
it is *observed on D* when a complete scrape of its event by that book on D showed it: every available
history row written on D (rows are written at complete scrapes), and the state in force at D 00:00 when
it is available and the book's first complete scrape of the event on D came before the instance's next
row (observed at that scrape). Each observed state counts once, however long it lasted.

**opening_closing** — one row per event × book × market × line × outcome for the events whose kick-off
falls on D (a day owns an event by its kick-off), for every outcome that had a bettable price (a price,
active) in a state written before kick-off:

- *opening*: the first such price and when it was written (``opening_at``; history kept by retention only);
- *closing*: the last such price before kick-off and when it was written (``closing_at``); ``closing_seen_at``
  = the latest complete scrape of the event by that book, before kick-off, that still showed it (before the
  next state of the instance, if one came before kick-off); ``closing_age_s`` = kick-off − ``closing_seen_at``;
  ``low_confidence`` when that age exceeds two cadences (the book had stopped confirming the price).

**margin_report** — per D × book × competition × market type × time-to-kick-off bucket (kick-off −
observed time: ``7d+`` ≥ 7 days, ``3-7d`` ≥ 3 days, ``24-72h`` ≥ 24 hours, ``<24h`` otherwise; states observed
at or after kick-off are left out): ``observations`` = observed states (above), ``with_margin`` = those with
a margin, and the mean, median, min and max margin. The margin of a state is its type's catalogue rule
(:mod:`odds_assets.analytics.margin`, the ``overround`` check's and ``odds show``'s): Σ 1/odds ÷ k − 1 for a
complete, priced and bettable set, none otherwise (SQL twin: ``market_margin_rules``). A day's
observation is a state, not a length of time: a planted constant margin per book and type is the report's
mean and median exactly, whatever the prices' lifetimes.

**lead_lag** ("who moves first") — per D × book pair (a < b by id) × market type. A book's series per event
× market × line × outcome is its *fair probability* (the outcome's probability with the book's margin
removed by the multiplicative method, k·r_i / B, for a complete, priced, bettable set of a type with a
margin; otherwise the series is broken, like a suspension or a gone market). Multiplicative, not the
power default of the fair prices: the same method for every book is what matters here (a margin change
that moves every outcome alike is no move either way), and the power method's Newton iterations over a
day's 4.6 M states took a minute of the benchmark on their own. A *move* is a change of at least
:data:`MOVE_THRESHOLD` (1 %) of the earlier probability between two consecutive *persisting* states of the
series (relative, so always above one price step: a cent on odds 1/p moves p by about 0.01·p², less than
0.01·p; an absolute 1 point would miss every move of an outcome under ~50 % smaller than two points),
written on D: a state persists when it still holds at the book's next written window (a flicker
A → B → A is no move); no move is counted across a break (the first price after a reopen is not a move).
A move happened in the interval (the book's previous written window, its ``captured_at``]. Two books'
moves of the same outcome in the same direction are paired when each is the other's nearest such move
within :data:`PAIR_WINDOW_S` (30 minutes; mutual nearest, so each move is paired at most once). Book a
moved first when its interval ends at or before b's begins, b when b's ends at or before a's begins,
otherwise it is a tie (the scrapes cannot order them). ``pairs``, ``a_first``, ``b_first``, ``ties``,
``events`` (distinct events among the pairs) and the median lag |t_b − t_a| in seconds over the pairs with
a leader (and per leader). Lags under one cadence cannot be resolved; see ``docs`` analytics-notes §3.

**coverage_gaps** — per D × competition × competitor (every book but BetPawa): an event is *listed* by a
book on D when the book scraped it completely on D (the ledger); ``events_not_at_betpawa`` = listed by the
competitor and not by BetPawa, ``events_not_at_competitor`` the reverse; for events both listed, a market
(type and line) is *offered* by a book when it had an observed state on D: ``markets_not_at_betpawa`` =
offered by the competitor and not by BetPawa, with ``events_with_market_gaps``; each gap also one row in
``analytics_coverage_gap_details``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd

__all__ = [
    "BUCKETS",
    "MOVE_THRESHOLD",
    "PAIR_WINDOW_S",
    "REPORTS",
    "DayBounds",
    "day_bounds",
    "find_moves",
    "lead_lag_table",
    "pair_moves",
]

#: the four daily reports (asset names)
REPORTS = ("opening_closing", "margin_report", "lead_lag", "coverage_gaps")
#: time-to-kick-off buckets of the margin report, longest first
BUCKETS = ("7d+", "3-7d", "24-72h", "<24h")
#: a move of a fair probability is at least this share of the earlier probability (1 %)
MOVE_THRESHOLD = 0.01
#: two books' moves are paired within this many seconds
PAIR_WINDOW_S = 1800
_EPS = 1e-12


@dataclass(frozen=True, slots=True)
class DayBounds:
    """One UTC day as the half-open interval [start, end)."""

    day: date
    start: datetime
    end: datetime


def day_bounds(day: date) -> DayBounds:
    """``day`` (a ``date``) as [00:00 UTC, next 00:00 UTC)."""
    if isinstance(day, datetime):
        raise TypeError(f"day must be a date, not a datetime: {day!r}")
    start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    return DayBounds(day, start, start + timedelta(days=1))


def find_moves(series: Mapping[str, np.ndarray], *, threshold: float = MOVE_THRESHOLD) -> dict[str, np.ndarray]:
    """The moves of fair-probability series (module docstring).

    ``series``: arrays of one entry per state and outcome, sorted by ``series`` then ``t``: ``series`` (id of
    book × event × market × line × outcome), ``t`` (the state's ``captured_at``, any unit that orders), ``p``
    (fair probability, NaN: broken), ``persistent`` (still held at the book's next window), ``in_day``
    (written on the day). Returns ``ix`` (the moves' positions in ``series``) and ``direction`` (+1
    probability up, −1 down)."""
    keep = np.flatnonzero(series["persistent"] | np.isnan(series["p"]))
    sid = series["series"][keep]
    p = series["p"][keep].astype(np.float64)
    same = np.zeros(len(keep), dtype=bool)
    same[1:] = sid[1:] == sid[:-1]
    delta = np.full(len(keep), np.nan)
    delta[1:] = p[1:] - p[:-1]
    before = np.full(len(keep), np.nan)
    before[1:] = p[:-1]
    with np.errstate(invalid="ignore"):
        moved = same & (np.abs(delta) >= threshold * before - _EPS) & series["in_day"][keep]
    return {"ix": keep[moved], "direction": np.sign(delta[moved]).astype(np.int8)}


def pair_moves(a: pd.DataFrame, b: pd.DataFrame, *, window_s: int = PAIR_WINDOW_S) -> pd.DataFrame:
    """Pairs of two books' moves (frames of :func:`find_moves` with an ``outcome_key`` column: event ×
    market × line × outcome, the same id at both books): same outcome, same direction, each the other's
    nearest within ``window_s``. Columns: ``market_id``, ``sr_event_id``, ``t_a``, ``t_b``, ``start_a``,
    ``start_b``."""
    cols = ["match", "t", "start", "market_id", "sr_event_id"]
    if a.empty or b.empty:
        return pd.DataFrame(columns=["market_id", "sr_event_id", "t_a", "t_b", "start_a", "start_b"])

    def prepared(frame: pd.DataFrame, tag: str) -> pd.DataFrame:
        f = frame.assign(match=frame["outcome_key"].to_numpy() * 2 + (frame["direction"].to_numpy() > 0))[cols]
        f = f.reset_index(drop=True)
        f[f"id_{tag}"] = np.arange(len(f))
        return f.sort_values("t", kind="stable")

    fa, fb = prepared(a, "a"), prepared(b, "b")
    tol = window_s * 1_000_000
    ab = pd.merge_asof(fa, fb[["match", "t", "id_b"]].rename(columns={"t": "t_other"}).assign(t=lambda f: f["t_other"]),
                       on="t", by="match", direction="nearest", tolerance=tol)
    ba = pd.merge_asof(fb, fa[["match", "t", "id_a"]].rename(columns={"t": "t_other"}).assign(t=lambda f: f["t_other"]),
                       on="t", by="match", direction="nearest", tolerance=tol)
    ab = ab.dropna(subset=["id_b"])
    back = pd.Series(ba["id_a"].to_numpy(), index=ba["id_b"].to_numpy())
    mutual = ab[back.reindex(ab["id_b"].astype(np.int64).to_numpy()).to_numpy() == ab["id_a"].to_numpy()]
    other = fb.set_index("id_b").loc[mutual["id_b"].astype(np.int64).to_numpy()]
    return pd.DataFrame({"market_id": mutual["market_id"].to_numpy(), "sr_event_id": mutual["sr_event_id"].to_numpy(),
                         "t_a": mutual["t"].to_numpy(), "t_b": other["t"].to_numpy(),
                         "start_a": mutual["start"].to_numpy(), "start_b": other["start"].to_numpy()})


def lead_lag_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per ``market_id``: ``pairs``, ``a_first``, ``b_first``, ``ties``, ``events`` and the median lags in
    seconds (``median_lag_s`` over pairs with a leader, and per leader; NaN when none)."""
    if pairs.empty:
        return pd.DataFrame(columns=["market_id", "pairs", "a_first", "b_first", "ties", "events", "median_lag_s",
                                     "median_lag_a_first_s", "median_lag_b_first_s"])
    f = pairs.copy()
    f["a_led"] = f["t_a"] <= f["start_b"]
    f["b_led"] = (f["t_b"] <= f["start_a"]) & ~f["a_led"]
    f["lag_s"] = (f["t_b"] - f["t_a"]).abs() / 1e6
    f["lag_led"] = f["lag_s"].where(f["a_led"] | f["b_led"])
    f["lag_a"] = f["lag_s"].where(f["a_led"])
    f["lag_b"] = f["lag_s"].where(f["b_led"])
    g = f.groupby("market_id")
    out = pd.DataFrame({
        "pairs": g.size(), "a_first": g["a_led"].sum(), "b_first": g["b_led"].sum(),
        "events": g["sr_event_id"].nunique(), "median_lag_s": g["lag_led"].median(),
        "median_lag_a_first_s": g["lag_a"].median(), "median_lag_b_first_s": g["lag_b"].median()})
    out["ties"] = out["pairs"] - out["a_first"] - out["b_first"]
    return out.reset_index()
