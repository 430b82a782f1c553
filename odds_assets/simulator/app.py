"""The ASGI application: all three books on one host/port at their real paths, plus ``/_sim`` control.

A plain ASGI callable rather than a framework: routing is a few prefix checks and the hot path
(cached detail bodies) should cost little more than the socket write.

Control endpoints (JSON):

- ``GET /_sim/health``;
- ``GET /_sim/clock``; ``POST /_sim/clock`` with ``{"t": <epoch s | ISO>, "frozen": true}``,
  ``{"advance": <s>}``, ``{"freeze": true}`` or ``{"wall": true}``;
- ``GET /_sim/faults``; ``POST /_sim/faults`` with a fault spec (JSON object, or ``{"spec": "<text>"}``);
- ``GET /_sim/truth?book=<book>&t=<epoch s | ISO>`` — the ground truth (default t = now); with a scenario
  it also carries ``"scenario"`` (what ``GET /_sim/scenario`` returns) and, per event, ``"betpawa_lags"``;
- ``GET /_sim/scenario?t=<…>`` — the scenario's settings and planted facts (per market type: lead book,
  lags in minutes, margins per book; the planted exposure episodes; the events on BetPawa's board at t
  whose moves BetPawa follows late), ``{"scenario": null}`` without one; ``POST /_sim/scenario`` with the
  settings (:mod:`odds_assets.simulator.scenario`; ``{}`` = every default, ``null`` = no scenario)
  switches the world at once and answers as the GET;
- ``GET /_sim/board?book=<book>`` — the book's event ids on the board now.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import orjson

from odds_assets.simulator import bet9ja, betpawa, sportybet
from odds_assets.simulator._http import Effects, Request, Response, json_response
from odds_assets.simulator.config import SimulatorConfig, parse_time
from odds_assets.simulator.engine import Simulator
from odds_assets.simulator.truth import truth_to_json
from odds_assets.simulator.world import BOOKS

__all__ = ["SimulatorApp", "create_app"]

# the ASGI types (as httpx's ASGITransport and uvicorn declare them)
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_HANDLERS = {"betpawa": betpawa.handle, "sportybet": sportybet.handle, "bet9ja": bet9ja.handle}
# Query parameters that only bust caches; a retry with a new value is still "the same request".
_CACHE_BUSTERS = {"_t", "v_cache_version"}
_WAF_PAGE = (b"<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title>"
             b"<meta http-equiv=\"refresh\" content=\"5\"></head><body><div id=\"cf-wrapper\">"
             b"<h1>Checking your browser before accessing the site.</h1><p>Ray ID: 7f00000000000000</p>"
             b"</div></body></html>")
_FORBIDDEN_PAGE = (b"<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body>"
                   b"<h1>Access denied</h1><p>Error code 1020</p></body></html>")


def _book_of(path: str) -> str | None:
    if path.startswith(betpawa.PREFIX):
        return "betpawa"
    if path.startswith("/api/") and "/factsCenter/" in path:
        return "sportybet"
    if path.startswith(bet9ja.PREFIXES):
        return "bet9ja"
    return None


def _request_kind(book: str, path: str) -> str:
    """listing / detail / other — what a fault ``scope`` refers to."""
    if book == "betpawa":
        if path.endswith("/by-queries"):
            return "listing"
        return "detail" if "/events/" in path else "other"
    if book == "sportybet":
        if path.endswith(("/pcUpcomingEvents", "/pcEvents")):
            return "listing"
        return "detail" if path.endswith("/event") else "other"
    if path.endswith(("/GetEventsInGroupV2", "/GetEventsInGroup")):
        return "listing"
    return "detail" if path.endswith("/GetEvent") else "other"


def _request_key(req: Request) -> str:
    q = "&".join(f"{k}={v}" for k, v in sorted(req.query.items()) if k not in _CACHE_BUSTERS)
    return f"{req.method} {req.path}?{q} {req.body.decode('utf-8', 'replace')}"


class SimulatorApp:
    """ASGI app over one :class:`Simulator` (``app.sim``: clock, faults, ground truth in-process)."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self._warming: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        if self._warming is None and self.sim.config.warm:
            self._warming = asyncio.get_running_loop().create_task(self._warm_between_requests())
        body = b""
        if scope["method"] in ("POST", "PUT", "PATCH"):
            more = True
            while more:
                message = await receive()
                body += message.get("body", b"")
                more = message.get("more_body", False)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        req = Request(method=scope["method"], path=scope["path"], query=query, headers=headers, body=body)
        try:
            resp = await self.dispatch(req)
        except Exception as exc:  # noqa: BLE001 - a simulator bug must show as a 500 the test can see, not a hang
            resp = json_response({"error": type(exc).__name__, "message": str(exc)}, status=500)
        out_headers = [(b"content-type", resp.content_type.encode()),
                       (b"content-length", str(len(resp.body)).encode())]
        out_headers.extend((k.encode(), v.encode()) for k, v in resp.headers)
        await send({"type": "http.response.start", "status": resp.status, "headers": out_headers})
        await send({"type": "http.response.body", "body": resp.body})

    async def dispatch(self, req: Request) -> Response:
        if req.path.startswith("/_sim/"):
            return self._control(req)
        book = _book_of(req.path)
        if book is None:
            return Response(404, b"<html><body>Not Found</body></html>", "text/html")
        sim = self.sim
        kind = _request_kind(book, req.path)
        d = sim.faults.decide(book, _request_key(req), kind)
        if d.latency_s > 0:
            await asyncio.sleep(d.latency_s)
        fault = d.kind
        if fault == "403":
            return Response(403, _FORBIDDEN_PAGE, "text/html; charset=UTF-8")
        if fault == "429":
            return Response(429, b'{"message":"Too Many Requests"}', "application/json",
                            headers=[("retry-after", str(sim.config.retry_after))])
        if fault in ("500", "502", "503"):
            return Response(int(fault), f"<html><body><h1>{fault} Server Error</h1></body></html>".encode(),
                            "text/html")
        if fault == "html":
            return Response(200, _WAF_PAGE, "text/html; charset=UTF-8")
        if fault == "slow":
            await asyncio.sleep(sim.config.slow_seconds)
        tick = sim.tick()
        resp = _HANDLERS[book](sim, req, tick, Effects(rename=d.rename, drop=d.drop, drop_salt=d.salt))
        if fault == "truncated" and resp.status == 200:
            resp = Response(200, resp.body[: max(1, len(resp.body) // 2)], resp.content_type, kind=resp.kind)
        elif fault == "protobuf" and resp.status == 200:
            resp = Response(200, betpawa.protobuf_body(sim.config.seed, req.path), "application/x-protobuf",
                            kind=resp.kind)
        return resp

    def warm(self) -> dict[str, int]:
        """Render every book's event details of the current tick once, as the clients ask for them but
        without latency or faults, and keep them in the caches; returns the details rendered per book.

        A detail's first rendering builds its instance set, states and market fragments (on realistic
        boards ~4x the CPU of a later tick, which re-renders only what moved): warmed at start, the
        first window's scrapes meet a server in its steady state, as a real bookmaker's would be."""
        done: dict[str, int] = {}
        for book in self._warm_steps():
            done[book] = done.get(book, 0) + 1
        return done

    def _warm_steps(self) -> Iterator[str]:
        """Render the current tick's details one at a time, yielding each one's book."""
        sim = self.sim
        tick = sim.tick()
        for book in BOOKS:
            for ev in sim.board(book, tick):
                if book == "betpawa":
                    req = Request("GET", f"{betpawa.PREFIX}events/{ev.betpawa_id}", {},
                                  {"accept": "application/json", "x-pawa-brand": "betpawa-nigeria"})
                elif book == "sportybet":
                    req = Request("GET", "/api/ng/factsCenter/event",
                                  {"eventId": f"sr:match:{ev.sr_id}", "productId": "3"}, {})
                else:
                    req = Request("GET", "/desktop/feapi/PalimpsestAjax/GetEvent", {"EVENTID": str(ev.bet9ja_id)}, {})
                _HANDLERS[book](sim, req, tick, Effects())
                yield book

    async def _warm_between_requests(self) -> None:
        """:meth:`warm` on the server's event loop, one detail at a time with the requests in between (no
        other thread touches the caches); a failure only means the first scrapes meet a cold server."""
        started = time.monotonic()
        n = 0
        try:
            for _ in self._warm_steps():
                n += 1
                await asyncio.sleep(0)
        except Exception as exc:  # noqa: BLE001 - an optimisation: the server serves regardless
            print(f"odds simulator: warm-up stopped after {n} details ({type(exc).__name__}: {exc})", flush=True)
            return
        print(f"odds simulator: warmed {n} details in {time.monotonic() - started:.1f} s", flush=True)

    # ---------------------------------------------------------------- /_sim control

    def _control(self, req: Request) -> Response:
        sim = self.sim
        op = req.path[len("/_sim/"):]
        try:
            payload: Any = orjson.loads(req.body) if req.body else {}
        except orjson.JSONDecodeError:
            if op != "faults":
                return json_response({"error": "body is not JSON"}, status=400)
            payload = req.body.decode()
        try:
            if op == "health":
                return json_response({"ok": True})
            if op == "clock":
                if req.method == "POST":
                    self._set_clock(payload)
                t = sim.now()
                return json_response({"t": t, "tick": sim.tick(t), "frozen": sim.clock.frozen,
                                      "tick_seconds": sim.config.tick_seconds})
            if op == "faults":
                if req.method == "POST":
                    spec = payload.get("spec", payload) if isinstance(payload, dict) else payload
                    sim.faults.set(spec)
                    if isinstance(payload, dict) and payload.get("reset_counters"):
                        sim.faults.reset_counters()
                return json_response(sim.faults.to_json())
            if op == "truth":
                book = req.query.get("book", "")
                if book not in BOOKS:
                    return json_response({"error": f"book must be one of {list(BOOKS)}"}, status=400)
                t = parse_time(req.query["t"]) if req.query.get("t") else sim.now()
                tick = sim.tick(t)
                doc = truth_to_json(book, t, tick, sim.ground_truth(book, t))
                if sim.scenario is not None:
                    doc["scenario"] = sim.scenario.to_json(sim.board("betpawa", tick))
                    for e in doc["events"]:
                        e["betpawa_lags"] = sim.scenario.betpawa_lags(e["sr_event_id"] - 50_000_000)
                return json_response(doc)
            if op == "scenario":
                if req.method == "POST":
                    sim.set_scenario(payload)
                if sim.scenario is None:
                    return json_response({"scenario": None})
                t = parse_time(req.query["t"]) if req.query.get("t") else sim.now()
                return json_response({"scenario": sim.scenario.to_json(sim.board("betpawa", sim.tick(t)))})
            if op == "board":
                book = req.query.get("book", "betpawa")
                if book not in BOOKS:
                    return json_response({"error": f"book must be one of {list(BOOKS)}"}, status=400)
                tick = sim.tick()
                return json_response([{"sr_event_id": ev.sr_id, "betpawa_id": ev.betpawa_id,
                                       "bet9ja_id": ev.bet9ja_id} for ev in sim.board(book, tick)])
        except (ValueError, KeyError, TypeError) as exc:
            return json_response({"error": str(exc)}, status=400)
        return json_response({"error": "unknown control endpoint"}, status=404)

    def _set_clock(self, payload: dict[str, Any]) -> None:
        clock = self.sim.clock
        if payload.get("wall"):
            clock.unfreeze()
        if "t" in payload:
            clock.set(parse_time(payload["t"]), frozen=bool(payload.get("frozen", True)))
        if "advance" in payload:
            clock.advance(float(payload["advance"]))
        if payload.get("freeze"):
            clock.freeze()


def create_app(config: SimulatorConfig | None = None, *, simulator: Simulator | None = None) -> SimulatorApp:
    """An ASGI app serving the three books from one seeded world (``app.sim`` controls it)."""
    return SimulatorApp(simulator or Simulator(config or SimulatorConfig()))
