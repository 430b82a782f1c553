"""The board's pages and its API: every page reads the same data as its JSON twin, and every table has a
CSV twin written from that JSON.

    page                              JSON                                   CSV
    /                                 /api/board                             /api/board.csv (every page)
    /event/{sr_id}                    /api/event/{sr_id}                     /api/event/{sr_id}.csv
    /path/{sr_id}/{market_id}         /api/path/{sr_id}/{market_id}          /api/path/{sr_id}/{market_id}.csv
    (the banner on every page)        /api/freshness
                                      /api/stream (server-sent events: ``window``, ``resync``, ``hello``)

Routes are plain ``def`` (run in the thread pool, each with one pooled connection) except the stream.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
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
from odds_assets.web.params import MAX_RANGE, board_query, line_param, time_param, time_range
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


BoardParams = Annotated[BoardQuery, Depends(board_params)]
PathParams = Annotated[PathQuery, Depends(path_params)]


# --- reading -------------------------------------------------------------------------------------

def _read_board(state: WebState, query: BoardQuery) -> tuple[BoardPage, Freshness]:
    with state.pool.connection() as conn:
        fresh = load_freshness(conn, state.max_age_s)
        now = state.clock()
        board = state.cache.get(conn, fresh, now)
    return select(board, query, now), fresh


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
    page, _ = _read_board(state, query)
    return _json(board_json(page))


@api_router.get("/board.csv", summary="The board as CSV: one row per event × market × outcome × book")
def api_board_csv(state: State, query: BoardParams) -> Response:
    """The same filters and order as ``/api/board``, every page at once (``page``/``page_size`` ignored)."""
    page, _ = _read_board(state, dataclasses.replace(query, page=1, page_size=10**9))
    return _csv(csvout.to_csv(csvout.BOARD_COLUMNS, csvout.board_rows(board_json(page))), "board.csv")


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
    page, fresh = _read_board(state, query)

    def link(base: str = "/", **changes: Any) -> str:
        params = query.params(**changes)
        return base + (f"?{urlencode(params)}" if params else "")

    return _render(request, state, "board.html", fresh, page_name="board", board=page, q=query, markets=KEY_MARKETS,
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


@page_router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)
