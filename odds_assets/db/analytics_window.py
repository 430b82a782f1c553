"""Window-level market analytics: fair prices, BetPawa's edge and exposure episodes for one window
(plain functions on a psycopg connection, in ``db`` because they read and write the odds database; the
Dagster assets ``fair_prices`` and ``exposure`` call them; the price arithmetic is ``odds_assets.analytics``).

Definitions, for a window W = [start, end):

- **Prices as of W**: every book's available market instances as history records them at ``end`` (the
  board of each event's latest complete scrape before the window's end), for events kicking off after
  ``start`` (``events.kickoff``). Keys with no history row at or after ``end`` are read from current (so
  the live window costs one read of current); the others from their latest history row before ``end``.
  So a backfill of an old window reads what the live run read. A book that wrote nothing in W (held
  back, late, down) contributes its latest earlier board: the window is computed with what is there.
  Each instance's ``changed_at`` is when its outcomes last changed before ``end`` (the rule of
  ``market_odds_current.last_updated_at``); the **age** of a price at W is ``end − changed_at``.
- **Fair price** (``analytics.benchmark.fair_prices_frame``): competitors SportyBet and Bet9ja, margin
  removed by the market type's catalogue rule, ``ODDS_FAIR_METHOD`` (``power`` default,
  ``multiplicative``, ``shin``), averaged over the competitors pricing the market completely.
- **Edge** of a BetPawa outcome = BetPawa odds × fair probability − 1 (only for an active, priced
  BetPawa outcome).
- **Best price** of an outcome: the highest active price over the three books' *complete* instances
  (every outcome of the type's set priced and bettable: a partial instance cannot be held to the same
  partition of results) (``best_bookmakers``: every book quoting it). **Best implied** of an instance
  (a catalogued type with a margin of its own, every outcome of its set with a best price): Σ 1/best ÷ k
  (k: how many outcomes cover each result). An
  outcome is an **arbitrage against BetPawa** when the best implied is below 1 (by more than 1e-12, float
  rounding) and BetPawa quotes that outcome's best price.
- **Rows** of ``fair_prices_current`` / ``fair_prices_history``: every outcome with a fair price or in an
  instance with a best implied. A row's values: BetPawa odds, fair probability and odds, edge,
  competitors used, method, best odds and books, best implied, arbitrage.
- **Exposure** of a BetPawa outcome at W, of kind ``edge`` when its edge > ``ODDS_EXPOSURE_EDGE``
  (default 0.03), of kind ``arb`` when it is an arbitrage against BetPawa (both kinds can hold at once,
  as two episodes). An **episode** is a maximal run of consecutive computed windows in which it holds:
  ``started_at`` = the first window's start, ``ended_at`` = the start of the first window in which it no
  longer holds (NULL while open). Its **peak** is the window of greatest severity (edge for ``edge``,
  1 − best implied for ``arb``; the earliest on ties), with BetPawa's price, the fair odds, the edge and
  the best implied there. At its start: the **age** of each book's price of the instance, and the
  **first mover**: of the competitors whose instance changed after BetPawa's last change, the one that
  changed first (and when); none when BetPawa itself moved into the exposure. **Correction time**
  (when it closes): if BetPawa's instance changed in the closing window (``changed_at`` ≥ its start),
  BetPawa's change time − (the first move, else ``started_at``); otherwise NULL (the market moved back,
  or the outcome left the board).

Writing is idempotent per window. ``fair_prices``: the window's change rows are rewritten from the
difference between its state and the stored state just before it (current, with keys changed at or
after W read from history), and ``fair_prices_current`` moves only for a window at or after the newest
computed one. ``exposure``: a window continues, closes, opens or re-peaks the episodes around it
(``max`` peaks and window-start bounds repeat exactly); run in window order, a range gives what the live
run gave one window at a time. Re-running an old window after its prices changed (a re-derivation) fixes
that window's rows only: re-run the windows after it, in order, too (peaks are maxima and are not
lowered).

Incremental windows (:func:`plan_window`, the same results as the whole board): a window that follows
the asset's newest computed one, on the same basis (nothing written since for scrapes before that
window's end; same method and threshold), recomputes only the instances whose inputs may have changed
(:func:`window_changes`) and keeps the stored values of the others; any other window computes the whole
board (the reference path).
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import psycopg
from psycopg import sql

from odds_assets.analytics.benchmark import COMPETITORS, REFERENCE, fair_prices_frame
from odds_assets.analytics.fair import METHODS, Method
from odds_assets.analytics.margin import market_shapes, underlying_market_id
from odds_assets.db import queries
from odds_assets.db.engine import NOTIFY_CHANNEL
from odds_assets.db.keys import NO_LINE
from odds_assets.errors import MarginError
from odds_assets.models import BOOKMAKER_IDS, BOOKMAKERS

__all__ = [
    "DEFAULT_EXPOSURE_EDGE",
    "ExposureResult",
    "FairResult",
    "WindowSettings",
    "read_prices",
    "shared_window_state",
    "update_exposure",
    "window_state",
    "exposure_window",
    "fair_window",
    "plan_window",
    "window_changes",
    "write_fair_prices",
]

DEFAULT_EXPOSURE_EDGE = 0.03
ARB_TOLERANCE = 1e-12
KEY = ["sr_event_id", "market_id", "line_hundredths", "outcome"]
#: the values of a fair-price row that make a change (history row) when any of them differs
VALUES = ["betpawa_odds", "fair_probability", "fair_odds", "edge", "competitors", "method", "best_odds",
          "best_bookmakers", "market_implied", "arbitrage"]
_BOOK_NAMES = {v: k for k, v in BOOKMAKER_IDS.items()}
#: bit mask of books (bit i: BOOKMAKERS[i]) -> their names, comma-separated in BOOKMAKERS order
_BEST_NAMES = {mask: ",".join(b for i, b in enumerate(BOOKMAKERS) if mask >> i & 1)
               for mask in range(1, 1 << len(BOOKMAKERS))}


@dataclass(frozen=True, slots=True)
class WindowSettings:
    """``ODDS_FAIR_METHOD`` (margin removal) and ``ODDS_EXPOSURE_EDGE`` (the exposure threshold)."""

    method: Method = "power"
    exposure_edge: float = DEFAULT_EXPOSURE_EDGE

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> WindowSettings:
        env = dict(os.environ) if env is None else env
        method = env.get("ODDS_FAIR_METHOD", "power") or "power"
        if method not in METHODS:
            raise MarginError(f"ODDS_FAIR_METHOD={method!r}: one of {', '.join(METHODS)}")
        raw = env.get("ODDS_EXPOSURE_EDGE", "") or str(DEFAULT_EXPOSURE_EDGE)
        try:
            edge = float(raw)
        except ValueError as exc:
            raise MarginError(f"ODDS_EXPOSURE_EDGE={raw!r}: not a number") from exc
        if not 0.0 <= edge < 1.0:
            raise MarginError(f"ODDS_EXPOSURE_EDGE={raw!r}: must be in [0, 1)")
        return cls(method, edge)


# --- prices as of a window ---------------------------------------------------------------------------

def _read_csv(conn: psycopg.Connection[Any], name: str, params: dict[str, Any], columns: list[str],
              dtypes: dict[str, Any], nullable: tuple[str, ...] = ()) -> pd.DataFrame:
    """The rows of ``sql/<name>.sql`` as one CSV text built by the server (``string_agg``), parsed by
    pandas: at a board's size far cheaper than Python row objects or a COPY read row by row. Text columns
    are quoted; only ``nullable`` columns read an empty field as missing; floats are written by PostgreSQL
    in their shortest exact form and parsed back exactly; booleans come as ``true``/``false``."""
    fields = []
    for c in columns:
        col = sql.Identifier(c)
        if dtypes[c] is object:
            fields.append(sql.SQL("""coalesce('"' || replace({}::text, '"', '""') || '"', '')""").format(col))
        else:
            fields.append(sql.SQL("coalesce({}::text, '')").format(col))
    statement = sql.SQL("SELECT string_agg(concat_ws(',', {}), E'\\n') FROM ({}\n) AS q ({})").format(
        sql.SQL(", ").join(fields), sql.SQL(queries.load(name).strip().rstrip(";")),
        sql.SQL(", ").join(map(sql.Identifier, columns)))
    row = conn.execute(statement, params).fetchone()
    text = row[0] if row and row[0] else ""
    bools = [c for c, t in dtypes.items() if t is bool]
    if not text:
        return pd.DataFrame({c: pd.Series(dtype=(bool if t is bool else t)) for c, t in dtypes.items()})[columns]
    df = pd.read_csv(io.StringIO(text), names=columns, header=None, keep_default_na=False,
                     na_values={c: [""] for c in nullable},
                     dtype={c: (str if t is bool else t) for c, t in dtypes.items()})
    for c in bools:
        df[c] = df[c].eq("true")
    return df


def read_prices(conn: psycopg.Connection[Any], start: datetime, end: datetime, dirty: bool = False) -> pd.DataFrame:
    """One row per outcome of every book's available instances as of the window (module docstring):
    sr_event_id, bookmaker (name), market_id, line_hundredths, line (None or the hundredths), outcome,
    odds_text ("" without a price), odds (float, NaN), active, changed_at (epoch seconds). ``dirty``: only
    the instances in ``_window_dirty`` (:func:`window_changes`)."""
    cols = ["sr_event_id", "bookmaker", "market_id", "line_hundredths", "changed_at", "outcome", "odds_text", "active",
            "ord"]
    name = "select_outcomes_as_of_dirty" if dirty else "select_outcomes_as_of"
    df = _read_csv(conn, name, {"start": start, "end": end}, cols,
                   {"sr_event_id": np.int64, "bookmaker": np.int64, "market_id": np.int64, "line_hundredths": np.int64,
                    "changed_at": np.float64, "outcome": object, "odds_text": object, "active": bool, "ord": np.int64})
    # one order whatever path (current or history) a row came by: float sums then repeat exactly
    df = df.sort_values(["sr_event_id", "bookmaker", "market_id", "line_hundredths", "ord"], kind="stable",
                        ignore_index=True).drop(columns=["ord"])
    df["bookmaker"] = df["bookmaker"].map(_BOOK_NAMES)
    df["odds"] = pd.to_numeric(df["odds_text"].replace("", np.nan))
    lh = df["line_hundredths"].to_numpy()
    line = pd.Series(lh, dtype=object)
    line[lh == NO_LINE] = None
    df["line"] = line
    return df


def _type_sets() -> pd.DataFrame:
    rows = [(mid, name, len(shape.outcomes), shape.rule.covers) for mid, shape in market_shapes().items()
            if shape.rule.covers is not None and shape.outcomes is not None for name in shape.outcomes]
    return pd.DataFrame(rows, columns=["market_id", "outcome", "set_size", "covers"])


#: the last state computed in this process: (database, window, method, write fingerprint, instances) -> state
_MEMO: dict[tuple[Any, ...], pd.DataFrame] = {}


def shared_window_state(conn: psycopg.Connection[Any], start: datetime, end: datetime, method: Method = "power"
                        ) -> pd.DataFrame:
    """:func:`window_state` of the whole board, reused when this process computed it for the same database,
    window and method and nothing was written since (the write engine's ``snapshots`` rows unchanged)."""
    fingerprint = tuple(conn.execute(queries.load("select_write_fingerprint")).fetchone() or ())
    key = (conn.info.dsn, start, end, method, fingerprint, None)
    if key not in _MEMO:
        _MEMO.clear()
        _MEMO[key] = window_state(conn, start, end, method)
    return _MEMO[key]


def window_state(conn: psycopg.Connection[Any], start: datetime, end: datetime, method: Method = "power",
                 dirty: bool = False) -> pd.DataFrame:
    """The window's fair-price rows (module docstring): KEY, the VALUES, and per book the instance's
    ``<book>_changed_at`` (epoch seconds; NaN when the book does not list it). ``dirty``: the rows of the
    instances in ``_window_dirty`` only (:func:`window_changes`), each computed exactly as in the whole
    board (every value depends on its own instance, and a derived one on its underlying, which the set
    holds too)."""
    prices = read_prices(conn, start, end, dirty)
    inst = ["sr_event_id", "market_id", "line_hundredths"]
    fair = fair_prices_frame(prices[["sr_event_id", "bookmaker", "market_id", "line", "outcome", "odds", "active"]],
                             method=method)
    fair = fair.assign(line_hundredths=[NO_LINE if x is None else int(x) for x in fair["line"]])
    fair = fair[[*KEY, "fair_probability", "fair_odds", "competitors"]].astype(
        {"sr_event_id": np.int64, "market_id": np.int64, "line_hundredths": np.int64})

    live = prices[prices["active"] & prices["odds"].notna()]
    # only a book's complete instance (every outcome of the type's set priced and bettable) offers best
    # prices: a partial one (outcomes the book does not list, or a mapping that covers part of its set)
    # cannot be held to the same partition of results, and would make false arbitrages
    typed = live.merge(_type_sets()[["market_id", "outcome", "set_size"]], on=["market_id", "outcome"], how="inner")
    full = typed.groupby([*inst, "bookmaker"], sort=False).agg(
        n=("outcome", "size"), set_size=("set_size", "first")).reset_index()
    live = live.merge(full.loc[full["n"] == full["set_size"], [*inst, "bookmaker"]], on=[*inst, "bookmaker"])
    best = live.groupby(KEY, sort=False)["odds"].max().rename("best").reset_index()
    at_best = live.merge(best, on=KEY)
    at_best = at_best[at_best["odds"] == at_best["best"]]
    # one row per book at the best price: the sum of the books' bits is the set quoting it
    at_best = at_best.assign(bit=at_best["bookmaker"].map({b: 1 << i for i, b in enumerate(BOOKMAKERS)}))
    best = at_best.groupby(KEY, sort=False).agg(best_odds=("odds_text", "first"), mask=("bit", "sum")).reset_index()
    best["best_bookmakers"] = best["mask"].map(_BEST_NAMES)
    best = best.merge(_type_sets(), on=["market_id", "outcome"], how="inner").sort_values(KEY, ignore_index=True)
    best["inv"] = 1.0 / pd.to_numeric(best["best_odds"])
    per = best.groupby(inst, sort=False).agg(n=("outcome", "size"), set_size=("set_size", "first"),
                                             covers=("covers", "first"), inv=("inv", "sum")).reset_index()
    per = per[per["n"] == per["set_size"]]
    per["market_implied"] = per["inv"] / per["covers"]
    best = best.merge(per[[*inst, "market_implied"]], on=inst, how="left")
    best = best[[*KEY, "best_odds", "best_bookmakers", "mask", "market_implied"]]

    bp = prices[(prices["bookmaker"] == REFERENCE) & prices["active"] & prices["odds"].notna()]
    bp = bp[[*KEY, "odds_text", "odds"]].rename(columns={"odds_text": "betpawa_odds", "odds": "bp"})

    state = fair.merge(best, on=KEY, how="outer")
    state = state[state["fair_probability"].notna() | state["market_implied"].notna()]
    state = state.merge(bp, on=KEY, how="left")
    state["edge"] = state["bp"] * state["fair_probability"] - 1.0
    bp_best = (state["mask"].fillna(0).astype(np.int64) & 1 << BOOKMAKERS.index(REFERENCE)) > 0
    state["arbitrage"] = (state["market_implied"] < 1.0 - ARB_TOLERANCE) & bp_best & state["bp"].notna()
    state["method"] = method
    changed = prices.drop_duplicates([*inst, "bookmaker"]).pivot(index=inst, columns="bookmaker",
                                                                 values="changed_at")
    changed = changed.reindex(columns=list(BOOKMAKERS)).add_suffix("_changed_at").reset_index()
    state = state.merge(changed, on=inst, how="left")
    state = state.drop(columns=["bp", "mask"]).sort_values(KEY, kind="stable").reset_index(drop=True)
    return state


# --- incremental windows -----------------------------------------------------------------------------

INSTANCE = ["sr_event_id", "market_id", "line_hundredths"]
#: integer figures of a fair-price window that add up over instances (an incremental window updates them)
FAIR_COUNTS = ("priced_instances", "priced_outcomes", "outcomes_with_edge", "positive_edges", "arbitrage_outcomes",
               "betpawa_instances", "priced_betpawa_instances")


@dataclass(frozen=True)
class Plan:
    """How one asset computes one window.

    ``basis``: what the window is computed from, kept in its ledger row (``figures["basis"]``): the
    write engine's fingerprint of scrapes before the window's end (``select_snapshots_fingerprint``, read
    before the prices), the method and, for ``exposure``, the threshold. ``dirty`` (incremental): the
    instances recomputed, ``previous`` the ledger row (start, end, figures) the window follows; ``None``:
    the whole board (the reference path)."""

    basis: dict[str, Any]
    previous: tuple[datetime, datetime, dict[str, Any]] | None = None
    dirty: pd.DataFrame | None = None
    #: ``exposure``: where the unchanged outcomes' fair values as of the window are read: ``current``
    #: (``fair_prices_current`` holds the previous window or this one) or ``history`` (a later one)
    fair_values: str = "current"

    @property
    def incremental(self) -> bool:
        return self.dirty is not None


def _fingerprint(conn: psycopg.Connection[Any], before: datetime) -> list[Any]:
    row = conn.execute(queries.load("select_snapshots_fingerprint"), {"before": before}).fetchone()
    return [int(row[0]), str(row[1])] if row else [0, "0"]


def _previous(conn: psycopg.Connection[Any], asset: str) -> tuple[datetime, datetime, dict[str, Any]] | None:
    row = conn.execute(queries.load("select_analytics_previous"), {"asset": asset}).fetchone()
    return (row[0], row[1], row[2]) if row else None


@cache
def _derivations() -> tuple[dict[int, list[int]], dict[int, int]]:
    """(underlying market id -> the derived market ids computed from it, derived -> its underlying)."""
    down: dict[int, list[int]] = {}
    up: dict[int, int] = {}
    for mid, shape in market_shapes().items():
        if shape.rule.underlying is not None:
            umid = underlying_market_id(shape.rule.underlying)
            down.setdefault(umid, []).append(mid)
            up[mid] = umid
    return down, up


def window_changes(conn: psycopg.Connection[Any], previous_start: datetime, start: datetime, end: datetime
                   ) -> pd.DataFrame:
    """The instances an incremental window W = [start, end) recomputes after the computed window starting
    at ``previous_start`` (its predecessor), left in the session table ``_window_dirty``: every instance
    with a history row captured in W (any book: new, changed, gone, back); every instance of an event
    that kicked off in (previous start, start] or whose listing changed at a book in W; then, for each,
    the market types derived from it (same event and line: double chance from 1X2) and, for a derived
    one, its underlying (its fair price is computed from it). Every other instance has the inputs it had
    in the previous window, so its stored values stand."""
    raw = conn.execute(queries.load("select_window_changes"),
                       {"prev": previous_start, "start": start, "end": end}).fetchall()
    down, up = _derivations()
    keys = set(raw)
    for sr, mid, lh in list(keys):
        for d in down.get(mid, ()):
            keys.add((sr, d, lh))
    for sr, mid, lh in list(keys):
        if mid in up:
            keys.add((sr, up[mid], lh))
    dirty = pd.DataFrame(sorted(keys), columns=INSTANCE).astype(np.int64)
    conn.execute(queries.load("create_window_dirty"))
    conn.execute(queries.load("truncate_window_dirty"))
    copy_sql = "COPY _window_dirty (sr_event_id, market_id, line_hundredths) FROM STDIN"
    with conn.cursor() as cur, cur.copy(copy_sql) as cp:
        for row in dirty.itertuples(index=False, name=None):
            cp.write_row(row)
    conn.execute(queries.load("analyze_window_dirty"))
    return dirty


def plan_window(conn: psycopg.Connection[Any], asset: str, start: datetime, end: datetime,
                settings: WindowSettings, incremental: bool = True) -> Plan:
    """Whether ``asset`` (``fair_prices`` or ``exposure``) computes the window incrementally, and from what.

    Incremental when the window is the successor of the asset's newest computed window (its end is this
    start) and that window's basis still holds (nothing written since for scrapes before its end; same
    method and threshold); for ``exposure`` also when ``fair_prices`` computed this window or the previous
    one on the same basis (the unchanged outcomes' values read from ``fair_prices_current``, or from
    ``fair_prices_history`` when ``fair_prices`` is further ahead, as after a range run's first step).
    Otherwise (first run, a backfill of an old window, a gap, a late write, ``incremental=False``): the
    whole board."""
    basis: dict[str, Any] = {"snapshots": _fingerprint(conn, end), "method": settings.method}
    if asset == "exposure":
        basis["exposure_edge"] = settings.exposure_edge
    if not incremental:
        return Plan(basis)
    prev = _previous(conn, asset)
    if prev is None or prev[1] != start or prev[0] >= start:
        return Plan(basis)
    before = _fingerprint(conn, start)
    if prev[2].get("basis") != {**basis, "snapshots": before}:
        return Plan(basis)
    if asset == "fair_prices" and any(k not in prev[2] for k in FAIR_COUNTS):
        return Plan(basis)
    source = "current"
    if asset == "exposure":
        fair = _previous(conn, "fair_prices")
        if fair is None:
            return Plan(basis)
        if fair[0] > start:  # fair_prices is ahead (a range run computes all its windows first)
            source = "history"
            row = conn.execute(queries.load("select_analytics_window"), {"asset": "fair_prices", "start": start}
                               ).fetchone()
            fair, wanted = (row[0], row[1], row[2]) if row else None, basis["snapshots"]
            if fair is None:
                return Plan(basis)
        else:
            wanted = {prev[0]: before, start: basis["snapshots"]}.get(fair[0])
        fb = fair[2].get("basis") or {}
        if wanted is None or fb.get("snapshots") != wanted or fb.get("method") != settings.method:
            return Plan(basis)
    return Plan(basis, prev, window_changes(conn, prev[0], start, end), source)


def planned_state(conn: psycopg.Connection[Any], start: datetime, end: datetime, plan: Plan,
                  method: Method = "power") -> pd.DataFrame:
    """The state a plan needs (the whole board, or its instances), reused within this process while the
    same window, method and writes hold: ``exposure`` runs right after ``fair_prices`` in the same run
    process (an incremental plan takes its instances from a whole board computed here)."""
    written = tuple(conn.execute(queries.load("select_write_fingerprint")).fetchone() or ())
    key = (conn.info.dsn, start, end, method, written)
    if (*key, None) in _MEMO:
        full = _MEMO[(*key, None)]
        if plan.dirty is None:
            return full
        keep = pd.MultiIndex.from_frame(full[INSTANCE]).isin(pd.MultiIndex.from_frame(plan.dirty))
        return full[keep].reset_index(drop=True)
    inst = plan.previous[0] if plan.dirty is not None and plan.previous is not None else None
    if (*key, inst) not in _MEMO:
        state = window_state(conn, start, end, method, dirty=plan.incremental)
        _MEMO.clear()
        _MEMO[(*key, inst)] = state
    return _MEMO[(*key, inst)]


def fair_window(conn: psycopg.Connection[Any], start: datetime, end: datetime, settings: WindowSettings,
                incremental: bool = True) -> FairResult:
    """What the ``fair_prices`` asset does for one window: plan (:func:`plan_window`), state, write."""
    plan = plan_window(conn, "fair_prices", start, end, settings, incremental)
    return write_fair_prices(conn, start, end, planned_state(conn, start, end, plan, settings.method), plan)


def exposure_window(conn: psycopg.Connection[Any], start: datetime, end: datetime, settings: WindowSettings,
                    incremental: bool = True) -> ExposureResult:
    """What the ``exposure`` asset does for one window: plan, state (reused from ``fair_prices`` in the
    same process), update the episodes."""
    plan = plan_window(conn, "exposure", start, end, settings, incremental)
    state = planned_state(conn, start, end, plan, settings.method)
    return update_exposure(conn, start, end, state, settings.exposure_edge, plan)


# --- fair prices: write one window ------------------------------------------------------------------

@dataclass(frozen=True)
class FairResult:
    """What writing one window's fair prices did, and the figures shown in Dagster."""

    window_start: datetime
    rows: int
    changed: int
    removed: int
    moved_current: bool
    figures: dict[str, Any] = field(default_factory=dict)
    incremental: bool = False


def _differs(a: pd.Series, b: pd.Series) -> npt.NDArray[np.bool_]:
    """Element-wise a != b, missing == missing (floats compared exactly)."""
    both_missing = (a.isna() & b.isna()).to_numpy()
    if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
        same = a.to_numpy(dtype=np.float64) == b.to_numpy(dtype=np.float64)
    else:
        same = (a.astype(object) == b.astype(object)).to_numpy(dtype=bool)
    return ~(same | both_missing)


_FAIR_DTYPES: dict[str, Any] = {
    "sr_event_id": np.int64, "market_id": np.int64, "line_hundredths": np.int64, "outcome": object,
    "betpawa_odds": object, "fair_probability": np.float64, "fair_odds": np.float64, "edge": np.float64,
    "competitors": object, "method": object, "best_odds": object, "best_bookmakers": object,
    "market_implied": np.float64, "arbitrage": bool}
_FAIR_NULLABLE = ("betpawa_odds", "fair_probability", "fair_odds", "edge", "competitors", "best_odds",
                  "best_bookmakers", "market_implied")


def _before(conn: psycopg.Connection[Any], w: datetime) -> pd.DataFrame:
    """The stored fair-price rows just before window ``w`` (``select_fair_state_before``)."""
    return _read_csv(conn, "select_fair_state_before", {"w": w}, list(_FAIR_DTYPES), _FAIR_DTYPES,
                     nullable=_FAIR_NULLABLE)


def _copy_rows(conn: psycopg.Connection[Any], table: str, cols: list[str], frame: pd.DataFrame) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
        for row in frame[cols].itertuples(index=False, name=None):
            copy.write_row([None if (isinstance(v, float) and np.isnan(v)) or v is pd.NaT else v for v in row])


def write_fair_prices(conn: psycopg.Connection[Any], start: datetime, end: datetime, state: pd.DataFrame,
                      plan: Plan | None = None) -> FairResult:
    """Write the window's fair prices (module docstring) in one transaction; idempotent. With an
    incremental ``plan``, ``state`` holds the plan's instances only: they are compared with their stored
    rows, every other row stands (and the window's counts are the previous window's, moved by the
    difference over these instances)."""
    st = state[[*KEY, *VALUES]]
    inc = plan is not None and plan.incremental
    with conn.transaction():
        conn.execute(queries.load("lock_analytics_writers"))
        latest = conn.execute(queries.load("select_analytics_latest"), {"asset": "fair_prices"}).fetchone()
        newest = latest is None or latest[0] is None or start >= latest[0]
        if inc:
            assert plan is not None and plan.previous is not None
            if latest is None or latest[0] != plan.previous[0]:
                raise MarginError(f"fair_prices {start.isoformat()}: another run computed window "
                                  f"{latest and latest[0]} meanwhile; run this window again")
            before = _read_csv(conn, "select_fair_state_dirty", {}, list(_FAIR_DTYPES), _FAIR_DTYPES,
                               nullable=_FAIR_NULLABLE)
        else:
            before = _before(conn, start)
        m = st.merge(before, on=KEY, how="outer", suffixes=("", "_b"), indicator=True)
        differs = np.zeros(len(m), dtype=bool)
        for c in VALUES:
            differs |= _differs(m[c], m[f"{c}_b"])
        new_or_changed = m[(m["_merge"] == "left_only") | ((m["_merge"] == "both") & differs)]
        gone = m[m["_merge"] == "right_only"]
        stage = pd.concat([new_or_changed[[*KEY, *VALUES]].assign(present=True),
                           gone[KEY].assign(present=False)], ignore_index=True)
        conn.execute(queries.load("create_fair_stage"))
        _copy_rows(conn, "_fair_stage", [*KEY, "present", *VALUES], stage.reindex(columns=[*KEY, "present", *VALUES]))
        conn.execute(queries.load("delete_fair_history_window"), {"w": start})
        conn.execute(queries.load("insert_fair_history"), {"w": start})
        if newest:
            conn.execute(queries.load("delete_fair_current_gone"))
            conn.execute(queries.load("upsert_fair_current"), {"w": start})
        if inc:
            assert plan is not None and plan.previous is not None
            p_start, p_end, p_fig = plan.previous
            listed = conn.execute(queries.load("select_betpawa_listed_dirty"),
                                  {"start": p_start, "end": p_end, "bookmaker": BOOKMAKER_IDS[REFERENCE]}).fetchall()
            old = _counts(before, pd.MultiIndex.from_frame(before[INSTANCE]).isin(listed))
            now = _counts(state, state["betpawa_changed_at"].notna().to_numpy())
            figures: dict[str, Any] = {k: int(p_fig[k]) - old[k] + now[k] for k in FAIR_COUNTS}
        else:
            figures = fair_figures(state)
        if newest:  # the whole window's edges are fair_prices_current's now (one way for both paths)
            top, mean = conn.execute(queries.load("select_fair_edge_summary")).fetchone() or (None, None)
            figures["max_edge"] = float(top) if top is not None else 0.0
            figures["mean_betpawa_edge"] = float(mean) if mean is not None else 0.0
        figures["share_betpawa_priced"] = (figures["priced_betpawa_instances"] / figures["betpawa_instances"]
                                           if figures["betpawa_instances"] else 0.0)
        # what the stored window holds (not what this run did), so a re-run writes the same ledger row
        changed_rows, removed_rows = conn.execute(queries.load("select_fair_history_counts"),
                                                  {"w": start}).fetchone() or (0, 0)
        figures.update({"changed_rows": int(changed_rows), "removed_rows": int(removed_rows)})
        ledger = {**figures, "basis": plan.basis} if plan is not None else figures
        conn.execute(queries.load("upsert_analytics_window"),
                     {"asset": "fair_prices", "start": start, "end": end, "figures": json.dumps(ledger)})
    if not inc and len(stage) > 10_000:  # a bulk change: statistics now, not at autovacuum's next pass
        conn.execute(queries.load("analyze_window_analytics"))
    return FairResult(start, len(st), len(new_or_changed), len(gone), newest, figures, inc)


def _counts(rows: pd.DataFrame, betpawa_listed: npt.NDArray[np.bool_]) -> dict[str, int]:
    """The additive counts (``FAIR_COUNTS``) of fair-price rows; ``betpawa_listed``: per row, whether
    BetPawa lists its instance in the window."""
    priced = rows["fair_probability"].notna().to_numpy()
    edges = rows["edge"].dropna()
    inst = rows[INSTANCE]
    return {
        "priced_instances": int(len(inst[priced].drop_duplicates())),
        "priced_outcomes": int(priced.sum()),
        "outcomes_with_edge": int(len(edges)),
        "positive_edges": int((edges > 0).sum()),
        "arbitrage_outcomes": int(rows["arbitrage"].astype(bool).sum()),
        "betpawa_instances": int(len(inst[betpawa_listed].drop_duplicates())),
        "priced_betpawa_instances": int(len(inst[priced & betpawa_listed].drop_duplicates())),
    }


def fair_figures(state: pd.DataFrame) -> dict[str, Any]:
    """Counts and numbers of one window's state (plain ints and floats)."""
    figures: dict[str, Any] = _counts(state, state["betpawa_changed_at"].notna().to_numpy())
    edges = state["edge"].dropna()
    figures.update({
        "max_edge": float(edges.max()) if len(edges) else 0.0,
        "mean_betpawa_edge": float(edges.mean()) if len(edges) else 0.0,
        "share_betpawa_priced": (figures["priced_betpawa_instances"] / figures["betpawa_instances"]
                                 if figures["betpawa_instances"] else 0.0),
    })
    return figures


# --- exposure episodes -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExposureResult:
    """What one window did to the exposure episodes, and the figures shown in Dagster."""

    window_start: datetime
    opened: int
    closed: int
    open_episodes: int
    top: list[dict[str, Any]]
    figures: dict[str, Any] = field(default_factory=dict)
    incremental: bool = False


EPISODE_COLUMNS = ["sr_event_id", "market_id", "line_hundredths", "outcome", "kind", "started_at", "ended_at",
                   "peak_at", "peak_edge", "peak_betpawa_odds", "peak_fair_odds", "peak_market_implied",
                   "first_mover", "first_move_at", "betpawa_age_s", "sportybet_age_s", "bet9ja_age_s",
                   "correction_s"]
KEY5 = [*KEY, "kind"]
_EPISODE_DTYPES: dict[str, Any] = {
    "sr_event_id": np.int64, "market_id": np.int64, "line_hundredths": np.int64, "outcome": object, "kind": object,
    "started_at": np.float64, "ended_at": np.float64, "peak_at": np.float64, "peak_edge": np.float64,
    "peak_betpawa_odds": object, "peak_fair_odds": np.float64, "peak_market_implied": np.float64,
    "first_mover": object, "first_move_at": np.float64, "betpawa_age_s": np.float64, "sportybet_age_s": np.float64,
    "bet9ja_age_s": np.float64, "correction_s": np.float64}
_NULL_TEXT = ("peak_betpawa_odds", "first_mover")


def flags(state: pd.DataFrame, exposure_edge: float) -> pd.DataFrame:
    """The window's exposed BetPawa outcomes: one row per outcome and kind, with its severity."""
    edge = state[state["edge"] > exposure_edge].assign(kind="edge")
    edge["severity"] = edge["edge"]
    arb = state[state["arbitrage"]].assign(kind="arb")
    arb["severity"] = 1.0 - arb["market_implied"]
    return pd.concat([edge, arb], ignore_index=True)


def _severity(ep: pd.DataFrame) -> pd.Series:
    return pd.Series(np.where(ep["kind"] == "edge", ep["peak_edge"], 1.0 - ep["peak_market_implied"]),
                     index=ep.index, dtype=np.float64)


def update_exposure(conn: psycopg.Connection[Any], start: datetime, end: datetime, state: pd.DataFrame,
                    exposure_edge: float = DEFAULT_EXPOSURE_EDGE, plan: Plan | None = None) -> ExposureResult:
    """Continue, close, open and re-peak the episodes around the window (module docstring); idempotent.
    With an incremental ``plan``, ``state`` holds the plan's instances only and only their episodes are
    touched: every other outcome is flagged as in the previous window, so its episode just continues."""
    inc = plan is not None and plan.incremental
    f = flags(state, exposure_edge)
    w = start.timestamp()  # times are epoch seconds inside (window starts are exact in float64)
    e_ts = end.timestamp()
    with conn.transaction():
        conn.execute(queries.load("lock_analytics_writers"))
        if inc:
            assert plan is not None and plan.previous is not None
            latest = conn.execute(queries.load("select_analytics_latest"), {"asset": "exposure"}).fetchone()
            if latest is None or latest[0] != plan.previous[0]:
                raise MarginError(f"exposure {start.isoformat()}: another run computed window "
                                  f"{latest and latest[0]} meanwhile; run this window again")
        ex = _read_csv(conn, "select_exposure_episodes_at_dirty" if inc else "select_exposure_episodes_at",
                       {"w": start}, EPISODE_COLUMNS, _EPISODE_DTYPES,
                       nullable=tuple(c for c, t in _EPISODE_DTYPES.items() if t is np.float64 or c in _NULL_TEXT))
        covering = ex[ex["ended_at"].isna() | (ex["ended_at"] > w)]
        closed_here = ex[ex["ended_at"] == w]
        writes: list[pd.DataFrame] = []

        # flagged outcomes: continue (maybe a new peak), reopen (a re-run with other prices), or open
        m = f.merge(covering, on=KEY5, how="left", indicator="cov", suffixes=("", "_ep"))
        cont = m[m["cov"] == "both"]
        sev, stored = cont["severity"].to_numpy(), _severity(cont).to_numpy()
        # a new peak: more severe; or as severe at an earlier window than the stored peak (ties: earliest)
        repeak = cont[(sev > stored) | ((sev == stored) & (cont["peak_at"] > w).to_numpy())]
        if len(repeak):
            writes.append(_episode_rows(repeak, w))
        rest = m[m["cov"] == "left_only"][f.columns]
        r2 = rest.merge(closed_here, on=KEY5, how="left", indicator="cl")
        reopen = r2[r2["cl"] == "both"]
        if len(reopen):
            rows = _episode_rows(reopen, w, keep_peak=True)
            rows["ended_at"] = np.nan
            rows["correction_s"] = np.nan
            writes.append(rows)
        new = r2[r2["cl"] == "left_only"][f.columns]
        if len(new):
            writes.append(_new_episodes(new, w, e_ts))

        # episodes not flagged here: close those open before the window, delete those starting at it
        unflagged = covering.merge(f[KEY5], on=KEY5, how="left", indicator="fl")
        unflagged = unflagged[unflagged["fl"] == "left_only"][EPISODE_COLUMNS]
        to_close = unflagged[(unflagged["started_at"] < w) & unflagged["ended_at"].isna()].copy()
        if len(to_close):
            bp_changed = state.drop_duplicates(["sr_event_id", "market_id", "line_hundredths"])[
                ["sr_event_id", "market_id", "line_hundredths", "betpawa_changed_at"]]
            to_close = to_close.merge(bp_changed, on=["sr_event_id", "market_id", "line_hundredths"], how="left")
            to_close["ended_at"] = w
            since = to_close["first_move_at"].fillna(to_close["started_at"])
            corrected = to_close["betpawa_changed_at"].notna() & (to_close["betpawa_changed_at"] >= w)
            to_close["correction_s"] = np.where(corrected, to_close["betpawa_changed_at"] - since, np.nan)
            writes.append(to_close[EPISODE_COLUMNS].assign(op="u"))
        to_delete = unflagged[unflagged["started_at"] == w]
        if len(to_delete):
            writes.append(to_delete.assign(op="d"))

        stage = pd.concat(writes, ignore_index=True) if writes else pd.DataFrame(columns=["op", *EPISODE_COLUMNS])
        if len(stage):
            conn.execute(queries.load("create_exposure_stage"))
            _copy_rows(conn, "_exposure_stage", ["op", *EPISODE_COLUMNS], _plain(stage))
            conn.execute(queries.load("delete_exposure_staged"))
            conn.execute(queries.load("upsert_exposure_staged"))
        # what the stored episodes say about the window (not what this run did): a re-run repeats it
        opened, closed, n_open = conn.execute(queries.load("select_exposure_counts_at"),
                                              {"w": start}).fetchone() or (0, 0, 0)
        starts = covering[[*KEY5, "started_at"]]
        exposed = f[[*KEY5, "edge", "market_implied", "betpawa_odds", "fair_odds", "severity"]].merge(
            starts, on=KEY5, how="left")
        exposed["started_at"] = exposed["started_at"].fillna(w)
        n_edge, n_arb = int((exposed["kind"] == "edge").sum()), int((exposed["kind"] == "arb").sum())
        top_edge = float(exposed["edge"].max()) if exposed["edge"].notna().any() else None
        if inc:  # the outcomes outside the plan are exposed as in the previous window, values as stored
            assert plan is not None
            suffix = "_history" if plan.fair_values == "history" else ""
            conn.execute(queries.load("set_local_no_nestloop"))
            more_edge, more_arb, more_top = conn.execute(queries.load("select_exposed_clean_summary" + suffix),
                                                         {"w": start}).fetchone() or (0, 0, None)
            n_edge, n_arb = n_edge + int(more_edge), n_arb + int(more_arb)
            if more_top is not None:
                top_edge = float(more_top) if top_edge is None else max(top_edge, float(more_top))
            clean = _read_csv(conn, "select_exposed_clean_top" + suffix, {"w": start}, [*_EXPOSED_COLUMNS, "severity"],
                              {**_EXPOSED_DTYPES, "severity": np.float64},
                              nullable=("edge", "market_implied", "betpawa_odds", "fair_odds"))
            exposed = pd.concat([exposed, clean[exposed.columns]], ignore_index=True)
        top = _top_open(exposed)
        figures = {"exposed_outcomes": n_edge + n_arb, "exposed_edge": n_edge, "exposed_arb": n_arb,
                   "open_episodes": int(n_open), "opened": int(opened), "closed": int(closed),
                   "max_exposure_edge": top_edge if top_edge is not None else 0.0}
        ledger = {**figures, "basis": plan.basis} if plan is not None else figures
        conn.execute(queries.load("upsert_analytics_window"),
                     {"asset": "exposure", "start": start, "end": end, "figures": json.dumps(ledger)})
        # the board's pages refresh on it (delivered at COMMIT): {"asset": "exposure", "window": …, "open": n}
        conn.execute(queries.load("notify_window"), {"channel": NOTIFY_CHANNEL, "payload": json.dumps(
            {"asset": "exposure", "window": start.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "open": int(n_open)}, separators=(",", ":"))})
    if not inc and len(stage) > 10_000:  # a bulk change: statistics now, not at autovacuum's next pass
        conn.execute(queries.load("analyze_window_analytics"))
    return ExposureResult(start, int(opened), int(closed), int(n_open), top, figures, inc)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=["op", *EPISODE_COLUMNS]).astype(object)
    return out.where(pd.notna(out), None)


