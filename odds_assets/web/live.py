"""Live updates: the write engine's ``NOTIFY odds_window`` → this server → every open page (SSE).

One autocommit connection per server runs ``LISTEN odds_window`` (a LISTEN needs a connection of its own
that is never inside a transaction, or notifications wait for it to end). Each notification's payload —
JSON text such as ``{"bookmaker": "betpawa", "captured_at": "2026-11-29T05:31:00+00:00", …}`` — is handed
as it is to every subscriber (one queue per open ``/api/stream``) as an event ``window``. PostgreSQL keeps
no notification for a listener that was away: after the listening connection comes back, subscribers get
an event ``resync`` so pages fetch their data again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import psycopg

from odds_assets.db import queries

__all__ = ["CHANNEL", "WindowHub"]

log = logging.getLogger(__name__)

#: the channel the write engine notifies on when a window is written
CHANNEL = "odds_window"


class WindowHub:
    """Fans notifications out to subscribers; :meth:`listen` keeps the LISTEN connection up."""

    def __init__(self, *, on_window: Callable[[str], None] | None = None, queue_size: int = 64) -> None:
        self._subscribers: set[asyncio.Queue[tuple[str, str]]] = set()
        self._on_window = on_window
        self._queue_size = queue_size
        #: whether the LISTEN connection is up
        self.listening = False

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def publish(self, event: str, data: str) -> None:
        """Queue ``(event, data)`` for every subscriber; a subscriber too far behind loses its oldest."""
        for queue in list(self._subscribers):
            if queue.full():  # a stalled page: it refetches everything on the next event anyway
                queue.get_nowait()
            queue.put_nowait((event, data))

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[tuple[str, str]]]:
        """A queue receiving every event from now until the block ends."""
        queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue(self._queue_size)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    async def listen(self, conninfo: str, *, retry_s: float = 1.0, max_retry_s: float = 30.0) -> None:
        """LISTEN on :data:`CHANNEL` for ever (until cancelled), reconnecting with backoff."""
        delay, lost = retry_s, False
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(conninfo, autocommit=True,
                                                             application_name="odds_web listen")
                async with conn:
                    await conn.execute(queries.load("listen_odds_window"))
                    self.listening, delay = True, retry_s
                    if lost:
                        self.publish("resync", "{}")
                    async for note in conn.notifies():
                        if self._on_window is not None:
                            self._on_window(note.payload)
                        self.publish("window", note.payload)
            except psycopg.Error as exc:
                log.warning("odds web: LISTEN %s lost (%s); again in %.0f s", CHANNEL, exc, delay)
            self.listening, lost = False, True
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_retry_s)
