"""A small pool of read-only connections for the board's request threads.

Connecting costs a PostgreSQL backend start (milliseconds, more than most board queries), so the
connections are kept and reused. ``psycopg_pool`` would do this, but it is not a dependency of the
project and the need is small: autocommit connections (the role is read-only, nothing to commit),
at most ``max_size`` in use, a connection that broke or was left inside a transaction is closed
instead of returned.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from odds_assets.errors import PoolTimeout

__all__ = ["ConnectionPool", "PoolTimeout"]


class ConnectionPool:
    """Up to ``max_size`` autocommit connections to ``conninfo``, opened when first needed."""

    def __init__(self, conninfo: str, *, max_size: int = 8, timeout_s: float = 10.0,
                 application_name: str = "odds_web") -> None:
        self._conninfo = conninfo
        self._timeout_s = timeout_s
        self._application_name = application_name
        self._slots = threading.BoundedSemaphore(max_size)
        self._idle: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection for one request; returned to the pool afterwards if it is still sound."""
        if not self._slots.acquire(timeout=self._timeout_s):
            raise PoolTimeout(f"no database connection free within {self._timeout_s:g} s")
        try:
            conn = self._take()
            try:
                yield conn
            finally:
                self._give_back(conn)
        finally:
            self._slots.release()

    def _take(self) -> psycopg.Connection[Any]:
        with self._lock:
            while self._idle:
                conn = self._idle.pop()
                if not conn.closed:
                    return conn
        return psycopg.connect(self._conninfo, autocommit=True, application_name=self._application_name,
                               connect_timeout=10)

    def _give_back(self, conn: psycopg.Connection[Any]) -> None:
        sound = not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with self._lock:
            if sound and not self._closed:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        """Close the idle connections; those in use are closed when given back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
