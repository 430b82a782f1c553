"""Computes and writes the daily reports defined in :mod:`odds_assets.analytics.daily` (no Dagster).

:func:`run_daily` computes one report for one UTC day and writes it idempotently: in one transaction the
day's rows are deleted and the new ones inserted, so a re-run (a backfill after a late window or a
re-derivation) replaces the day and nothing else. Each returns a :class:`DailyResult`: rows written,
figures for the Dagster metadata, the books the report covers and those that wrote a window that day.

How (measured on the benchmark's day: 2,000 events × 3 books × 50 markets, 1-minute windows, 1 %
change per minute, 4.6 M history rows; ``benchmarks/analytics_daily.py``):

- ``opening_closing`` and ``coverage_gaps`` are set-based SQL (``db/sql/*analytics*``): the outcomes text
  is split in PostgreSQL (``odds_outcome_list``, migration 0009); nothing but figures comes back.
- ``margin_report`` and ``lead_lag`` are pandas from one query each: the states come back as three text
  values (one row of CSV-like text instead of 4.6 M rows through the client, which alone took ~20 s by
  ``COPY``), the outcomes are split by pandas' CSV reader, and margins (by the type's rule, the same
  arithmetic as :func:`odds_assets.analytics.margin.market_margin`), fair probabilities (the multiplicative
  formula of :func:`odds_assets.analytics.fair.devig_many`, k·r_i / B), moves and pairs
  (:func:`odds_assets.analytics.daily.find_moves`, ``pair_moves``) are numpy arrays. The margin report in
  SQL (a split and an aggregate per state) cost ~46 s of CPU at the benchmark's size.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from odds_assets.analytics.daily import BUCKETS, REPORTS, day_bounds, find_moves, lead_lag_table, pair_moves
from odds_assets.analytics.margin import market_shapes
from odds_assets.db import queries
from odds_assets.models import BOOKMAKER_IDS, BOOKMAKERS
from odds_assets.snapshot import decode_outcomes

__all__ = ["TABLES", "DailyResult", "books_written", "coverage_gaps", "lead_lag", "margin_report",
           "opening_closing", "run_daily"]

#: the tables of each report (deleted per day in this order, written in the reverse)
TABLES: dict[str, tuple[str, ...]] = {
    "opening_closing": ("analytics_opening_closing",),
    "margin_report": ("analytics_margin_report",),
    "lead_lag": ("analytics_lead_lag",),
    "coverage_gaps": ("analytics_coverage_gaps", "analytics_coverage_gap_details"),
}
_NAMES = {v: k for k, v in BOOKMAKER_IDS.items()}
_REF = BOOKMAKERS[0]


@dataclass(frozen=True)
class DailyResult:
    """What one report computed for one day."""

    report: str
    day: date
    rows: int
    seconds: float
    #: numbers for the Dagster metadata (plotted over partitions) and the checks
    figures: dict[str, float | int] = field(default_factory=dict)
    #: books present in the report / books that wrote a window with events that day and had input for it
    books_covered: tuple[str, ...] = ()
    books_expected: tuple[str, ...] = ()
    #: a few lines of Markdown for the UI
    summary: str = ""


def books_written(conn: psycopg.Connection[Any], day: date) -> tuple[str, ...]:
    """The books that wrote a window with at least one complete event on ``day``."""
    b = day_bounds(day)
    rows = conn.execute(queries.load("select_analytics_books_written"), {"d0": b.start, "d1": b.end}).fetchall()
    return tuple(sorted((_NAMES[r[0]] for r in rows), key=BOOKMAKERS.index))


def _clear(conn: psycopg.Connection[Any], report: str, day: date) -> None:
    for table in TABLES[report]:
        conn.execute(sql.SQL(queries.load("delete_analytics_day")).format(table=sql.Identifier(table)), {"day": day})


def _books(ids: Any) -> tuple[str, ...]:
    return tuple(sorted((_NAMES[int(i)] for i in ids), key=BOOKMAKERS.index))


def opening_closing(conn: psycopg.Connection[Any], day: date, *, cadence_s: int) -> DailyResult:
    """Opening and closing prices of the events kicking off on ``day`` (written; see the definitions)."""
    t0 = time.perf_counter()
    b = day_bounds(day)
    with conn.transaction():
        _clear(conn, "opening_closing", day)
        rows = conn.execute(queries.load("insert_analytics_opening_closing"),
                            {"day": day, "d0": b.start, "d1": b.end, "stale_s": 2 * cadence_s}).rowcount
        stats = conn.execute(queries.load("select_analytics_opening_closing_figures"), {"day": day}).fetchall()
        expected = conn.execute(queries.load("select_analytics_opening_closing_books"),
                                {"d0": b.start, "d1": b.end}).fetchall()
        events = _scalar(conn, "select_analytics_opening_closing_events", {"day": day})
    per = {int(r[0]): r[1:] for r in stats}
    n = sum(int(v[0]) for v in per.values())
    fresh = sum(int(v[1]) for v in per.values())
    figures: dict[str, float | int] = {"rows": rows, "events": events, "closing_prices": n, "low_confidence": n - fresh,
                                       "closing_fresh_share": fresh / n if n else 1.0}
    lines = ["| book | closing prices | younger than two cadences | median age (s) |", "|---|---:|---:|---:|"]
    for bid, (count, fresh_b, _events, median_age) in sorted(per.items()):
        name = _NAMES[bid]
        figures[f"{name}_closing_fresh_share"] = int(fresh_b) / int(count) if count else 1.0
        figures[f"{name}_median_closing_age_s"] = float(median_age) if median_age is not None else float("nan")
        lines.append(f"| {name} | {count} | {int(fresh_b) / int(count):.1%} | {float(median_age):.0f} |")
    summary = (f"**{day}**: {figures['events']} events kicking off, {n} closing prices, "
               f"{figures['closing_fresh_share']:.1%} younger than two cadences ({2 * cadence_s} s)\n\n"
               + "\n".join(lines))
    return DailyResult("opening_closing", day, rows, time.perf_counter() - t0, figures, _books(per),
                       _books(r[0] for r in expected), summary)


def margin_report(conn: psycopg.Connection[Any], day: date) -> DailyResult:
    """The margin report of ``day`` (written; see the definitions). The observed states come from one
    query (``select_analytics_margin_states``); margins (Σ 1/odds ÷ k − 1 by the type's rule, the
    ``overround`` check's), buckets and the per-group figures are computed here on arrays."""
    t0 = time.perf_counter()
    b = day_bounds(day)
    states, outs = _read_states(conn, "select_analytics_margin_states", b.start, b.end)
    book, sr, mid, t = (states[c].to_numpy() for c in ("bookmaker", "sr_event_id", "market_id", "t"))
    del states
    counts = np.bincount(outs["row"].to_numpy(), minlength=len(t)).astype(np.int64)
    name_code, names = pd.factorize(outs["name"].to_numpy())
    valid, covers = _priced_sets(mid, counts, outs, name_code.astype(np.int64), np.asarray(names))
    with np.errstate(divide="ignore", invalid="ignore"):
        booksum = np.bincount(outs["row"].to_numpy(), weights=1.0 / outs["odds"].to_numpy(), minlength=len(t))
        margin = np.where(valid, booksum / np.where(covers > 0, covers, 1.0) - 1.0, np.nan)
    ids = np.unique(sr)
    ev = conn.execute(queries.load("select_analytics_events"), {"ids": ids.tolist()}).fetchall()
    index = pd.Index([int(r[0]) for r in ev])
    at = index.get_indexer(pd.Index(sr))
    if (at < 0).any():  # every history row's event is in events (the engine writes both)
        raise ValueError(f"margin_report {day}: events missing from the events table: {sorted(set(sr[at < 0]))[:10]}")
    kickoff = np.array([int(r[1]) for r in ev], dtype=np.int64)[at]
    competition = np.array([str(r[2]) for r in ev], dtype=object)[at]
    ahead = kickoff - t
    keep = ahead > 0
    day_us = 86_400_000_000
    bucket = np.select([ahead >= 7 * day_us, ahead >= 3 * day_us, ahead >= day_us], [0, 1, 2], 3)
    frame = pd.DataFrame({"bookmaker": book[keep], "competition": competition[keep], "market_id": mid[keep],
                          "bucket": bucket[keep], "margin": margin[keep]})
    g = frame.groupby(["bookmaker", "competition", "market_id", "bucket"], sort=True)["margin"]
    table = pd.DataFrame({"observations": g.size(), "with_margin": g.count(), "mean": g.mean(),
                          "median": g.median(), "min": g.min(), "max": g.max()}).reset_index()
    cols = {c: table[c].to_numpy() for c in table.columns}
    records = [(day, int(cols["bookmaker"][i]), str(cols["competition"][i]), int(cols["market_id"][i]),
                BUCKETS[int(cols["bucket"][i])], int(cols["observations"][i]), int(cols["with_margin"][i]),
                *(_num(cols[c][i]) for c in ("mean", "median", "min", "max"))) for i in range(len(table))]
    with conn.transaction():
        _clear(conn, "margin_report", day)
        with conn.cursor() as cur, cur.copy(
                "COPY analytics_margin_report (day, bookmaker, competition, market_id, bucket, observations, "
                "with_margin, mean_margin, median_margin, min_margin, max_margin) FROM STDIN") as copy:
            for rec in records:
                copy.write_row(rec)
        stats = conn.execute(queries.load("select_analytics_margin_figures"), {"day": day}).fetchall()
    rows = len(records)
    figures: dict[str, float | int] = {"rows": rows}
    lines = ["| book | observations | with a margin | mean margin |", "|---|---:|---:|---:|"]
    for bid, observations, with_margin, mean in stats:
        name = _NAMES[int(bid)]
        figures[f"{name}_observations"] = int(observations)
        figures[f"{name}_mean_margin_pct"] = float(mean) * 100 if mean is not None else float("nan")
        lines.append(f"| {name} | {observations} | {with_margin} | "
                     f"{'—' if mean is None else f'{float(mean) * 100:.2f} %'} |")
    figures["observations"] = sum(int(s[1]) for s in stats)
    figures["with_margin"] = sum(int(s[2]) for s in stats)
    summary = f"**{day}**: {figures['observations']} observed market states, {rows} report rows\n\n" + "\n".join(lines)
    return DailyResult("margin_report", day, rows, time.perf_counter() - t0, figures, _books(s[0] for s in stats),
                       books_written(conn, day), summary)


def coverage_gaps(conn: psycopg.Connection[Any], day: date) -> DailyResult:
    """The coverage gaps of ``day`` against BetPawa (written; see the definitions)."""
    t0 = time.perf_counter()
    b = day_bounds(day)
    params = {"day": day, "d0": b.start, "d1": b.end, "ref": BOOKMAKER_IDS[_REF]}
    with conn.transaction():
        _clear(conn, "coverage_gaps", day)
        conn.execute(queries.load("create_analytics_day_scrapes"), params)
        conn.execute(queries.load("create_analytics_day_states"), params)
        details = conn.execute(queries.load("insert_analytics_coverage_gap_details"), params).rowcount
        rows = conn.execute(queries.load("insert_analytics_coverage_gaps"), params).rowcount
        stats = conn.execute(queries.load("select_analytics_coverage_figures"), params).fetchall()
    figures: dict[str, float | int] = {"rows": rows, "detail_rows": details}
    covered: set[int] = set()
    lines = ["| competitor | events not at BetPawa | BetPawa's events not at it | markets not at BetPawa |",
             "|---|---:|---:|---:|"]
    for bid, ref_events, not_at_ref, not_at_comp, markets in stats:
        name = _NAMES[int(bid)]
        covered.add(int(bid))
        if ref_events:
            covered.add(BOOKMAKER_IDS[_REF])
        figures[f"{name}_events_not_at_betpawa"] = int(not_at_ref)
        figures[f"{name}_events_not_at_competitor"] = int(not_at_comp)
        figures[f"{name}_markets_not_at_betpawa"] = int(markets)
        lines.append(f"| {name} | {not_at_ref} | {not_at_comp} | {markets} |")
    for key in ("events_not_at_betpawa", "events_not_at_competitor", "markets_not_at_betpawa"):
        figures[key] = sum(int(v) for k, v in figures.items() if k.endswith("_" + key) and k != key)
    summary = f"**{day}**: coverage against BetPawa, {details} gaps in detail\n\n" + "\n".join(lines)
    return DailyResult("coverage_gaps", day, rows, time.perf_counter() - t0, figures, _books(covered),
                       books_written(conn, day), summary)


# -- lead-lag ---------------------------------------------------------------------------------------------------

_MARK = "\x01"
#: the sort key's room for a time: seconds into the day + 1
_RANKS = 1 << 18
_KEYS = ["bookmaker", "sr_event_id", "market_id", "line_hundredths", "t", "special"]


def _read_states(conn: psycopg.Connection[Any], name: str, d0: datetime, d1: datetime
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The states ``sql/<name>.sql`` selects (``select_analytics_lead_lag_states``: the day's history rows
    and each carried-in instance's state before the day; ``select_analytics_margin_states``: the states
    observed on the day), unordered: one row per state (``_KEYS``) and one per outcome (``row``, ``name``,
    ``odds`` NaN when unpriced, ``active``); outcomes texts with ``\\`` escapes, tabs, newlines or \\x01 are read by
    :func:`odds_assets.snapshot.decode_outcomes`, the rest by pandas' CSV reader."""
    got = conn.execute(queries.load(name), {"d0": d0, "d1": d1}).fetchone()
    if got is None or not got[0]:
        return (pd.DataFrame({c: pd.Series(dtype="int64") for c in _KEYS}),
                pd.DataFrame({"row": pd.Series(dtype="int64"), "name": pd.Series(dtype=object),
                              "odds": pd.Series(dtype="float64"), "active": pd.Series(dtype=bool)}))
    keys_text, outcomes_text, specials = got
    states = pd.read_csv(io.StringIO(keys_text), header=None, names=_KEYS, dtype=np.int64)
    frame = pd.read_csv(io.StringIO(outcomes_text), sep="\t", header=None, names=["name", "odds", "flag"],
                        quoting=3, keep_default_na=False, na_values={"odds": [""]},
                        dtype={"name": object, "odds": np.float64, "flag": object})
    marker = frame["name"].to_numpy() == _MARK
    outs = pd.DataFrame({"row": (np.cumsum(marker) - 1)[~marker], "name": frame["name"].to_numpy()[~marker],
                         "odds": frame["odds"].to_numpy()[~marker],
                         "active": frame["flag"].to_numpy()[~marker] != "!"})
    special_rows = np.flatnonzero(states["special"].to_numpy() == 1)
    texts = specials if isinstance(specials, list) else json.loads(specials)
    if len(special_rows):
        recs = [(int(r), o.name, float(o.odds) if o.odds is not None else np.nan, o.active)
                for r, text in zip(special_rows, texts) for o in decode_outcomes(text)]
        outs = pd.concat([outs, pd.DataFrame(recs, columns=["row", "name", "odds", "active"])], ignore_index=True)
    return states, outs


def _priced_sets(market_id: np.ndarray, counts: np.ndarray, outs: pd.DataFrame, name_code: np.ndarray,
                 names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per state: whether it has a margin by its type's rule (a complete set — exactly the type's outcomes,
    any for a type outside the catalogue —, every outcome priced and bettable, a type with a margin of its
    own), and the type's k (covers)."""
    n_rows = len(market_id)
    row = outs["row"].to_numpy()
    shapes = market_shapes()
    m_code, m_ids = pd.factorize(market_id)
    covers = np.array([(shapes[int(m)].rule.covers or 0) if int(m) in shapes else 1 for m in m_ids],
                      dtype=np.float64)[m_code]
    want = np.array([len(shapes[int(m)].outcomes or ()) if int(m) in shapes else -1 for m in m_ids],
                    dtype=np.int64)[m_code]
    allowed = np.zeros((len(m_ids), len(names)), dtype=bool)
    position = {str(x): i for i, x in enumerate(names)}
    for i, m in enumerate(m_ids):
        for o in (shapes[int(m)].outcomes or ()) if int(m) in shapes else ():
            if o in position:
                allowed[i, position[o]] = True
    in_set = allowed[m_code[row], name_code]
    good = outs["active"].to_numpy() & ~np.isnan(outs["odds"].to_numpy())
    ok_out = np.bincount(row, weights=good.astype(np.float64), minlength=n_rows)
    ok_name = np.bincount(row, weights=in_set.astype(np.float64), minlength=n_rows)
    valid = (counts > 0) & (ok_out == counts) & (covers > 0)
    valid &= (want < 0) | ((counts == want) & (ok_name == counts))
    return valid, covers


def _fair(market_id: np.ndarray, counts: np.ndarray, outs: pd.DataFrame, name_code: np.ndarray,
          names: np.ndarray) -> np.ndarray:
    """Per outcome row, the book's fair probability by the multiplicative method (k·r_i / B, the formula of
    :func:`odds_assets.analytics.fair.devig_many`, written out here on the whole day's arrays), NaN when its
    market state has none (:func:`_priced_sets`)."""
    valid, covers = _priced_sets(market_id, counts, outs, name_code, names)
    row = outs["row"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        r = 1.0 / outs["odds"].to_numpy()
        booksum = np.bincount(row, weights=np.where(valid[row], r, 0.0), minlength=len(market_id))
        p = np.where(valid[row], covers[row] * r / booksum[row], np.nan)
    # analytics.fair's multiplicative rule: a market covered k > 1 times with a probability above 1 has none
    over = np.bincount(row, weights=(p > 1.0).astype(np.float64), minlength=len(market_id)) > 0
    return np.where(over[row], np.nan, p)


def lead_lag(conn: psycopg.Connection[Any], day: date) -> DailyResult:
    """Who moves first on ``day`` per book pair and market type (written; see the definitions)."""
    t0 = time.perf_counter()
    b = day_bounds(day)
    states, outs = _read_states(conn, "select_analytics_lead_lag_states", b.start, b.end)
    windows = {int(k): np.sort(np.asarray(v, dtype=np.int64)) for k, v in conn.execute(
        queries.load("select_analytics_book_windows"),
        {"from": b.start - timedelta(days=1), "to": b.end + timedelta(days=1)}).fetchall()}
    book, sr, mid, lh, t = (states[c].to_numpy() for c in ("bookmaker", "sr_event_id", "market_id",
                                                           "line_hundredths", "t"))
    del states
    # instance id (book x event x market x line) and the time's rank in the day (seconds + 1; 0 for the state
    # carried in from before it): one int64 sort key
    ev_code = pd.factorize(sr)[0].astype(np.int64)
    mk_code = pd.factorize(mid * 131072 + lh)[0].astype(np.int64)
    inst = (ev_code * (int(mk_code.max(initial=0)) + 1) + mk_code) * 4 + book
    start_us = int(b.start.timestamp() * 1_000_000)
    rank = np.maximum((t - start_us) // 1_000_000 + 1, 0)
    order = np.argsort(inst * _RANKS + rank)
    never = np.iinfo(np.int64).max
    nxt = np.full(len(t), never)
    same = inst[order][:-1] == inst[order][1:]
    nxt[order[:-1][same]] = t[order][1:][same]
    next_window = np.full(len(t), never)
    prev_window = t.copy()
    for bid, times in windows.items():
        mask = book == bid
        i = np.searchsorted(times, t[mask], side="right")
        next_window[mask] = np.where(i < len(times), times[np.minimum(i, len(times) - 1)], never)
        j = np.searchsorted(times, t[mask], side="left") - 1
        prev_window[mask] = np.where(j >= 0, times[np.maximum(j, 0)], t[mask])
    persistent = (nxt > next_window) | (next_window == never)
    counts = np.bincount(outs["row"].to_numpy(), minlength=len(t)).astype(np.int64)
    name_code, names = pd.factorize(outs["name"].to_numpy())
    name_code = name_code.astype(np.int64)
    p = _fair(mid, counts, outs, name_code, np.asarray(names))
    row = outs["row"].to_numpy()
    sid = inst[row] * (len(names) + 1) + name_code
    o2 = np.argsort(sid * _RANKS + rank[row])  # series, then time
    row, sid, name_code, p = row[o2], sid[o2], name_code[o2], p[o2]
    moved = find_moves({"series": sid, "t": t[row], "p": p, "persistent": persistent[row], "in_day": rank[row] > 0})
    ix = moved["ix"]
    r = row[ix]
    moves = pd.DataFrame({"t": t[r], "start": prev_window[r], "direction": moved["direction"], "book": book[r],
                          "sr_event_id": sr[r], "market_id": mid[r], "line_hundredths": lh[r], "name": name_code[ix]})
    moves["outcome_key"] = pd.factorize(pd.MultiIndex.from_arrays(
        [moves["sr_event_id"], moves["market_id"], moves["line_hundredths"], moves["name"]]))[0] \
        if len(moves) else np.zeros(0, dtype=np.int64)
    ids = sorted(BOOKMAKER_IDS.values())
    frames = []
    for i, a in enumerate(ids):
        for bb in ids[i + 1:]:
            ma, mb = moves[moves["book"] == a], moves[moves["book"] == bb]
            types = sorted(set(ma["market_id"].tolist()) | set(mb["market_id"].tolist()))
            if not types:
                continue
            table = lead_lag_table(pair_moves(ma, mb))
            table = pd.DataFrame({"market_id": types}).merge(table, on="market_id", how="left")
            table[["pairs", "a_first", "b_first", "ties", "events"]] = \
                table[["pairs", "a_first", "b_first", "ties", "events"]].fillna(0).astype(np.int64)
            table.insert(0, "book_b", bb)
            table.insert(0, "book_a", a)
            frames.append(table)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    cols = {c: table[c].to_numpy() for c in table.columns} if len(table) else {}
    records = [(day, *(int(cols[c][i]) for c in ("book_a", "book_b", "market_id", "pairs", "a_first", "b_first",
                                                 "ties", "events")),
                *(_num(cols[c][i]) for c in ("median_lag_s", "median_lag_a_first_s", "median_lag_b_first_s")))
               for i in range(len(table))]
    with conn.transaction():
        _clear(conn, "lead_lag", day)
        with conn.cursor() as cur, cur.copy(
                "COPY analytics_lead_lag (day, book_a, book_b, market_id, pairs, a_first, b_first, ties, events, "
                "median_lag_s, median_lag_a_first_s, median_lag_b_first_s) FROM STDIN") as copy:
            for rec in records:
                copy.write_row(rec)
    figures: dict[str, float | int] = {"rows": len(records), "moves": len(moves),
                                       "pairs": int(table["pairs"].sum()) if len(table) else 0}
    lines = ["| books | pairs | first | first | ties | median lag (s) |", "|---|---:|---:|---:|---:|---:|"]
    if len(table):
        for a, bb in sorted(set(zip(cols["book_a"].tolist(), cols["book_b"].tolist()))):
            g = table[(cols["book_a"] == a) & (cols["book_b"] == bb)]
            na, nb = _NAMES[a], _NAMES[bb]
            pairs = int(g["pairs"].sum())
            figures[f"{na}_{nb}_pairs"] = pairs
            figures[f"{na}_first_vs_{nb}"] = int(g["a_first"].sum())
            figures[f"{nb}_first_vs_{na}"] = int(g["b_first"].sum())
            lags = g["median_lag_s"].dropna()
            figures[f"{na}_{nb}_median_lag_s"] = float(lags.median()) if len(lags) else float("nan")
            lines.append(f"| {na} – {nb} | {pairs} | {na} {int(g['a_first'].sum())} | {nb} {int(g['b_first'].sum())} "
                         f"| {int(g['ties'].sum())} | {figures[f'{na}_{nb}_median_lag_s']:.0f} |")
    moved_books = _books(np.unique(moves["book"].to_numpy())) if len(moves) else ()
    covered = _books(set(table["book_a"].tolist()) | set(table["book_b"].tolist())) if len(table) else ()
    written = books_written(conn, day)
    summary = (f"**{day}**: {len(moves)} moves of ≥ 1 %, {figures['pairs']} paired within 30 min "
               "(per pair and market type: medians of the market types' median lags above)\n\n" + "\n".join(lines))
    return DailyResult("lead_lag", day, len(records), time.perf_counter() - t0, figures, covered,
                       tuple(x for x in written if x in moved_books), summary)


def _scalar(conn: psycopg.Connection[Any], name: str, params: dict[str, Any]) -> int:
    row = conn.execute(queries.load(name), params).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _num(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def run_daily(conn: psycopg.Connection[Any], report: str, day: date, *, cadence_s: int) -> DailyResult:
    """Compute and write one report (``REPORTS``) for one day; ``cadence_s`` is the scrape cadence."""
    runners: dict[str, Callable[[], DailyResult]] = {
        "opening_closing": lambda: opening_closing(conn, day, cadence_s=cadence_s),
        "margin_report": lambda: margin_report(conn, day),
        "lead_lag": lambda: lead_lag(conn, day),
        "coverage_gaps": lambda: coverage_gaps(conn, day),
    }
    if report not in REPORTS:
        raise ValueError(f"unknown daily report {report!r}: one of {', '.join(REPORTS)}")
    return runners[report]()
