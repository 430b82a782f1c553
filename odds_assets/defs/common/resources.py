"""Resources of the code location. Configuration comes from ``dg.EnvVar`` (resolved when a run starts,
never at import); see :func:`default_resources`.

- ``archive``               :class:`OddsArchiveResource` — the snapshot archive (``ODDS_ARCHIVE_URL``)
- ``scraper``               :class:`BoardScraperResource` — the bookmaker clients (``ODDS_<BOOK>_BASE_URL`` …)
- ``odds_db``               :class:`OddsDatabaseResource` — the odds database (``ODDS_DATABASE_URL``)
- ``snapshot_io_manager``   ``SnapshotArchiveIOManager`` (``io_managers``) — snapshots in the archive
- ``odds_db_io_manager``    ``OddsDbIOManager`` (``io_managers``) — snapshots through the write engine
"""

from datetime import datetime, timezone
from typing import Any

import dagster as dg
import psycopg

from odds_assets.archive import Archive
from odds_assets.clients import RetryPolicy, fetch_board_sync, settings_from_env
from odds_assets.models import BoardScrape

__all__ = ["BoardScraperResource", "OddsArchiveResource", "OddsDatabaseResource"]


class OddsArchiveResource(dg.ConfigurableResource):
    """The snapshot archive: a local directory or any fsspec / universal-pathlib URL."""

    url: str

    def archive(self) -> Archive:
        return Archive(self.url)


class BoardScraperResource(dg.ConfigurableResource):
    """Scrapes one bookmaker's whole board with the project's clients.

    Client settings come from ``ODDS_<BOOK>_*`` (read by the clients when a run starts);
    ``base_urls`` overrides the base URL per book (tests, the demo), ``fast_retry`` shrinks the clients'
    own per-request backoff to milliseconds (tests).
    """

    base_urls: dict[str, str] = {}
    fast_retry: bool = False
    page_size: int | None = None

    def now(self) -> datetime:
        """The time a scrape is made at (the simulator's clock in tests)."""
        return datetime.now(timezone.utc)

    def fetch_board(self, bookmaker: str) -> BoardScrape:
        overrides: dict[str, Any] = {}
        if self.base_urls.get(bookmaker):
            overrides["base_url"] = self.base_urls[bookmaker]
        if self.fast_retry:
            overrides["retry"] = RetryPolicy.fast()
        if self.page_size:
            overrides["page_size"] = self.page_size
        return fetch_board_sync(bookmaker, settings_from_env(bookmaker, **overrides))


class OddsDatabaseResource(dg.ConfigurableResource):
    """The odds database (libpq URL).

    Its connections never wait without bound on the database: a statement running longer than
    ``statement_timeout_s`` is cancelled and a lock waited for longer than ``lock_timeout_s`` (a table
    lock held by someone's long query, another writer's advisory lock) is given up. Both raise
    ``psycopg.OperationalError`` subclasses (``QueryCanceled``, ``LockNotAvailable``), which are
    transient: the run retries with backoff and the write sensor tries the window again later,
    instead of a run holding its bookmaker's write slot for ``ODDS_RUN_MAX_RUNTIME_S``. The server
    enforces them, so they do not help against a server that stops answering at all (frozen, or the
    network gone after connect): run monitoring's max runtime is the bound there. The connections
    are named ``application_name`` in ``pg_stat_activity``; a write run's connection adds its run id
    (``odds_assets write 1a2b3c4d``), a scrape run writing its own window ``odds_assets scrape-write
    1a2b3c4d``, so an operator (or the fault suite) can tell whose it is.
    """

    url: str
    connect_timeout_s: int = 5
    statement_timeout_s: int = 120
    lock_timeout_s: int = 30
    application_name: str = "odds_assets"

    def connect(self, tag: str | None = None, *, statement_timeout_s: float | None = None,
                lock_timeout_s: float | None = None, connect_timeout_s: int | None = None) -> psycopg.Connection:
        """An autocommit connection (the write engine opens its own transaction), named
        ``application_name`` plus ``tag`` when given; the keyword arguments tighten this connection's
        timeouts (a scrape run's own write, which must end well inside its window)."""
        statement_ms = int((statement_timeout_s or self.statement_timeout_s) * 1000)
        lock_ms = int((lock_timeout_s or self.lock_timeout_s) * 1000)
        options = f"-c statement_timeout={statement_ms} -c lock_timeout={lock_ms}"
        name = f"{self.application_name} {tag}"[:63] if tag else self.application_name
        return psycopg.connect(self.url, autocommit=True, connect_timeout=connect_timeout_s or self.connect_timeout_s,
                               application_name=name, options=options)
