"""The board's application: :func:`create_app` assembles the pages and the API (``routes``), the static
files, the live updates (``live``), the error pages and the middleware.

- Every response carries ``Server-Timing: app;dur=<ms>``: the time from the request to the response's
  headers, i.e. the server's work (a benchmark reads it).
- Bad input never ends in a 500 with a trace: a malformed or absurd parameter is 400, an unknown event,
  market or line 404, FastAPI's own validation 422, a database that does not answer 503; under ``/api/``
  as JSON ``{"detail": "…"}``, elsewhere as a short page saying what was wrong.
- The cyclic garbage collector is kept off the cached board when the app owns its process (``odds web``,
  ``settle_gc``): a full collection walks every container object, and the board of 2,000 events is a few
  hundred thousand of them, so one fell on every few requests and took ~100 ms (the board's and the event
  page's p95 were those pauses). After each build the process's live objects are frozen (``gc.freeze``)
  and the automatic collections walk only what came after; each build first unfreezes and collects
  everything, so cyclic garbage among formerly frozen objects is freed within one build.
- ``/openapi.json`` is published; FastAPI's ``/docs`` and ``/redoc`` are off, as they load Swagger UI
  and ReDoc from a CDN and the board fetches nothing from the internet. Plotly's JavaScript is served
  from the installed ``plotly`` package under ``/static/plotly/``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.util
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from odds_assets.db.analytics_window import WindowSettings
from odds_assets.models import BOOKMAKERS
from odds_assets.settings import PipelineSettings
from odds_assets.trader.data import format_line
from odds_assets.trader.text import NOT_OFFERED, fmt_odds, fmt_pct, fmt_time, quote_cell
from odds_assets.web.auth import TokenAuth
from odds_assets.web.board import OFF_BOARD_HOURS, BoardCache
from odds_assets.web.freshness import load_freshness
from odds_assets.web.live import WindowHub
from odds_assets.web.params import QueryError
from odds_assets.web.pool import ConnectionPool, PoolTimeout
from odds_assets.web.routes import api_router, page_router
from odds_assets.web.state import WebState
from odds_assets.web.views import NotFound

__all__ = ["create_app", "settle_gc"]

log = logging.getLogger(__name__)

_HERE = Path(__file__).parent


def _plotly_dir() -> Path:
    """``plotly/package_data`` of the installed plotly (``plotly.min.js``), found without importing plotly."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the plotly package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "package_data"


class ServerTiming:
    """ASGI middleware: ``Server-Timing: app;dur=<ms>`` on every HTTP response (time to its headers)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = (time.perf_counter() - start) * 1000
                MutableHeaders(scope=message).append("Server-Timing", f"app;dur={elapsed_ms:.2f}")
            await send(message)

        await self.app(scope, receive, timed)


def _age(seconds: float | None) -> str:
    """An age for people: ``42 s``, ``3 min``, ``2 h 05 min``, ``3 d``."""
    if seconds is None:
        return "never"
    s = max(0, int(seconds))
    if s < 120:
        return f"{s} s"
    if s < 7200:
        return f"{s // 60} min"
    if s < 172800:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    return f"{s // 86400} d"


def _cell(odds: Decimal | None, state: str | None) -> str:
    """A quote as a cell: ``odds show``'s (``2.40``, ``2.40*``, ``susp``, ``gone``, ``—``) or ``off``."""
    return "off" if state == "off" else quote_cell(odds, state)


def _cell_class(state: str | None, vs: str | None) -> str:
    """A quote cell's classes: its state, and for BetPawa's cells how it compares with the market
    (``static/board.js`` builds the same on a live update)."""
    return f"q st-{state or 'none'}" + (f" vs-{vs}" if vs else "")


def _fair_odds(value: float | None) -> str:
    """Fair odds for people: three decimals (they are a probability's inverse, not a price on offer)."""
    return NOT_OFFERED if value is None else f"{value:.3f}"


def _json_odds(value: float | None) -> str:
    """Odds read back from the API's JSON (a number whose shortest repr is the exact decimal)."""
    return NOT_OFFERED if value is None else fmt_odds(Decimal(repr(value)))


def _json_time(value: str | None) -> str:
    """A time from the API's JSON (ISO 8601, ``Z``) as the tables show times: ``2026-11-29 18:00``."""
    return NOT_OFFERED if not value else value.replace("T", " ")[:16]


def _json_pct(value: float | None) -> str:
    """A percentage from the API's JSON with two decimals: ``5.12%``."""
    return NOT_OFFERED if value is None else f"{value:.2f}%"


def _edge(value: float | None) -> str:
    """BetPawa's edge as a signed percentage with two decimals: ``+3.21%``."""
    return NOT_OFFERED if value is None else f"{value * 100:+.2f}%"


def _edge_class(threshold: float) -> Callable[[float | None], str]:
    """``edge-hi`` for an edge above the exposure threshold (the analytics' ``ODDS_EXPOSURE_EDGE``)."""
    return lambda value: "edge-hi" if value is not None and value > threshold else ""


