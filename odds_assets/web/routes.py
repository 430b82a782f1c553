"""The board's pages and its API: every page reads the same data as its JSON twin, and every table has a
CSV twin written from that JSON.

    page                              JSON                                   CSV
    /                                 /api/board                             /api/board.csv (every page)
    /event/{sr_id}                    /api/event/{sr_id}                     /api/event/{sr_id}.csv
    /path/{sr_id}/{market_id}         /api/path/{sr_id}/{market_id}          /api/path/{sr_id}/{market_id}.csv
    /exposure                         /api/exposure                          /api/exposure.csv
    /margins                          /api/margins                           /api/margins.csv
    /coverage                         /api/coverage                          /api/coverage.csv
    (the banner on every page)        /api/freshness
                                      /api/stream (server-sent events: ``window``, ``resync``, ``hello``)

Routes are plain ``def`` (run in the thread pool, each with one pooled connection) except the stream.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.responses import Response

from odds_assets.trader.data import format_line
from odds_assets.web import csvout
from odds_assets.web.board import KEY_MARKETS, SORTS, BoardPage, BoardQuery, board_json, select
from odds_assets.web.freshness import Freshness, freshness_json, load_freshness
from odds_assets.web.params import (
    MAX_RANGE,
    board_query,
    day_param,
    exposure_query,
    int_param,
    line_param,
    text_param,
    time_param,
    time_range,
)
from odds_assets.web.reports import (
    BUCKETS,
    COVERAGE_COLUMNS,
    EXPOSURE_COLUMNS,
    MARGIN_COLUMNS,
    ExposureQuery,
    coverage_json,
    coverage_rows,
    exposure_json,
    exposure_rows,
    load_coverage,
    load_exposure,
    load_margins,
    margin_rows,
    margins_json,
    open_exposures,
)
from odds_assets.web.state import WebState, web_state
from odds_assets.web.views import EventView, PathView, event_json, load_event_view, load_path_view, path_json

__all__ = ["api_router", "page_router"]

api_router = APIRouter(prefix="/api")
page_router = APIRouter(include_in_schema=False)

State = Annotated[WebState, Depends(web_state)]
SrId = Annotated[int, Path(ge=1, le=2**63 - 1, description="SportRadar match id")]
MarketId = Annotated[int, Path(ge=1, le=2**31 - 1, description="BetPawa market id (3743 1X2, 5000 over/under, "
                                                                "3795 both teams to score, …)")]
_TEXT = "empty = not set"


def board_params(
    competition: Annotated[str | None, Query(description=f"competition, exact, any case; {_TEXT}")] = None,
    country: Annotated[str | None, Query(description=f"country, exact, any case; {_TEXT}")] = None,
    kickoff_from: Annotated[str | None, Query(description="kick-off at or after (ISO 8601; no offset = UTC)")] = None,
    kickoff_to: Annotated[str | None, Query(description="kick-off at or before (ISO 8601; no offset = UTC)")] = None,
    team: Annotated[str | None, Query(description="a part of either team's name, any case")] = None,
    min_books: Annotated[str | None, Query(description="1..3: listed now by at least this many books")] = None,
    worse_only: Annotated[str | None, Query(description="1: only events where BetPawa's price is worse than the "
                                                        "best competitor's on some key outcome")] = None,
    sort: Annotated[str | None, Query(description=f"{' | '.join(SORTS)}; prefix - for descending "
                                                  "(margin = BetPawa's 1X2 margin)")] = None,
    page: Annotated[str | None, Query(description="page number from 1")] = None,
    page_size: Annotated[str | None, Query(description="events per page, 1..500 (default 50)")] = None,
) -> BoardQuery:
    """The board's query (a dependency shared by the page, the JSON and the CSV)."""
    return board_query(competition=competition, country=country, kickoff_from=kickoff_from, kickoff_to=kickoff_to,
                       team=team, min_books=min_books, worse_only=worse_only, sort=sort, page=page,
                       page_size=page_size)


