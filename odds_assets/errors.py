"""The odds_assets error tree. Context lives on attributes; messages name the bookmaker, event and field.

    OddsAssetsError
      BookmakerError(bookmaker, url)              an HTTP conversation with a book went wrong
        BookmakerUnavailable                      timeouts / connection errors / 5xx after retries
        BookmakerRateLimited(retry_after)         429 after retries
        BookmakerBlocked                          403 / HTML, WAF or marketing pages after retries
        UnexpectedPayload(path)                   non-JSON, protobuf, wrong envelope, schema drift
      NormalisationError(bookmaker, event_id, path)  a response that parses but cannot be normalised
        NotFootball(sport)                        an event of another sport (its markets are not football's)
      SnapshotError(bookmaker, sr_event_id, market_id, line, field)  invalid input to the write engine
      WindowError(bookmaker, window_start)        a window that cannot be scraped now
        WindowClosed                              in the past with no archive: never scraped again
        WindowNotOpen                             not started yet
      ArchiveError(url)                           the archive cannot be read or written
        ArchiveCorrupt(bookmaker, window_start, event_id)  what it holds does not decode (deterministic)
      MarginError                                 odds that give no margin-free probabilities
      DatabaseNotConfigured                       no database URL and no embedded server available
      TraderError                                 a request the trader's view cannot answer (exit code 2)
      DemoError                                   a part of the demo stack did not start
      WebError                                    the traders' board server cannot start as asked
        QueryError                                a board request parameter malformed or absurd (400)
        NotFound                                  a board request for an unknown event, market or line (404)
        PoolTimeout                               every board database connection stayed busy (503)

:func:`is_transient` sorts any exception into *transient* (worth a retry with backoff) or
*deterministic* (the same input fails the same way again). It lives here, beside the tree, because
the rule is about errors, not about Dagster: the Dagster layer only maps the answer to a retry or to a
``Failure(allow_retries=False)`` (``odds_assets.defs.common.policy``).
"""

from __future__ import annotations

from datetime import datetime

import httpx
import psycopg

__all__ = [
    "ArchiveCorrupt",
    "ArchiveError",
    "BookmakerBlocked",
    "BookmakerError",
    "BookmakerRateLimited",
    "BookmakerUnavailable",
    "DatabaseNotConfigured",
    "DeadlineExceeded",
    "DemoError",
    "MarginError",
    "NotFound",
    "NormalisationError",
    "NotFootball",
    "OddsAssetsError",
    "PoolTimeout",
    "QueryError",
    "SnapshotError",
    "TraderError",
    "UnexpectedPayload",
    "WebError",
    "WindowClosed",
    "WindowError",
    "WindowNotOpen",
    "is_transient",
    "window_label",
]


class OddsAssetsError(Exception):
    """Base class of every error this project raises on purpose."""


class BookmakerError(OddsAssetsError):
    """An HTTP conversation with a bookmaker failed."""

    def __init__(self, message: str, *, bookmaker: str, url: str | None = None) -> None:
        super().__init__(f"{bookmaker}: {message}" + (f" [{url}]" if url else ""))
        self.bookmaker = bookmaker
        self.url = url


class BookmakerUnavailable(BookmakerError):
    """Timeouts, connection errors or 5xx answers persisted after the retries."""


class BookmakerRateLimited(BookmakerError):
    """HTTP 429 persisted after the retries."""

    def __init__(self, message: str, *, bookmaker: str, url: str | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, bookmaker=bookmaker, url=url)
        self.retry_after = retry_after


class BookmakerBlocked(BookmakerError):
    """HTTP 403, or an HTML/WAF/marketing page instead of the API, persisted after the retries."""


class UnexpectedPayload(BookmakerError):
    """A body that is not the expected JSON: protobuf, truncated, wrong envelope, missing fields."""

    def __init__(self, message: str, *, bookmaker: str, url: str | None = None,
                 path: str | None = None) -> None:
        super().__init__(message + (f" at {path}" if path else ""), bookmaker=bookmaker, url=url)
        self.path = path


class NormalisationError(OddsAssetsError):
    """A response that parsed as JSON but whose content cannot be normalised."""

    def __init__(self, message: str, *, bookmaker: str, event_id: str | int | None, path: str) -> None:
        super().__init__(f"{bookmaker} event {event_id}: {message} at {path}")
        self.bookmaker = bookmaker
        self.event_id = event_id
        self.path = path