def _is_analytics(payload: str) -> bool:
    """A NOTIFY from the analytics (``{"asset": "exposure", …}``), not a written window: the built board
    (prices) stays valid; the pages still refresh (open exposures are read per request)."""
    try:
        return isinstance(data := json.loads(payload), dict) and "asset" in data
    except ValueError:
        return False


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=_HERE / "templates")
    env = templates.env
    env.filters.update(odds=lambda v: NOT_OFFERED if v is None else fmt_odds(v), pct=fmt_pct, time=fmt_time,
                       age=_age, fair_odds=_fair_odds, edge=_edge,
                       json_odds=_json_odds, json_pct=_json_pct, json_time=_json_time)
    edge_class = _edge_class(WindowSettings.from_env().exposure_edge)
    env.globals.update(BOOKS=BOOKMAKERS, cell=_cell, cell_class=_cell_class, edge_class=edge_class,
                       format_line=format_line,
                       off_hours=OFF_BOARD_HOURS)
    return templates


def settle_gc() -> None:
    """Collect everything, then freeze the survivors out of the automatic collections (see the module's
    docstring): for a process serving one app, run after each build of the board."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _warm(state: WebState) -> None:
    """Read the board once at start (a second or so for 2,000 events), so the first page need not wait."""
    try:
        with state.pool.connection() as conn:
            state.cache.get(conn, load_freshness(conn, state.max_age_s), state.clock())
    except (psycopg.Error, PoolTimeout) as exc:
        log.warning("odds web: the board could not be read at start (%s); the first request will try again", exc)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _error(request: Request, status: int, detail: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status)
    state: WebState = request.app.state.web
    return state.templates.TemplateResponse(request, "error.html", {"status": status, "detail": detail},
                                            status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return _error(request, exc.status_code, str(exc.detail))

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        parts = [f"{'.'.join(str(x) for x in e.get('loc', ()) if x not in ('query', 'path'))}: {e.get('msg')}"
                 for e in exc.errors()]
        return _error(request, 422, "; ".join(parts) or "invalid request")

    async def query_error(request: Request, exc: Exception) -> Response:
        return _error(request, 400, str(exc))

    async def not_found(request: Request, exc: Exception) -> Response:
        return _error(request, 404, str(exc))

    async def unavailable(request: Request, exc: Exception) -> Response:
        log.warning("odds web: %s %s: %s", request.method, request.url.path, exc)
        reason = ("the database did not answer in time" if isinstance(exc, psycopg.errors.QueryCanceled)
                  else "the database is busy" if isinstance(exc, PoolTimeout) else "the database is unavailable")
        return _error(request, 503, f"{reason}; try again shortly")

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("odds web: %s %s failed", request.method, request.url.path)
        return _error(request, 500, "internal error (logged on the server)")

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(QueryError, query_error)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(psycopg.OperationalError, unavailable)
    app.add_exception_handler(PoolTimeout, unavailable)
    app.add_exception_handler(Exception, server_error)


def create_app(database_url: str, *, token: str | None = None, dagster_url: str | None = None,
               settings: PipelineSettings | None = None, clock: Callable[[], datetime] | None = None,
               pool_size: int = 8, own_process: bool = False) -> FastAPI:
    """The board's ASGI application, reading ``database_url`` (connect as the read-only role ``odds_web``;
    see ``odds_assets.db.server.web_url``).

    Args:
        token: when set, every request must carry it (``odds_assets.web.auth``).
        dagster_url: the Dagster UI's address, to link each book's freshness to its partitions.
        settings: the pipeline's settings (cadence → the freshness limit); default from the environment.
        clock: the current time (UTC), for tests; default the system clock.
        own_process: the app is all its process serves (``odds web``): :func:`settle_gc` after each build
            of the board, ``gc.unfreeze()`` when the app stops. Off, the process's collector is left alone.
    """
    cache = BoardCache(on_built=settle_gc if own_process else None)
    state = WebState(
        pool=ConnectionPool(database_url, max_size=pool_size),
        cache=cache,
        hub=WindowHub(on_window=lambda payload: None if _is_analytics(payload) else cache.invalidate()),
        settings=settings if settings is not None else PipelineSettings.from_env(),
        dagster_url=dagster_url.rstrip("/") if dagster_url else None,
        templates=_templates(),
        clock=clock if clock is not None else (lambda: datetime.now(timezone.utc)),
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        listener = asyncio.create_task(state.hub.listen(database_url), name="odds_web listen")
        warm = asyncio.get_running_loop().run_in_executor(None, _warm, state)
        try:
            yield
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
            await warm
            state.pool.close()
            if own_process:
                gc.unfreeze()

    app = FastAPI(
        title="odds board",
        summary="The traders' board: BetPawa, SportyBet and Bet9ja side by side, price paths, freshness.",
        description="Read-only. Times are UTC (ISO 8601); odds and margins are numbers (margins in %). "
                    "Every page has a JSON twin under /api/ and the tables a CSV one.",
        version="1",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.web = state
    app.include_router(api_router)
    app.include_router(page_router)
    app.mount("/static/web", StaticFiles(directory=_HERE / "static"), name="static")
    app.mount("/static/plotly", StaticFiles(directory=_plotly_dir()), name="plotly")
    _install_error_handlers(app)
    if token:
        app.add_middleware(TokenAuth, token=token)
    app.add_middleware(ServerTiming)  # added last: outermost, so refused requests are timed too
    return app
