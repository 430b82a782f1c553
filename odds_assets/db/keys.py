"""The market key: how a line is stored, and how (market id, line) packs into one integer.

This module and migration 0005's SQL functions are the only places that spell the encoding out; the
engine, the trader's view and the SQL in ``db/sql/`` go through them.

Lines are stored as exact hundredths (``line_hundredths``)
----------------------------------------------------------
- **Exact.** Football lines are quarter and half goals; a line with more than two decimals or beyond
  ±327.67 is rejected, never rounded (:data:`BAD_LINE` marks it so that it equals no stored key). No
  float is ever involved: ``Decimal("2.5") * 100`` is exactly 250.
- **A smallint, with** :data:`NO_LINE` **(-32768) for "no line".** History grows with every change of
  every market, so its rows and index entries must stay small: a NOT NULL smallint (the column needs
  no null bitmap) keeps an index entry of ``market_odds_history`` at 32 bytes (migration 0001).
  -32768 is free for the purpose because |line| <= 327.67 leaves -32767..32767 to real lines.
- ``market_odds_current`` keeps the line as ``numeric`` with NULL for "no line" (its unique key is
  NULLS NOT DISTINCT, so a line of 0 — handicap 0, a real line — and no line are two keys); SQL maps
  between the two forms with ``odds_line_hundredths`` / ``odds_line_from_hundredths`` (migration 0001).

The key packs (market id, line) into one int64
----------------------------------------------
``market_id << 17 | (line_hundredths + 65536)``. The engine classifies a board by merging on two
integer columns (event, key) instead of three with a nullable decimal, and the state queries return one
``bigint[]`` per round trip. 17 bits hold any offset line: stored lines give 32768..98303, and
:data:`BAD_LINE` gives 25536, still non-negative (so it does not borrow from the market id) and never
equal to a stored key. A market id is an ``integer`` (< 2**31), so a key is < 2**48: exact in int64
and in ``bigint``. In SQL: ``odds_market_key``, ``odds_key_market_id``, ``odds_key_line_hundredths``
(migration 0005; simple SQL functions, inlined by the planner, so they cost nothing and an index on
``market_id`` / ``line_hundredths`` is still used).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "BAD_LINE",
    "NO_LINE",
    "hundredths",
    "line_hundredths",
    "line_of",
    "market_id_of_keys",
    "market_key",
    "market_keys",
    "split_key",
]

#: ``line_hundredths`` of a market without a line (``market_odds_history`` stores it NOT NULL).
NO_LINE: Final = -32768
#: Hundredths of a line that cannot be stored (more than 2 decimals, out of range, not a number).
BAD_LINE: Final = -40000

_LINE_BITS: Final = 17
_LINE_OFFSET: Final = 65536
_LINE_MASK: Final = (1 << _LINE_BITS) - 1
_MAX_HUNDREDTHS: Final = 32767


def hundredths(line: object) -> int:
    """Exact hundredths of a line given as a ``Decimal`` or its text; :data:`NO_LINE` for ``None``,
    :data:`BAD_LINE` for anything that is not a number with at most 2 decimals within ±327.67."""
    if line is None:
        return NO_LINE
    try:
        value = Decimal(str(line)) * 100
    except (InvalidOperation, ValueError):
        return BAD_LINE
    if not value.is_finite() or value != value.to_integral_value() or abs(value) > _MAX_HUNDREDTHS:
        return BAD_LINE
    return int(value)


def line_hundredths(lines: pd.Series) -> npt.NDArray[np.int64]:
    """:func:`hundredths` of a column of line texts (None / NaN for no line), as int64."""
    codes, uniques = pd.factorize(lines, sort=False)  # a board has a few dozen distinct lines
    table = np.empty(len(uniques) + 1, dtype=np.int64)
    for i, text in enumerate(uniques):
        table[i] = hundredths(text)
    table[-1] = NO_LINE  # code -1: missing, i.e. no line
    return table[codes]


def line_of(line_h: int) -> Decimal | None:
    """The line of stored hundredths, normalised (``Decimal("2.5")``); ``None`` for :data:`NO_LINE`."""
    return None if line_h == NO_LINE else Decimal(line_h).scaleb(-2).normalize()


def market_key(market_id: int, line_h: int) -> int:
    """The key of one (market id, line hundredths)."""
    return (market_id << _LINE_BITS) + (line_h + _LINE_OFFSET)


def split_key(key: int) -> tuple[int, int]:
    """(market id, line hundredths) of a key: the inverse of :func:`market_key`."""
    return key >> _LINE_BITS, (key & _LINE_MASK) - _LINE_OFFSET


def market_keys(market_ids: npt.ArrayLike, line_h: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """:func:`market_key` of two columns, as int64."""
    return (np.asarray(market_ids, dtype=np.int64) << _LINE_BITS) + (line_h + _LINE_OFFSET)


def market_id_of_keys(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The market ids of a column of keys."""
    return keys >> _LINE_BITS