def _episode_rows(m: pd.DataFrame, w: float, keep_peak: bool = False) -> pd.DataFrame:
    """Whole rows of existing episodes (merged with the window's flags), the peak moved to this window
    unless ``keep_peak``."""
    rows = m[EPISODE_COLUMNS].copy()
    if not keep_peak:
        rows["peak_at"] = w
        rows["peak_edge"] = m["edge"].to_numpy()
        rows["peak_betpawa_odds"] = m["betpawa_odds"].to_numpy()
        rows["peak_fair_odds"] = m["fair_odds"].to_numpy()
        rows["peak_market_implied"] = m["market_implied"].to_numpy()
    return rows.assign(op="u")


def _new_episodes(new: pd.DataFrame, w: float, end: float) -> pd.DataFrame:
    """Rows of the episodes opening at the window: peak here, first mover and ages at the start."""
    rows = new[KEY5].copy()
    rows["started_at"] = w
    rows["ended_at"] = np.nan
    rows["peak_at"] = w
    rows["peak_edge"] = new["edge"].to_numpy()
    rows["peak_betpawa_odds"] = new["betpawa_odds"].to_numpy()
    rows["peak_fair_odds"] = new["fair_odds"].to_numpy()
    rows["peak_market_implied"] = new["market_implied"].to_numpy()
    bp = new["betpawa_changed_at"]
    first_at = pd.Series(np.nan, index=new.index, dtype=np.float64)
    first_by = pd.Series(None, index=new.index, dtype=object)
    for book in COMPETITORS:  # in COMPETITORS order: on a tie the first listed is named
        t = new[f"{book}_changed_at"]
        moved = t.notna() & (bp.isna() | (t > bp))
        better = moved & (first_at.isna() | (t < first_at))
        first_at = first_at.where(~better, t)
        first_by = first_by.where(~better, book)
    rows["first_mover"] = first_by.to_numpy()
    rows["first_move_at"] = first_at.to_numpy()
    for book in BOOKMAKERS:
        rows[f"{book}_age_s"] = (end - new[f"{book}_changed_at"]).to_numpy()
    rows["correction_s"] = np.nan
    return rows[EPISODE_COLUMNS].assign(op="u")


