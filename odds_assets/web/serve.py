"""``odds web``: the board served by uvicorn, as the read-only role, with the address rules of
``odds_assets.web.auth``.

uvicorn waits for open connections to finish before it stops, and a page's event stream never finishes:
without ``timeout_graceful_shutdown`` a Ctrl-C (or SIGTERM) leaves the server running as long as a
browser tab is open. With it, streams are cut after :data:`GRACE_S` seconds.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

import psycopg
import uvicorn
from fastapi import FastAPI

from odds_assets.errors import WebError
from odds_assets.settings import WebSettings
from odds_assets.web.app import create_app
from odds_assets.web.auth import is_loopback

__all__ = ["GRACE_S", "check_database", "database_url", "serve", "server"]

#: seconds uvicorn waits for open connections (event streams) when stopping
GRACE_S = 2


def database_url(settings: WebSettings) -> str:
    """``ODDS_WEB_DATABASE_URL``, else the odds database (``ODDS_DATABASE_URL`` or the running embedded
    server) as the role ``odds_web``."""
    if settings.database_url:
        return settings.database_url
    from odds_assets.db.server import resolve_urls, web_url

    # start=False: a read-only command must not start a server as a side effect
    return web_url(resolve_urls(start=False).odds)


def check_database(url: str) -> None:
    """Connect once, so a missing role or an unreachable server is said before the server starts."""
    try:
        psycopg.connect(url, connect_timeout=10).close()
    except psycopg.OperationalError as exc:
        text = " ".join(str(exc).split())
        if 'role "odds_web" does not exist' in text:
            raise WebError("the read-only role odds_web does not exist yet: run `odds db migrate`") from None
        raise WebError(f"cannot connect to the odds database for the board: {text}") from None


def server(app: FastAPI, host: str, port: int, *, log_level: str = "info") -> uvicorn.Server:
    """A uvicorn server for ``app`` that stops within :data:`GRACE_S` seconds even with streams open."""
    config = uvicorn.Config(app, host=host, port=port, timeout_graceful_shutdown=GRACE_S, log_level=log_level,
                            access_log=False, lifespan="on")
    return uvicorn.Server(config)


def serve(host: str, port: int, *, dagster_url: str | None = None, env: Mapping[str, str] | None = None) -> None:
    """Serve the board until interrupted; :class:`WebError` when it cannot start as asked."""
    settings = WebSettings.from_env(env)
    if not is_loopback(host) and not settings.token:
        raise WebError(f"--host {host} is not a loopback address: set ODDS_WEB_TOKEN (the token every request "
                       "must then carry) or bind to 127.0.0.1")
    url = database_url(settings)
    check_database(url)
    app = create_app(url, token=settings.token, dagster_url=dagster_url, own_process=True)
    shown = f"[{host}]" if ":" in host else host
    print(f"odds web: the board at http://{shown}:{port}/" + (" (token required)" if settings.token else ""),
          file=sys.stderr, flush=True)
    server(app, host, port).run()