@dataclass(frozen=True)
class PathQuery:
    """A price path's line (None: no line) and time range."""

    line: Decimal | None
    since: datetime | None
    until: datetime | None


def path_params(
    line: Annotated[str | None, Query(description="the line (2.5, -0.25, 0); omitted (or 'none') for a market "
                                                  "without a line")] = None,
    since: Annotated[str | None, Query(alias="from", description="from this time (ISO 8601; no offset = UTC)")] = None,
    until: Annotated[str | None, Query(alias="to", description="up to this time, inclusive")] = None,
) -> PathQuery:
    """The price path's query (a dependency shared by the page, the JSON and the CSV)."""
    start, end = time_param("from", since), time_param("to", until)
    time_range(("from", "to"), start, end, max_span=MAX_RANGE)
    return PathQuery(line_param(line), start, end)


def exposure_params(
    hours: Annotated[str | None, Query(description="also episodes that ended in the last this many hours, "
                                                   "1..336 (default 24)")] = None,
    open_only: Annotated[str | None, Query(description="1: open episodes only")] = None,
    kind: Annotated[str | None, Query(description="edge | arb; empty = both")] = None,
    sr: Annotated[str | None, Query(description="one event's episodes (SportRadar match id)")] = None,
    limit: Annotated[str | None, Query(description="at most this many episodes, 1..5000 (default 200)")] = None,
) -> ExposureQuery:
    """The exposure page's query (shared by the page, the JSON and the CSV)."""
    return exposure_query(hours=hours, open_only=open_only, kind=kind, sr=sr, limit=limit)


@dataclass(frozen=True)
class ReportQuery:
    """A daily report's day (None: the latest computed) and competition filter."""

    day: date | None
    competition: str | None

    def params(self) -> dict[str, str]:
        out = {} if self.day is None else {"day": self.day.isoformat()}
        return out | ({} if self.competition is None else {"competition": self.competition})


def report_params(
    day: Annotated[str | None, Query(description="the UTC day (YYYY-MM-DD); empty = the latest computed")] = None,
    competition: Annotated[str | None, Query(description=f"competition, exact, any case; {_TEXT}")] = None,
) -> ReportQuery:
    """A daily report page's query."""
    return ReportQuery(day_param("day", day), text_param(competition))


BoardParams = Annotated[BoardQuery, Depends(board_params)]
PathParams = Annotated[PathQuery, Depends(path_params)]
ExposureParams = Annotated[ExposureQuery, Depends(exposure_params)]
ReportParams = Annotated[ReportQuery, Depends(report_params)]


# --- reading -------------------------------------------------------------------------------------

def _read_board(state: WebState, query: BoardQuery) -> tuple[BoardPage, dict[int, int], Freshness]:
    """The board's page, the events with open exposure episodes (read per request: the ``exposure`` asset
    writes after the window's odds, so the built board's cache does not hold them), the freshness."""
    with state.pool.connection() as conn:
        fresh = load_freshness(conn, state.max_age_s)
        now = state.clock()
        board = state.cache.get(conn, fresh, now)
        exposures = open_exposures(conn)
    return select(board, query, now), exposures, fresh


def _read_event(state: WebState, sr_id: int) -> tuple[EventView, Freshness]:
    with state.pool.connection() as conn:
        fresh = load_freshness(conn, state.max_age_s)
        return load_event_view(conn, sr_id, state.clock()), fresh


def _read_path(state: WebState, sr_id: int, market_id: int, q: PathQuery) -> tuple[PathView, Freshness]:
    with state.pool.connection() as conn:
        fresh = load_freshness(conn, state.max_age_s)
        return load_path_view(conn, sr_id, market_id, q.line, q.since, q.until), fresh


def _path_json(state: WebState, view: PathView) -> dict[str, Any]:
    return {**path_json(view), "now": _iso_now(state)}


def _iso_now(state: WebState) -> str:
    return state.clock().isoformat().replace("+00:00", "Z")


def _json(data: Any) -> Response:
    return Response(orjson.dumps(data), media_type="application/json")


