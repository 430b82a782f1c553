"""A deadline the client keeps on one PostgreSQL connection, whatever the server does.

``statement_timeout`` and ``lock_timeout`` are enforced by the server: a server that stops answering
(frozen with ``SIGSTOP``, swapped out, a network that drops packets after connect) never sends the
cancellation, and the client waits in ``recv`` for ever. :func:`connection_deadline` bounds that wait on
the client side: when the deadline passes, a timer thread shuts the connection's socket down (both
directions, on a duplicate of its file descriptor), so the call blocked on it returns at once with
``psycopg.OperationalError`` and the block raises :class:`DeadlineExceeded` instead.

What the server did with the work in flight: a transaction whose ``COMMIT`` had not reached the server
is rolled back when the server notices the closed connection (at once, or when it runs again); one whose
``COMMIT`` had been received commits. The caller therefore treats a deadline as "maybe not written":
the write engine's windows are idempotent, so writing the window again later is always safe.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator

import psycopg

from odds_assets.errors import DeadlineExceeded

__all__ = ["DeadlineExceeded", "connection_deadline"]


def _cut(conn: psycopg.Connection) -> None:
    """Shut the connection's socket down under whoever is blocked on it."""
    with contextlib.suppress(OSError, psycopg.Error):
        fd = os.dup(conn.pgconn.socket)
        with socket.socket(fileno=fd) as sock:
            sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def connection_deadline(conn: psycopg.Connection, seconds: float) -> Iterator[None]:
    """Run the block with ``conn`` cut off after ``seconds`` (wall clock). An error raised in the block
    after the cut becomes :class:`DeadlineExceeded` (chained); a block that finishes in time is
    untouched. The connection is unusable after a cut: close it."""
    fired = threading.Event()

    def expire() -> None:
        fired.set()
        _cut(conn)

    timer = threading.Timer(max(0.0, seconds), expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    except Exception as exc:
        if fired.is_set():
            raise DeadlineExceeded(f"the database did not answer within {seconds:.1f} s; connection cut") from exc
        raise
    finally:
        timer.cancel()
    if fired.is_set():  # cut just as the block ended: what the server did is unknown
        raise DeadlineExceeded(f"the database did not answer within {seconds:.1f} s; connection cut")