_EXPOSED_COLUMNS = [*KEY5, "started_at", "edge", "market_implied", "betpawa_odds", "fair_odds"]
_EXPOSED_DTYPES: dict[str, Any] = {
    "sr_event_id": np.int64, "market_id": np.int64, "line_hundredths": np.int64, "outcome": object, "kind": object,
    "started_at": np.float64, "edge": np.float64, "market_implied": np.float64, "betpawa_odds": object,
    "fair_odds": np.float64}


def _top_open(exposed: pd.DataFrame) -> list[dict[str, Any]]:
    """The five open exposures of greatest severity at the window (flagged now), for the UI."""
    top = exposed.sort_values(["severity", *KEY5], ascending=[False, True, True, True, True, True]).head(5)
    records: list[dict[str, Any]] = top.to_dict("records")  # type: ignore[assignment]
    return [{"sr_event_id": int(r["sr_event_id"]), "market_id": int(r["market_id"]),
             "line": None if r["line_hundredths"] == NO_LINE else r["line_hundredths"] / 100,
             "outcome": r["outcome"], "kind": r["kind"],
             "edge": None if pd.isna(r["edge"]) else round(float(r["edge"]), 4),
             "betpawa_odds": None if pd.isna(r["betpawa_odds"]) else r["betpawa_odds"],
             "fair_odds": None if pd.isna(r["fair_odds"]) else round(float(r["fair_odds"]), 3),
             "since": datetime.fromtimestamp(float(r["started_at"]), timezone.utc).isoformat()} for r in records]


