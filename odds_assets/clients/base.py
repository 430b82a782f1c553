"""The book-independent client: ``httpx.AsyncClient`` lanes (transport injectable), bounded concurrency
with a per-request delay, retries with backoff, and the assembly of a :class:`BoardScrape`.

Concurrency is ``settings.concurrency`` *lanes*: each an ``httpx.AsyncClient`` whose pool holds one
connection, created when first needed and reused (keep-alive) by one request at a time. One client with
an N-connection pool costs more: httpcore scans every pooled connection (and polls its socket) each
time a request starts or ends, so its CPU per request grows with N — on a 1,000-event realistic board
with 50 slots and 50–200 ms of latency, the scan was about a fifth of the scrape's CPU.

How a board is built, and why ``parse_board`` can rebuild it exactly:

1. the book's listing calls are made one page at a time; every page body is kept as a
   ``RawResponse`` (``kind`` "listing", or "sports" for Bet9ja's sport tree);
2. every listed event's detail is fetched (``kind`` "detail", ``bookmaker_event_id`` set);
3. a request that still fails after its retries leaves an *error record* in ``raw``: a
   ``RawResponse`` with ``kind="error"``, content type :data:`ERROR_CONTENT_TYPE`, the failing URL,
   the last HTTP status (0 when none) and a JSON body ``{"stage", "error_type", "reason",
   "bookmaker_event_id"}``;
4. the board is then *assembled from* ``raw`` alone — the same function :func:`assemble_board`
   that ``parse_board`` runs on an archive. Fetching never normalises anything itself, so the
   archive holds everything the result depends on.

Each ``EventOdds.fetched_at`` is the ``fetched_at`` of the response its odds were read from (for all
three books, the event's detail response; a book whose odds came from a listing page would stamp
that page's), set by :func:`assemble_board` — so it is the same at fetch time and at re-parse time.

Bodies that decode as JSON are always kept as they came, even with a bad envelope (SportyBet
``bizCode`` ≠ 10000, Bet9ja ``R`` ≠ OK): the parser then fails that event (or ends the listing)
with a typed error, at fetch time and at re-parse time alike.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, ClassVar

import httpx
import orjson

from odds_assets.clients.settings import ClientSettings
from odds_assets.errors import (
    BookmakerBlocked,
    BookmakerError,
    BookmakerRateLimited,
    BookmakerUnavailable,
    OddsAssetsError,
    UnexpectedPayload,
)
from odds_assets.markets.normalise import ParsedEvent
from odds_assets.models import BoardScrape, EventFailure, EventOdds, RawResponse

__all__ = ["ERROR_CONTENT_TYPE", "BookmakerClient", "Listing", "assemble_board", "error_record"]

#: Content type of the error records this module puts in ``BoardScrape.raw``.
ERROR_CONTENT_TYPE = "application/vnd.odds-assets.error+json"

_HTML_MARKERS = (b"<!doctype", b"<html", b"<head", b"<body", b"<?xml", b"<script")


@dataclass(frozen=True, slots=True)
class Listing:
    """The events a board listing named, in order, and whether it was read to its end."""

    event_ids: tuple[str, ...]
    complete: bool
    #: SportRadar ids the listing already gave (SportyBet, Bet9ja), for failure reports
    sr_ids: dict[str, int] | None = None

    @classmethod
    def of(cls, ids: Sequence[str], complete: bool, sr_ids: dict[str, int] | None = None) -> Listing:
        # Books shift events between pages while we page; keep the first sighting.
        return cls(tuple(dict.fromkeys(ids)), complete, sr_ids)


def listing_pages(raw: Sequence[RawResponse]) -> list[RawResponse]:
    """The listing-stage responses of an archive, in order (pages and listing error records)."""
    out = []
    for r in raw:
        if r.kind == "detail":
            continue
        if r.kind == "error" and _error_fields(r).get("stage") != "listing":
            continue
        out.append(r)
    return out


def error_record(url: str, status: int, stage: str, exc: BaseException,
                 bookmaker_event_id: str | None = None) -> RawResponse:
    """The archive entry of a request that failed after its retries."""
    body = orjson.dumps({"stage": stage, "error_type": type(exc).__name__, "reason": str(exc),
                         "bookmaker_event_id": bookmaker_event_id})
    return RawResponse(url=url, status=status, content_type=ERROR_CONTENT_TYPE, body=body,
                       fetched_at=datetime.now(timezone.utc), kind="error",
                       bookmaker_event_id=bookmaker_event_id)


def _error_fields(raw: RawResponse) -> dict[str, Any]:
    try:
        value = orjson.loads(raw.body)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


ParseDetailed = Callable[[bytes], ParsedEvent]
ParseListing = Callable[[Sequence[RawResponse]], Listing]


def assemble_board(bookmaker: str, raw: Sequence[RawResponse], parse_listing: ParseListing,
                   parse_detailed: ParseDetailed, *, started_at: datetime,
                   finished_at: datetime) -> BoardScrape:
    """Build the BoardScrape from raw responses only (shared by fetch_board and parse_board)."""
    listing = parse_listing(raw)
    details: dict[str, RawResponse] = {}
    for r in raw:
        if r.bookmaker_event_id is not None and r.kind in ("detail", "error"):
            # The last answer for an event wins (a re-fetch within one board supersedes).
            details[r.bookmaker_event_id] = r
    sr_ids = listing.sr_ids or {}
    events: list[EventOdds] = []
    failures: list[EventFailure] = []
    for event_id in listing.event_ids:
        detail = details.get(event_id)
        if detail is None:
            failures.append(EventFailure(bookmaker, event_id, "no detail response in the archive",
                                         "MissingResponse", sr_ids.get(event_id)))
            continue
        if detail.kind == "error":
            fields = _error_fields(detail)
            failures.append(EventFailure(bookmaker, event_id, str(fields.get("reason", "unknown error")),
                                         str(fields.get("error_type", "BookmakerError")),
                                         sr_ids.get(event_id)))
            continue
        try:
            # parsed on arrival (fetch_board) or now (a re-parse of archived responses)
            parsed = detail.parsed
            if isinstance(parsed, OddsAssetsError):
                raise parsed
            if not isinstance(parsed, ParsedEvent):
                parsed = parse_detailed(detail.body)
        except OddsAssetsError as exc:
            reason = str(exc) if detail.url in str(exc) else f"{exc} [{detail.url}]"
            failures.append(EventFailure(bookmaker, event_id, reason, type(exc).__name__,
                                         sr_ids.get(event_id)))
            continue
        # Stamped here, from the archived response itself, so a re-parse gives the same time.
        events.append(dataclasses.replace(parsed.odds, fetched_at=detail.fetched_at.astimezone(timezone.utc)))
    return BoardScrape(bookmaker=bookmaker, started_at=started_at, finished_at=finished_at,
                       events=events, failures=failures, listing_complete=listing.complete,
                       listed=len(listing.event_ids), raw=list(raw))


class _Retry(Exception):
    """Internal: this attempt failed in a way worth retrying."""

    def __init__(self, error: BookmakerError, *, blocked: bool = False,
                 retry_after: float | None = None, status: int = 0) -> None:
        super().__init__(str(error))
        self.error = error
        self.blocked = blocked
        self.retry_after = retry_after
        self.status = status


class _Fatal(Exception):
    """Internal: this attempt failed in a way a retry cannot fix."""

    def __init__(self, error: BookmakerError, status: int = 0) -> None:
        super().__init__(str(error))
        self.error = error
        self.status = status


class BookmakerClient:
    """Fetches one book's whole football pre-match board.

    Usage::

        async with client_for("betpawa", settings) as client:
            board = await client.fetch_board()

    Subclasses provide ``fetch_listing`` (listing pages via :meth:`get_listing`), ``detail_url``,
    ``default_headers`` and the two pure parsers.
    """

    bookmaker: ClassVar[str] = ""

    @staticmethod
    def parse_listing(raw: Sequence[RawResponse]) -> Listing:
        """The book's listing parser (a :data:`ParseListing`; each book module's ``parse_listing``)."""
        raise NotImplementedError

    @staticmethod
    def parse_event_detailed(body: bytes) -> ParsedEvent:
        """The book's event parser (a :data:`ParseDetailed`; each book's ``parse_event_detailed``)."""
        raise NotImplementedError

    def __init__(self, settings: ClientSettings, *, transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if settings.bookmaker != self.bookmaker:
            raise ValueError(f"{type(self).__name__} needs {self.bookmaker} settings, got {settings.bookmaker}")
        self.settings = settings
        self._transport = transport
        self._sleep = sleep
        #: the first lane (also the base URL every request is joined to), None when closed
        self._http: httpx.AsyncClient | None = None
        self._lanes: list[httpx.AsyncClient] = []
        self._idle: list[httpx.AsyncClient] = []
        self._headers: dict[str, str] = {}
        self._ssl: ssl.SSLContext | None = None
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._raw: list[RawResponse] = []
        #: (URL, seconds waited) of every backoff, for diagnostics and tests
        self.waits: list[tuple[str, float]] = []

    # -- lifecycle -----------------------------------------------------------------------------
    async def __aenter__(self) -> BookmakerClient:
        headers = {"user-agent": self.settings.user_agent, **self.default_headers()}
        for name, value in self.settings.headers.items():
            if value == "":
                headers.pop(name.lower(), None)
            else:
                headers[name.lower()] = value
        self._headers = headers
        self._ssl = None if self._transport is not None else httpx.create_ssl_context()  # shared by the lanes
        self._http = self._new_lane()
        self._idle = [self._http]
        return self

    def _new_lane(self) -> httpx.AsyncClient:
        """One more lane: a client with a one-connection pool (see the module docstring)."""
        kwargs: dict[str, Any] = {} if self._ssl is None else {"verify": self._ssl}
        lane = httpx.AsyncClient(
            base_url=self.settings.base_url, headers=self._headers, transport=self._transport,
            timeout=httpx.Timeout(self.settings.timeout_s), follow_redirects=False,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1), **kwargs)
        self._lanes.append(lane)
        return lane

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        lanes, self._lanes, self._idle, self._http = self._lanes, [], [], None
        for lane in lanes:
            await lane.aclose()

    # -- to be provided by each book -----------------------------------------------------------
    def default_headers(self) -> dict[str, str]:
        return {}

    async def fetch_listing(self) -> None:
        raise NotImplementedError

    def detail_url(self, event_id: str) -> str:
        raise NotImplementedError

    def detail_ids(self) -> Listing:
        """The events whose details to fetch: what the listing named (re-derived from raw)."""
        return type(self).parse_listing(self._raw)

    # -- the board -----------------------------------------------------------------------------
    async def fetch_board(self) -> BoardScrape:
        """Listing, then every event's detail; never raises for one event or one listing page."""
        if self._http is None:
            raise RuntimeError("use 'async with client_for(...) as client' before fetch_board()")
        started = datetime.now(timezone.utc)
        self._raw = []
        await self.fetch_listing()
        listing = self.detail_ids()
        results = await asyncio.gather(*(self._fetch_detail(i) for i in listing.event_ids))
        self._raw.extend(results)  # listing order, so archives are deterministic
        finished = datetime.now(timezone.utc)
        return assemble_board(self.bookmaker, self._raw, type(self).parse_listing,
                              type(self).parse_event_detailed, started_at=started, finished_at=finished)

    async def fetch_event(self, event_id: str) -> RawResponse:
        """One event's detail response (or its error record), outside a board."""
        return await self._fetch_detail(event_id)

    async def _fetch_detail(self, event_id: str) -> RawResponse:
        return await self.fetch_raw(self.detail_url(event_id), kind="detail", stage="detail",
                                    bookmaker_event_id=event_id)

    async def get_listing(self, url: str, kind: str, *, method: str = "GET",
                          json_body: Any = None) -> RawResponse | None:
        """One listing-stage request; its response (or error record) goes into ``raw``.
        Returns None when it failed (the caller stops: the listing is incomplete)."""
        raw = await self.fetch_raw(url, kind=kind, stage="listing", method=method, json_body=json_body)
        self._raw.append(raw)
        return None if raw.kind == "error" else raw

    async def fetch_raw(self, url: str, *, kind: str, stage: str, bookmaker_event_id: str | None = None,
                        method: str = "GET", json_body: Any = None) -> RawResponse:
        """One request with retries: its RawResponse, or an error record when it failed."""
        try:
            return await self.request(url, kind=kind, bookmaker_event_id=bookmaker_event_id,
                                      method=method, json_body=json_body)
        except _Failed as failed:
            assert self._http is not None
            return error_record(str(self._http.base_url.join(url)), failed.status, stage, failed.error,
                                bookmaker_event_id)

    # -- HTTP ----------------------------------------------------------------------------------
    def envelope_problem(self, doc: Any) -> str | None:
        """Why a decoded body is a retryable book-level refusal (None when it is fine)."""
        return None

    async def request(self, url: str, *, kind: str, bookmaker_event_id: str | None = None,
                      method: str = "GET", json_body: Any = None) -> RawResponse:
        """One request with retries; returns its RawResponse or raises _Failed."""
        policy = self.settings.retry
        attempt = 0
        blocked_attempts = 0
        while True:
            attempt += 1
            try:
                return await self._attempt(url, kind, bookmaker_event_id, method, json_body)
            except _Fatal as fatal:
                raise _Failed(fatal.error, fatal.status) from None
            except _Retry as retry:
                if retry.blocked:
                    blocked_attempts += 1
                    if blocked_attempts >= policy.blocked_attempts:
                        raise _Failed(retry.error, retry.status) from None
                    delay = _jitter(policy.blocked_backoff_base_s, policy.blocked_backoff_cap_s,
                                    blocked_attempts - 1)
                else:
                    if attempt >= policy.max_attempts:
                        if isinstance(retry, _RetryKeep):
                            # The parser reports the refusal from the body itself (same at re-parse).
                            return retry.raw
                        raise _Failed(retry.error, retry.status) from None
                    delay = _jitter(policy.backoff_base_s, policy.backoff_cap_s, attempt - 1)
                    if retry.retry_after is not None:
                        delay = max(delay, min(retry.retry_after, policy.retry_after_cap_s))
                self.waits.append((url, delay))
                await self._sleep(delay)

    async def _attempt(self, url: str, kind: str, event_id: str | None, method: str,
                       json_body: Any) -> RawResponse:
        assert self._http is not None
        book = self.bookmaker
        full_url = str(self._http.base_url.join(url))
        async with self._slots:
            lane = self._idle.pop() if self._idle else self._new_lane()
            try:
                # asyncio.timeout bounds the whole exchange (a server trickling bytes, or a mock
                # transport, never trips httpx's per-phase timeouts).
                async with asyncio.timeout(self.settings.timeout_s):
                    response = await lane.request(method, url, json=json_body)
            except (TimeoutError, httpx.TimeoutException):
                raise _Retry(BookmakerUnavailable(f"timed out after {self.settings.timeout_s}s",
                                                  bookmaker=book, url=full_url)) from None
            except httpx.TransportError as exc:
                raise _Retry(BookmakerUnavailable(f"{type(exc).__name__}: {exc}", bookmaker=book,
                                                  url=full_url)) from None
            finally:
                try:
                    if self.settings.delay_ms:
                        # The delay holds the slot: N slots then cap the rate at N per delay.
                        await self._sleep(self.settings.delay_ms / 1000)
                finally:
                    self._idle.append(lane)
        return self._check(response, full_url, kind, event_id)

    def _check(self, response: httpx.Response, url: str, kind: str, event_id: str | None) -> RawResponse:
        book = self.bookmaker
        status = response.status_code
        ctype = response.headers.get("content-type", "")
        body = response.content
        if status == 429:
            retry_after = _retry_after(response.headers.get("retry-after"))
            raise _Retry(BookmakerRateLimited("HTTP 429", bookmaker=book, url=url, retry_after=retry_after),
                         retry_after=retry_after, status=status)
        if status >= 500:
            raise _Retry(BookmakerUnavailable(f"HTTP {status}", bookmaker=book, url=url), status=status)
        if status == 403:
            raise _Retry(BookmakerBlocked("HTTP 403", bookmaker=book, url=url), blocked=True, status=status)
        if 300 <= status < 400:
            where = response.headers.get("location", "?")
            raise _Fatal(UnexpectedPayload(f"HTTP {status} redirect to {where} (wrong host or brand?)",
                                           bookmaker=book, url=url), status)
        if status >= 400:
            raise _Fatal(UnexpectedPayload(f"HTTP {status}: {body[:120]!r}", bookmaker=book, url=url), status)
        if "protobuf" in ctype or "octet-stream" in ctype:
            raise _Fatal(UnexpectedPayload(f"binary body ({ctype}); the API wants 'accept: application/json'",
                                           bookmaker=book, url=url), status)
        head = body[:512].lstrip().lower()
        if "html" in ctype or head.startswith(_HTML_MARKERS):
            # A WAF challenge, Cloudflare page or the marketing shell instead of the API.
            raise _Retry(BookmakerBlocked(f"HTML page instead of JSON ({ctype or 'no content type'})",
                                          bookmaker=book, url=url), blocked=True, status=status)
        if not body.strip():
            raise _Retry(UnexpectedPayload("empty body", bookmaker=book, url=url), status=status)
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            # Truncated or malformed: usually a dropped connection or an overloaded edge; retry.
            raise _Retry(UnexpectedPayload(f"body is not JSON ({exc})", bookmaker=book, url=url),
                         status=status) from None
        problem = self.envelope_problem(doc)
        raw = RawResponse(url=url, status=status, content_type=ctype, body=body,
                          fetched_at=datetime.now(timezone.utc), kind=kind, bookmaker_event_id=event_id,
                          parsed=self._parse_on_arrival(doc) if kind == "detail" and problem is None else None)
        if problem is not None:
            raise _RetryKeep(UnexpectedPayload(problem, bookmaker=book, url=url), raw)
        return raw

    def _parse_on_arrival(self, doc: Any) -> ParsedEvent | OddsAssetsError | None:
        """The detail's parse from the JSON just decoded (each body is decoded once per board; the
        archived bytes re-parse to the same result). A domain error is kept for ``assemble_board`` to
        report; any other exception leaves the body unparsed, to be parsed (and raise) there as before."""
        try:
            return type(self).parse_event_detailed(doc)
        except OddsAssetsError as exc:
            return exc
        except Exception:  # noqa: BLE001 — re-raised by the parse in assemble_board
            return None


class _Failed(Exception):
    """Internal: the request failed after its retries."""

    def __init__(self, error: BookmakerError, status: int = 0) -> None:
        super().__init__(str(error))
        self.error = error
        self.status = status


class _RetryKeep(_Retry):
    """Internal: a JSON refusal worth retrying; if retries run out, the body itself is kept."""

    def __init__(self, error: BookmakerError, raw: RawResponse) -> None:
        super().__init__(error, status=raw.status)
        self.raw = raw


def _jitter(base: float, cap: float, n: int) -> float:
    return random.uniform(0, min(cap, base * (2 ** n)))


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - time.time())
