"""Small text helpers shared by the side-by-side and price-path tables (and their JSON)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

__all__ = ["NOT_OFFERED", "GONE", "SUSPENDED_MARK", "fmt_odds", "fmt_pct", "fmt_time", "iso", "num", "quote_cell"]

#: Cell of a book that does not list the market/line/outcome.
NOT_OFFERED = "—"
#: Cell of a market the book listed and took down.
GONE = "gone"
#: Suffix of a price that is shown but not bettable (suspended outcome).
SUSPENDED_MARK = "*"

_TWO_PLACES = Decimal("0.01")


def fmt_odds(odds: Decimal) -> str:
    """Odds as traders read them: at least two decimals (``2.4`` -> ``2.40``), never rounded."""
    if odds.as_tuple().exponent > -2:  # type: ignore[operator]  # finite decimals have an int exponent
        return str(odds.quantize(_TWO_PLACES))
    return format(odds.normalize(), "f")


def quote_cell(odds: Decimal | None, state: str | None) -> str:
    """One book's quote as a table cell: ``2.40``, ``2.40*`` suspended, ``susp`` unpriced, ``gone``, ``—``."""
    if state is None:
        return NOT_OFFERED
    if state == "gone":
        return GONE
    if state == "suspended":
        return "susp" if odds is None else fmt_odds(odds) + SUSPENDED_MARK
    return NOT_OFFERED if odds is None else fmt_odds(odds)


def fmt_pct(value: Decimal | None) -> str:
    """A margin in percent with two decimals, ``—`` when there is none."""
    return NOT_OFFERED if value is None else f"{value.quantize(_TWO_PLACES)}%"


def fmt_time(ts: datetime | None, *, seconds: bool = False) -> str:
    """A UTC time for a table (``2026-11-24 12:05``), ``—`` when absent."""
    if ts is None:
        return NOT_OFFERED
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def iso(ts: datetime | None) -> str | None:
    """A UTC time for JSON (ISO 8601 with ``Z``)."""
    if ts is None:
        return None
    return ts.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def num(value: Decimal | None) -> float | None:
    """An exact decimal for JSON: a number whose shortest repr is the same decimal (odds, lines, %)."""
    return None if value is None else float(value)
