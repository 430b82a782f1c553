"""The error tree (``odds_assets.errors``): which errors are worth a retry (``is_transient``), and every
error class the package defines sits under ``OddsAssetsError``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import datetime, timezone

import httpx
import psycopg
import pytest

import odds_assets
from odds_assets.errors import (
    ArchiveCorrupt,
    ArchiveError,
    BookmakerBlocked,
    BookmakerRateLimited,
    BookmakerUnavailable,
    DatabaseNotConfigured,
    NormalisationError,
    NotFootball,
    OddsAssetsError,
    SnapshotError,
    UnexpectedPayload,
    WindowClosed,
    WindowNotOpen,
    is_transient,
)

W = datetime(2026, 11, 24, 10, 5, tzinfo=timezone.utc)
REQUEST = httpx.Request("GET", "https://www.betpawa.ng/api/sportsbook/v3/events/lists/by-queries")

TRANSIENT = {
    "httpx_connect": httpx.ConnectError("connection refused", request=REQUEST),
    "httpx_read_timeout": httpx.ReadTimeout("timed out", request=REQUEST),
    "httpx_pool_timeout": httpx.PoolTimeout("no connection available"),
    "httpx_remote_protocol": httpx.RemoteProtocolError("peer closed connection", request=REQUEST),
    "bookmaker_unavailable": BookmakerUnavailable("HTTP 503", bookmaker="betpawa", url="https://x/a"),
    "bookmaker_rate_limited": BookmakerRateLimited("HTTP 429", bookmaker="sportybet", retry_after=3.0),
    "psycopg_operational": psycopg.OperationalError("connection to server failed"),
    "psycopg_admin_shutdown": psycopg.errors.AdminShutdown("terminating connection"),
    "psycopg_duplicate_table": psycopg.errors.DuplicateTable("relation already exists"),
    "archive": ArchiveError("could not write raw.json: No space left on device", url="/archive/betpawa"),
    "connection_reset": ConnectionResetError("reset by peer"),
    "timeout": TimeoutError("timed out"),
}

DETERMINISTIC = {
    "snapshot": SnapshotError("kickoff missing", bookmaker="betpawa", sr_event_id=1, field="kickoff"),
    "normalisation": NormalisationError("no markets", bookmaker="bet9ja", event_id=7, path="$.D.O"),
    "not_football": NotFootball("basketball", bookmaker="sportybet", event_id="sr:match:1", path="$.sport.id",
                                sport="sr:sport:2"),
    "bookmaker_blocked": BookmakerBlocked("HTTP 403", bookmaker="bet9ja"),
    "unexpected_payload": UnexpectedPayload("body is not JSON", bookmaker="betpawa", path="$.responses"),
    "window_closed": WindowClosed("in the past", bookmaker="betpawa", window_start=W),
    "window_not_open": WindowNotOpen("not started yet", bookmaker="betpawa", window_start=W),
    "database_not_configured": DatabaseNotConfigured("no ODDS_DATABASE_URL"),
    "psycopg_unique_violation": psycopg.errors.UniqueViolation("duplicate key"),
    "httpx_status": httpx.HTTPStatusError("500", request=REQUEST,
                                          response=httpx.Response(500, request=REQUEST)),
    "archive_corrupt": ArchiveCorrupt("checksum mismatch", url="/archive/betpawa/2026-11-24/10-05/raw.zst",
                                      bookmaker="betpawa", window_start=W, event_id="33289995"),
    "value": ValueError("bad value"),
    "key": KeyError("listed"),
}


@pytest.mark.parametrize("exc", TRANSIENT.values(), ids=TRANSIENT.keys())
def test_transient_errors(exc: BaseException) -> None:
    assert is_transient(exc)


@pytest.mark.parametrize("exc", DETERMINISTIC.values(), ids=DETERMINISTIC.keys())
def test_deterministic_errors(exc: BaseException) -> None:
    assert not is_transient(exc)


def test_archive_storage_is_transient_but_a_bad_snapshot_is_not() -> None:
    # both concern the archived window, but only the storage can heal by itself
    assert is_transient(ArchiveError("could not read summary.json", url="s3://odds/betpawa"))
    assert not is_transient(SnapshotError("events frame lacks columns ['kickoff']", bookmaker="betpawa",
                                          field="events"))


def _package_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(odds_assets.__path__, "odds_assets.")]
    return [n for n in names if n.rsplit(".", 1)[-1] != "__main__"]  # __main__ would run the CLI


def test_every_error_class_of_the_package_is_in_the_tree() -> None:
    """Every exception class defined in a module of odds_assets derives from OddsAssetsError.

    Private classes (``_Retry``, ``_Fatal`` ... in ``clients/base.py``) are internal control flow inside
    one module, never raised to a caller, so they are not errors of the project."""
    found: dict[str, type] = {}
    for name in _package_modules():
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == name and not cls_name.startswith("_"):
                found[f"{name}.{cls_name}"] = cls
    outside = sorted(k for k, cls in found.items() if not issubclass(cls, OddsAssetsError))
    assert outside == []
    # one tree in one place: every public error class is defined in errors.py (trader and demo re-export)
    assert sorted(k for k in found if not k.startswith("odds_assets.errors.")) == []
    # the walk is not vacuous: the tree itself, the trader's and the demo's errors were found
    assert {"odds_assets.errors.WindowClosed", "odds_assets.errors.ArchiveError", "odds_assets.errors.TraderError",
            "odds_assets.errors.DemoError"} <= set(found)
    assert len(_package_modules()) > 50