class NotFootball(NormalisationError):
    """An event whose response states another sport than football.

    Every book reuses its market ids across sports (SportyBet's SportRadar ids, BetPawa's market
    types), so a basketball or tennis event would otherwise be read as football markets. ``sport`` is
    the book's own id or name for the sport (``"sr:sport:2"``, ``"3"``), ``path`` where it was read.
    """

    def __init__(self, message: str, *, bookmaker: str, event_id: str | int | None, path: str,
                 sport: str) -> None:
        super().__init__(message, bookmaker=bookmaker, event_id=event_id, path=path)
        self.sport = sport


class SnapshotError(OddsAssetsError):
    """Invalid input to the write engine; nothing was written."""

    def __init__(self, message: str, *, bookmaker: str | None = None, sr_event_id: int | None = None,
                 market_id: int | None = None, line: object = None, field: str | None = None) -> None:
        where = []
        if bookmaker is not None:
            where.append(f"bookmaker={bookmaker}")
        if sr_event_id is not None:
            where.append(f"event={sr_event_id}")
        if market_id is not None:
            where.append(f"market={market_id}")
            where.append(f"line={line if line is not None else 'none'}")
        if field is not None:
            where.append(f"field={field}")
        super().__init__(f"{message} ({', '.join(where)})" if where else message)
        self.bookmaker = bookmaker
        self.sr_event_id = sr_event_id
        self.market_id = market_id
        self.line = line
        self.field = field


class ArchiveError(OddsAssetsError):
    """The snapshot archive could not be read or written."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(f"{message} [{url}]")
        self.url = url


class ArchiveCorrupt(ArchiveError):
    """An archived window whose bytes do not decode: a damaged frame, a checksum that does not match, a
    key body that is missing. Reading it again gives the same answer, so it is not retried."""

    def __init__(self, message: str, *, url: str, bookmaker: str, window_start: datetime,
                 event_id: str | None = None) -> None:
        label = window_label(bookmaker, window_start)
        super().__init__(f"{label}{f' event {event_id}' if event_id is not None else ''}: {message}", url=url)
        self.bookmaker = bookmaker
        self.window_start = window_start
        self.event_id = event_id


class MarginError(OddsAssetsError, ValueError):
    """Odds whose margin cannot be removed: too few outcomes, a price ≤ 1, or no solution of the method."""


class DatabaseNotConfigured(OddsAssetsError):
    """No ODDS_DATABASE_URL and no way to start an embedded PostgreSQL."""


class WindowError(OddsAssetsError):
    """A bookmaker window that cannot be scraped at this time (deterministic: retrying changes nothing)."""

    def __init__(self, message: str, *, bookmaker: str, window_start: datetime) -> None:
        super().__init__(message)
        self.bookmaker = bookmaker
        self.window_start = window_start


class WindowClosed(WindowError):
    """A window in the past with no archived raw responses: a past window is only re-derived from its
    archive, never scraped again (the board it would read is another moment's)."""


class WindowNotOpen(WindowError):
    """A window that has not started yet."""


def window_label(bookmaker: str, start: datetime, end: datetime | None = None) -> str:
    """``betpawa window 2026-11-24 10:05-10:10 UTC`` (the form every window message uses)."""
    span = f"{start:%Y-%m-%d %H:%M}" + (f"-{end:%H:%M}" if end is not None else "")
    return f"{bookmaker} window {span} UTC"


def is_transient(exc: BaseException) -> bool:
    """Errors worth a retry with backoff: the network, the bookmaker being down or rate limiting, the
    database being unreachable, the archive's storage hiccuping. Everything else is deterministic."""
    if isinstance(exc, ArchiveCorrupt):
        return False  # the storage answered; what it holds is damaged
    return isinstance(exc, (httpx.TransportError, BookmakerUnavailable, BookmakerRateLimited,
                            psycopg.OperationalError, ArchiveError, ConnectionError, TimeoutError,
                            # two first writers of a day race in odds_ensure_history_partition (one gets
                            # "already exists"); the retry finds the partition there
                            psycopg.errors.DuplicateTable))


class DeadlineExceeded(OddsAssetsError, psycopg.OperationalError):
    """The database did not finish within the client's deadline; the connection was cut
    (``odds_assets.db.deadline``; transient, like every ``OperationalError``)."""


class TraderError(OddsAssetsError):
    """A request the trader's view cannot answer (unknown event, market or line); exit code 2."""


class DemoError(OddsAssetsError):
    """A part of the demo stack did not start."""


class WebError(OddsAssetsError):
    """The traders' board server cannot start as asked (no token off loopback, no read-only role)."""


class QueryError(WebError, ValueError):
    """A board request parameter that is malformed or asks for something absurd (answered 400)."""


class NotFound(WebError, LookupError):
    """The event, market or line a board request asks for does not exist (answered 404)."""


class PoolTimeout(WebError):
    """Every connection of the board's pool stayed busy for the whole wait (answered 503)."""