def _csv(text: str, filename: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _fresh(state: WebState, fresh: Freshness) -> dict[str, Any]:
    return freshness_json(fresh, dagster_url=state.dagster_url, settings=state.settings)


# --- API -----------------------------------------------------------------------------------------

@api_router.get("/board", summary="The board: upcoming events, their key markets at the three books")
def api_board(state: State, query: BoardParams) -> Response:
    """One page of upcoming events (kick-off, competition, teams, status) with 1X2, O/U 2.5 and BTTS at
    each book: odds and state (active, suspended, gone, off = the book no longer lists the event, null =
    not offered), the best active competitor price, BetPawa against it (better/worse/equal), each book's
    margin (%); each book's listing (in its latest window or not, last complete scrape). ``off_board``:
    events that started or were withdrawn, with when they left. Paging: ``total``, ``page``, ``pages``."""
    page, exposures, _ = _read_board(state, query)
    return _json(board_json(page, exposures))


@api_router.get("/board.csv", summary="The board as CSV: one row per event × market × outcome × book")
def api_board_csv(state: State, query: BoardParams) -> Response:
    """The same filters and order as ``/api/board``, every page at once (``page``/``page_size`` ignored)."""
    page, exposures, _ = _read_board(state, dataclasses.replace(query, page=1, page_size=10**9))
    return _csv(csvout.to_csv(csvout.BOARD_COLUMNS, csvout.board_rows(board_json(page, exposures))), "board.csv")


@api_router.get("/event/{sr_id}.csv", summary="One event as CSV: one row per market × line × outcome × book")
def api_event_csv(state: State, sr_id: SrId) -> Response:
    view, _ = _read_event(state, sr_id)
    return _csv(csvout.to_csv(csvout.EVENT_COLUMNS, csvout.event_rows(event_json(view))), f"event-{sr_id}.csv")


@api_router.get("/event/{sr_id}", summary="One event: every market and line, the books side by side")
def api_event(state: State, sr_id: SrId) -> Response:
    """What ``odds show --json`` prints — per market, line and outcome each book's odds and state, the best
    active price and who quotes it, margins, last changes — plus the event's ``status`` (upcoming, started,
    withdrawn) and ``left_at``, each book's ``listed`` (in its latest window) and ``betpawa_vs_market``."""
    view, _ = _read_event(state, sr_id)
    return _json(event_json(view))


@api_router.get("/path/{sr_id}/{market_id}.csv", summary="A price path as CSV: one row per change per outcome")
def api_path_csv(state: State, sr_id: SrId, market_id: MarketId, query: PathParams) -> Response:
    view, _ = _read_path(state, sr_id, market_id, query)
    name = f"path-{sr_id}-{market_id}-{format_line(view.history.line)}.csv"
    return _csv(csvout.to_csv(csvout.PATH_COLUMNS, csvout.path_rows(_path_json(state, view))), name)


@api_router.get("/path/{sr_id}/{market_id}", summary="A price path: one market line at every book over time")
def api_path(state: State, sr_id: SrId, market_id: MarketId, query: PathParams) -> Response:
    """What ``odds history --json`` prints: per book and outcome its changes in time order (odds, active,
    available, state: active | suspended | gone from that time), plus the market's ``lines``."""
    view, _ = _read_path(state, sr_id, market_id, query)
    return _json(_path_json(state, view))


def _read_exposure(state: WebState, query: ExposureQuery) -> tuple[dict[str, Any], Freshness]:
    with state.pool.connection() as conn:
        fresh = load_freshness(conn, state.max_age_s)
        now = state.clock()
        return exposure_json(load_exposure(conn, query, now), query, now), fresh


def _read_margins(state: WebState, query: ReportQuery) -> tuple[dict[str, Any], Freshness]:
    with state.pool.connection() as conn:
        fresh = load_freshness(conn, state.max_age_s)
        return margins_json(load_margins(conn, query.day, query.competition)), fresh


def _read_coverage(state: WebState, query: ReportQuery, limit: int = 500) -> tuple[dict[str, Any], Freshness]:
    with state.pool.connection() as conn:
        fresh = load_freshness(conn, state.max_age_s)
        return coverage_json(load_coverage(conn, query.day, query.competition, limit)), fresh


@api_router.get("/exposure", summary="Exposure episodes: open ones, then recent ones, largest edge first")
def api_exposure(state: State, query: ExposureParams) -> Response:
    """Episodes of the ``exposure`` asset (README "Analytics"): a BetPawa outcome whose edge against the
    competitors' fair price exceeded ``ODDS_EXPOSURE_EDGE`` (``kind`` edge), or a cross-book arbitrage
    against BetPawa (``arb``): start, end (null while open), peak edge with BetPawa's and the fair price
    at the peak, the competitor that moved first, each book's price age, the time BetPawa took to
    correct; an open one also its values ``now``."""
    data, _ = _read_exposure(state, query)
    return _json(data)


@api_router.get("/exposure.csv", summary="Exposure episodes as CSV: one row per episode")
def api_exposure_csv(state: State, query: ExposureParams) -> Response:
    data, _ = _read_exposure(state, query)
    return _csv(csvout.to_csv(EXPOSURE_COLUMNS, exposure_rows(data)), "exposure.csv")


@api_router.get("/margins", summary="A day's margin report: book × competition × market type × time to kick-off")
def api_margins(state: State, query: ReportParams) -> Response:
    """The ``margin_report`` asset's day (default: the latest computed): per competition, market type and
    time-to-kick-off bucket (7d+, 3-7d, 24-72h, <24h), each book's observations and mean and median margin
    (%, by the market type's rule). ``days``: the days computed."""
    data, _ = _read_margins(state, query)
    return _json(data)


@api_router.get("/margins.csv", summary="A day's margin report as CSV: one row per line × book")
def api_margins_csv(state: State, query: ReportParams) -> Response:
    data, _ = _read_margins(state, query)
    return _csv(csvout.to_csv(MARGIN_COLUMNS, margin_rows(data)), f"margins-{data['day'] or 'none'}.csv")


@api_router.get("/coverage", summary="A day's coverage gaps against BetPawa, per competition and competitor")
def api_coverage(state: State, query: ReportParams,
                 limit: Annotated[str | None, Query(description="gaps listed, 1..20000 (default 500)")] = None,
                 ) -> Response:
    """The ``coverage_gaps`` asset's day (default: the latest computed): per competition and competitor the
    events it lists and BetPawa does not (and the reverse), the markets it offers for a shared event that
    BetPawa does not; ``gaps``: those one by one (at most ``limit``)."""
    data, _ = _read_coverage(state, query, int_param("limit", limit, 500, 1, 20_000))
    return _json(data)


@api_router.get("/coverage.csv", summary="A day's coverage gaps as CSV: one row per gap")
def api_coverage_csv(state: State, query: ReportParams) -> Response:
    data, _ = _read_coverage(state, query, 20_000)
    return _csv(csvout.to_csv(COVERAGE_COLUMNS, coverage_rows(data)), f"coverage-{data['day'] or 'none'}.csv")


@api_router.get("/freshness", summary="Each book's last written window and its age")
def api_freshness(state: State) -> Response:
    """Per book: the last written window (``captured_at``), when it was written, its age in seconds and
    whether the book is stale (age above ``max_age_s``, two cadences: the ``freshness`` check's rule)."""
    with state.pool.connection() as conn:
        fresh = load_freshness(conn, state.max_age_s)
    return _json(_fresh(state, fresh))


@api_router.get("/stream", response_class=EventSourceResponse, summary="Live: an event per written window")
async def api_stream(request: Request) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events: ``hello`` on connecting; ``window`` with the write engine's NOTIFY payload
    (JSON: ``bookmaker``, ``captured_at``, …) each time a window is written; ``resync`` after the server's
    own LISTEN connection was lost (windows may have been missed: fetch again)."""
    state = web_state(request)
    async with state.hub.subscribe() as queue:
        yield ServerSentEvent(event="hello", data={"listening": state.hub.listening}, retry=2000)
        while True:
            event, data = await queue.get()
            yield ServerSentEvent(event=event, raw_data=data)


# --- pages ---------------------------------------------------------------------------------------

def _render(request: Request, state: WebState, template: str, fresh: Freshness, **context: Any) -> Response:
    return state.templates.TemplateResponse(request, template, {
        "fresh": _fresh(state, fresh), "dagster_url": state.dagster_url, **context})


def _path_url(sr_id: int, market_id: int, line: Decimal | None) -> str:
    return f"/path/{sr_id}/{market_id}" + ("" if line is None else f"?line={format_line(line)}")


def _local(ts: datetime | None) -> str:
    """A time for a ``datetime-local`` input (UTC)."""
    return "" if ts is None else ts.strftime("%Y-%m-%dT%H:%M")


@page_router.get("/", response_class=HTMLResponse)
def board_page(request: Request, state: State, query: BoardParams) -> Response:
    page, exposures, fresh = _read_board(state, query)

    def link(base: str = "/", **changes: Any) -> str:
        params = query.params(**changes)
        return base + (f"?{urlencode(params)}" if params else "")

    return _render(request, state, "board.html", fresh, page_name="board", board=page, exposures=exposures,
                   q=query, markets=KEY_MARKETS,
                   link=link, path_url=_path_url, local=_local, api_url=link("/api/board"),
                   csv_url=link("/api/board.csv", page=1, page_size=50))


@page_router.get("/event/{sr_id}", response_class=HTMLResponse)
def event_page(request: Request, state: State, sr_id: SrId) -> Response:
    view, fresh = _read_event(state, sr_id)
    return _render(request, state, "event.html", fresh, page_name="event", view=view, ev=view.show.event,
                   path_url=_path_url, api_url=f"/api/event/{sr_id}", csv_url=f"/api/event/{sr_id}.csv")


@page_router.get("/path/{sr_id}/{market_id}", response_class=HTMLResponse)
def path_page(request: Request, state: State, sr_id: SrId, market_id: MarketId, query: PathParams) -> Response:
    view, fresh = _read_path(state, sr_id, market_id, query)
    suffix = f"?{request.url.query}" if request.url.query else ""
    return _render(request, state, "path.html", fresh, page_name="path", view=view, h=view.history,
                   data=_path_json(state, view), q=query, local=_local, path_url=_path_url,
                   api_url=f"/api/path/{sr_id}/{market_id}{suffix}",
                   csv_url=f"/api/path/{sr_id}/{market_id}.csv{suffix}")


@page_router.get("/exposure", response_class=HTMLResponse)
def exposure_page(request: Request, state: State, query: ExposureParams) -> Response:
    data, fresh = _read_exposure(state, query)
    suffix = f"?{urlencode(query.params())}" if query.params() else ""
    return _render(request, state, "exposure.html", fresh, page_name="exposure", data=data, q=query,
                   api_url=f"/api/exposure{suffix}", csv_url=f"/api/exposure.csv{suffix}")


@page_router.get("/margins", response_class=HTMLResponse)
def margins_page(request: Request, state: State, query: ReportParams) -> Response:
    data, fresh = _read_margins(state, query)
    suffix = f"?{urlencode(query.params())}" if query.params() else ""
    return _render(request, state, "margins.html", fresh, page_name="margins", data=data, q=query,
                   buckets=BUCKETS, api_url=f"/api/margins{suffix}", csv_url=f"/api/margins.csv{suffix}")


@page_router.get("/coverage", response_class=HTMLResponse)
def coverage_page(request: Request, state: State, query: ReportParams) -> Response:
    data, fresh = _read_coverage(state, query)
    suffix = f"?{urlencode(query.params())}" if query.params() else ""
    return _render(request, state, "coverage.html", fresh, page_name="coverage", data=data, q=query,
                   api_url=f"/api/coverage{suffix}", csv_url=f"/api/coverage.csv{suffix}")


@page_router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)