def fair_state_at(conn: psycopg.Connection[Any], start: datetime) -> pd.DataFrame:
    """The stored fair-price rows as of the computed window starting at ``start`` (its change rows
    included: rows are stamped with window starts, so "before start + 1 s" is "at or before start")."""
    return _before(conn, start + timedelta(seconds=1))


def fair_sums_off(state: pd.DataFrame, tolerance: float = 1e-9) -> tuple[int, list[dict[str, Any]]]:
    """(instances with fair probabilities, those whose sum is not their type's k within ``tolerance``)."""
    priced = state[state["fair_probability"].notna()]
    if priced.empty:
        return 0, []
    sums = priced.groupby(["sr_event_id", "market_id", "line_hundredths"])["fair_probability"].sum().reset_index()
    covers = {mid: shape.rule.covers for mid, shape in market_shapes().items()}
    sums["k"] = sums["market_id"].map(covers)
    off = sums[~((sums["fair_probability"] - sums["k"]).abs() <= tolerance)]
    records: list[dict[str, Any]] = off.head(50).to_dict("records")  # type: ignore[assignment]
    return len(sums), [{"sr_event_id": int(r["sr_event_id"]), "market_id": int(r["market_id"]),
                        "line_hundredths": int(r["line_hundredths"]), "sum": float(r["fair_probability"]),
                        "k": None if pd.isna(r["k"]) else float(r["k"])} for r in records]


def episodes_closed_at(conn: psycopg.Connection[Any], start: datetime) -> tuple[int, int]:
    """(episodes closed at the window, those of them whose end is not after their start)."""
    row = conn.execute(queries.load("select_exposure_closed_at"), {"w": start}).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def window_bounds(start: datetime, cadence_minutes: int) -> tuple[datetime, datetime]:
    """(start, end) of the window starting at ``start``."""
    return start, start + timedelta(minutes=cadence_minutes)
