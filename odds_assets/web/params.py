"""Request parameters as people type them, checked: every malformed or absurd value is a
:class:`QueryError` naming the parameter, answered 400 (never a 500).

The board's filters arrive from an HTML form, where an empty field is sent as ``name=``: empty means
"not set" for every parameter here. Times are ISO 8601; one without an offset is UTC (as every time the
board shows).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from odds_assets.errors import QueryError, TraderError
from odds_assets.models import BOOKMAKERS
from odds_assets.trader.data import parse_line
from odds_assets.web.board import SORTS, BoardQuery
from odds_assets.web.reports import KINDS, ExposureQuery

__all__ = ["MAX_PAGE_SIZE", "MAX_RANGE", "QueryError", "board_query", "day_param", "exposure_query", "int_param",
           "line_param", "text_param", "time_param", "time_range"]

MAX_PAGE_SIZE = 500
#: the longest price-path range asked for (history is kept for ``ODDS_RETENTION_DAYS``, 14 by default)
MAX_RANGE = timedelta(days=62)

_TRUE = ("1", "true", "on", "yes")
_FALSE = ("0", "false", "off", "no")


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def time_param(name: str, text: str | None) -> datetime | None:
    """An ISO 8601 time (``2026-11-29T18:00Z``, ``2026-11-29``); naive is UTC; empty is None."""
    if text is None or _blank(text):
        return None
    try:
        ts = datetime.fromisoformat(text.strip())
    except ValueError:
        raise QueryError(f"{name}: not an ISO 8601 time: {text!r} (e.g. 2026-11-29T18:00Z)") from None
    return ts.replace(tzinfo=timezone.utc) if ts.utcoffset() is None else ts.astimezone(timezone.utc)


def time_range(names: tuple[str, str], start: datetime | None, end: datetime | None,
               *, max_span: timedelta | None = None) -> None:
    """Refuse a range that ends before it starts, or spans more than ``max_span``."""
    if start is not None and end is not None:
        if start > end:
            raise QueryError(f"{names[0]} ({start.isoformat()}) is after {names[1]} ({end.isoformat()})")
        if max_span is not None and end - start > max_span:
            raise QueryError(f"{names[0]}..{names[1]} spans {end - start}; at most {max_span.days} days")


def day_param(name: str, text: str | None) -> date | None:
    """A UTC day, ``YYYY-MM-DD``; empty is None."""
    if text is None or _blank(text):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise QueryError(f"{name}: not a day (YYYY-MM-DD): {text!r}") from None


def text_param(text: str | None) -> str | None:
    """A free text filter: stripped; empty is None."""
    return None if text is None or _blank(text) else text.strip()


def int_param(name: str, text: str | None, default: int, low: int, high: int) -> int:
    """A whole number in ``low..high``; empty is ``default``."""
    return _int(name, text, default, low, high)


def exposure_query(*, hours: str | None = None, open_only: str | None = None, kind: str | None = None,
                   sr: str | None = None, limit: str | None = None) -> ExposureQuery:
    """The exposure page's query from its parameters as text (each checked)."""
    chosen = text_param(kind)
    if chosen is not None and chosen not in KINDS:
        raise QueryError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    return ExposureQuery(hours=_int("hours", hours, 24, 1, 336), open_only=_flag("open_only", open_only),
                         kind=chosen, sr_event_id=None if _blank(sr) else _int("sr", sr, 0, 1, 2**63 - 1),
                         limit=_int("limit", limit, 200, 1, 5000))


def _int(name: str, text: str | None, default: int, low: int, high: int) -> int:
    if text is None or _blank(text):
        return default
    try:
        value = int(text.strip())
    except ValueError:
        raise QueryError(f"{name}: not a whole number: {text!r}") from None
    if not low <= value <= high:
        raise QueryError(f"{name}: {value} is outside {low}..{high}")
    return value


def _flag(name: str, text: str | None) -> bool:
    if text is None or _blank(text):
        return False
    if text.strip().lower() in _TRUE:
        return True
    if text.strip().lower() in _FALSE:
        return False
    raise QueryError(f"{name}: expected 1/0 (true/false), not {text!r}")


def line_param(text: str | None) -> Decimal | None:
    """``?line=``: a decimal line; omitted, empty or ``none`` is the market without a line."""
    if text is None or _blank(text):
        return None
    try:
        return parse_line(text)
    except TraderError as exc:
        raise QueryError(f"line: {exc}") from None


def board_query(*, competition: str | None = None, country: str | None = None, kickoff_from: str | None = None,
                kickoff_to: str | None = None, team: str | None = None, min_books: str | None = None,
                worse_only: str | None = None, sort: str | None = None, page: str | None = None,
                page_size: str | None = None) -> BoardQuery:
    """The board's query from its parameters as text (each checked)."""
    start, end = time_param("kickoff_from", kickoff_from), time_param("kickoff_to", kickoff_to)
    time_range(("kickoff_from", "kickoff_to"), start, end)
    chosen_sort = "kickoff" if sort is None or _blank(sort) else sort.strip()
    if chosen_sort.lstrip("-") not in SORTS:
        raise QueryError(f"sort: {sort!r} is not one of {', '.join(SORTS)} (prefix - for descending)")
    return BoardQuery(
        competition=None if competition is None or _blank(competition) else competition.strip(),
        country=None if country is None or _blank(country) else country.strip(),
        kickoff_from=start, kickoff_to=end,
        team=None if team is None or _blank(team) else team.strip(),
        min_books=_int("min_books", min_books, 1, 1, len(BOOKMAKERS)),
        worse_only=_flag("worse_only", worse_only),
        sort=chosen_sort,
        page=_int("page", page, 1, 1, 1_000_000),
        page_size=_int("page_size", page_size, 50, 1, MAX_PAGE_SIZE),
    )
