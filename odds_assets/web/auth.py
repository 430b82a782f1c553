"""Who may read the board. Bound to loopback (the default) nobody else can reach it; bound to any other
address, ``odds web`` refuses to start without ``ODDS_WEB_TOKEN`` (:func:`is_loopback`), and then every
request must carry the token (:class:`TokenAuth`):

- ``Authorization: Bearer <token>`` (API clients), or
- the cookie a browser got by opening any page once with ``?token=<token>`` (pages then drop it from the
  address with a redirect, so it stays out of the history and of links; ``EventSource`` cannot send
  headers, the cookie goes with it).

Anything else gets 401 (JSON under ``/api/``, a short page elsewhere). Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
import ipaddress
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, quote, unquote, urlencode

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["COOKIE", "TokenAuth", "is_loopback"]

COOKIE = "odds_web_token"


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the server on this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve to anything


class TokenAuth:
    """ASGI middleware: every HTTP request must present ``token`` (see the module docstring)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._token = token.encode()

    def _valid(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self._token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        auth = headers.get("authorization", "")
        bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else None
        cookie = SimpleCookie(headers.get("cookie", ""))
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        from_query = next((v for k, v in query if k == "token"), None)
        if self._valid(bearer) or (COOKIE in cookie and self._valid(unquote(cookie[COOKIE].value))):
            await self.app(scope, receive, send)
            return
        if not self._valid(from_query):
            await _unauthorised(scope["path"])(scope, receive, send)
            return
        set_cookie = f"{COOKIE}={quote(str(from_query), safe='')}; Path=/; HttpOnly; SameSite=Strict"
        path: str = scope["path"]
        if scope["method"] == "GET" and not path.startswith("/api/"):  # a page: drop the token from the address
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            redirect = RedirectResponse(path + (f"?{rest}" if rest else ""), status_code=303)
            redirect.headers.append("set-cookie", set_cookie)
            await redirect(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("set-cookie", set_cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _unauthorised(path: str) -> Response:
    detail = "this board needs its token: Authorization: Bearer <token>, or open a page once with ?token=<token>"
    headers = {"WWW-Authenticate": "Bearer"}
    if path.startswith("/api/") or path == "/openapi.json":
        return JSONResponse({"detail": detail}, status_code=401, headers=headers)
    return HTMLResponse("<!doctype html><meta charset=utf-8><title>401 · odds board</title>"
                        f"<h1>401 Unauthorized</h1><p>{detail.replace('<', '&lt;')}</p>",
                        status_code=401, headers=headers)
