"""The market key encoding (``odds_assets.db.keys``) and its SQL twin (migration 0005 and 0001's line
functions): hand-computed values, the Python and SQL sides agreeing over the edge values against the
real database, the round trip, and the SQL functions being inlined by the planner (so they cost nothing).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from odds_assets.db import keys

# market ids: the smallest, a common one, the largest in the catalogue, the largest an integer column holds
MARKET_IDS = [1, 3743, 28000810, 2**31 - 1]
# lines: none, quarter/half/whole goals of both signs, a line of 0 (a real line, not "none"), the extremes
LINES = [None, "-0.25", "0", "2.5", "0.01", "-0.01", "-3.75", "10.5", "100", "327.67", "-327.67"]


@pytest.mark.parametrize(("line", "expected"), [
    (None, -32768), ("-0.25", -25), ("0", 0), ("2.5", 250), (Decimal("2.50"), 250), ("327.67", 32767),
    ("-327.67", -32767), ("100", 10000),
    # not storable: more than 2 decimals, out of range (-327.68 would be the "no line" sentinel), not a number
    ("2.555", keys.BAD_LINE), ("327.68", keys.BAD_LINE), ("-327.68", keys.BAD_LINE), ("abc", keys.BAD_LINE),
    ("NaN", keys.BAD_LINE), ("Infinity", keys.BAD_LINE), ("~", keys.BAD_LINE),
])
def test_hundredths(line: object, expected: int) -> None:
    assert keys.hundredths(line) == expected


def test_keys_by_hand() -> None:
    assert keys.NO_LINE == -32768
    assert keys.market_key(1, 0) == 196608  # 1 << 17 | (0 + 65536)
    assert keys.market_key(3743, keys.NO_LINE) == 490635264
    assert keys.market_key(28000810, 250) == 3670122234106
    assert keys.market_key(2**31 - 1, 32767) == 281474976677887 < 2**48
    # an unstorable line still keeps its market id and never equals a stored key
    assert keys.split_key(keys.market_key(5, keys.BAD_LINE)) == (5, keys.BAD_LINE)
    assert keys.market_key(5, keys.BAD_LINE) < keys.market_key(5, keys.NO_LINE)


def test_line_of() -> None:
    assert keys.line_of(keys.NO_LINE) is None
    assert [keys.line_of(h) for h in (-25, 0, 250, 10000, 32767)] == [
        Decimal("-0.25"), 0, Decimal("2.5"), 100, Decimal("327.67")]
    assert str(keys.line_of(250)) == "2.5"  # normalised, not 2.50


def test_columns_agree_with_scalars() -> None:
    lines = pd.Series([*LINES, float("nan"), "2.555"], dtype=object)
    h = keys.line_hundredths(lines)
    assert h.dtype == np.int64
    assert h.tolist() == [keys.hundredths(x) for x in LINES] + [keys.NO_LINE, keys.BAD_LINE]
    ids = np.array([MARKET_IDS[i % len(MARKET_IDS)] for i in range(len(h))])
    k = keys.market_keys(ids, h)
    assert k.tolist() == [keys.market_key(int(m), int(x)) for m, x in zip(ids, h)]
    assert keys.market_id_of_keys(k).tolist() == ids.tolist()


def test_python_and_sql_agree_and_round_trip(odds_conn) -> None:
    rows = odds_conn.execute(
        "SELECT m, l, odds_line_hundredths(l), odds_market_key(m, odds_line_hundredths(l)), "
        "       odds_key_market_id(odds_market_key(m, odds_line_hundredths(l))), "
        "       odds_key_line_hundredths(odds_market_key(m, odds_line_hundredths(l))), "
        "       odds_line_from_hundredths(odds_line_hundredths(l)) "
        "FROM unnest(%s::integer[]) AS m, unnest(%s::numeric[]) AS l",
        (MARKET_IDS, [None if x is None else Decimal(x) for x in LINES])).fetchall()
    assert len(rows) == len(MARKET_IDS) * len(LINES)
    for market_id, line, sql_h, sql_k, sql_mid, sql_lh, sql_line in rows:
        h = keys.hundredths(line)
        assert h != keys.BAD_LINE
        assert sql_h == h
        assert sql_k == keys.market_key(market_id, h)
        assert (sql_mid, sql_lh) == keys.split_key(sql_k) == (market_id, h)
        assert sql_line == keys.line_of(h) == line  # numeric equality: 2.50 == 2.5; NULL = no line
    assert len({r[3] for r in rows}) == len(rows)  # one key per (market, line)


def test_sql_key_functions_are_inlined(odds_conn) -> None:
    plan = "\n".join(r[0] for r in odds_conn.execute(
        "EXPLAIN (VERBOSE, COSTS OFF) "
        "SELECT odds_market_key(m, h), odds_key_market_id(k), odds_key_line_hundredths(k) "
        "FROM unnest(%s::integer[]) AS m, unnest(%s::smallint[]) AS h, unnest(%s::bigint[]) AS k",
        ([1], [0], [196608])))
    assert "<< 17" in plan and ">> 17" in plan  # the bodies are in the plan ...
    assert "odds_market_key" not in plan and "odds_key_" not in plan  # ... not calls of the functions
