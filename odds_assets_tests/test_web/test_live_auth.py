"""Live updates (a NOTIFY on ``odds_window`` reaches an open ``/api/stream``; a written window reaches the
board), freshness (each book's last window, its age, the stale banner, the Dagster link), the token, the
read-only role of migration 0006, and ``odds web``'s refusal to bind off loopback without a token.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import httpx
import psycopg
import pytest
from alembic import command

from odds_assets.cli import main
from odds_assets.db import migrate
from odds_assets.db.engine import apply_snapshot
from odds_assets.db.server import web_url
from odds_assets.errors import WebError
from odds_assets.snapshot import build_snapshot
from odds_assets.web import create_app
from odds_assets.web.auth import is_loopback
from odds_assets.web.serve import serve
from odds_assets_tests.factories import scalar
from odds_assets_tests.test_web.conftest import Markets, Page, event_odds, running, wait_listening


def read_event(lines, want: str, timeout_s: float = 10) -> dict[str, str]:
    """The next server-sent event named ``want`` (its fields), skipping others and pings."""
    deadline = time.monotonic() + timeout_s
    fields: dict[str, str] = {}
    for line in lines:
        assert time.monotonic() < deadline, f"no {want} event in {timeout_s} s"
        if line == "":
            if fields.get("event") == want:
                return fields
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value[1:] if value.startswith(" ") else value
    raise AssertionError(f"the stream ended before a {want} event")


def test_a_notify_reaches_an_open_stream(site):
    wait_listening(site.app)
    payload = json.dumps({"bookmaker": "betpawa", "captured_at": "2026-11-29T05:31:00+00:00", "events": 3})
    with site.http.stream("GET", "/api/stream") as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        lines = r.iter_lines()
        hello = read_event(lines, "hello")
        assert json.loads(hello["data"]) == {"listening": True}
        with psycopg.connect(site.admin_url, autocommit=True) as conn:
            conn.execute("SELECT pg_notify('odds_window', %s)", (payload,))
        window = read_event(lines, "window")
        assert window["data"] == payload


def test_a_written_window_reaches_the_board(odds_db_url: str, odds_conn: psycopg.Connection):
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    x12: Markets = {(3743, None): {"1": "2.00", "X": "3.40", "2": "3.90"}}
    apply_snapshot(odds_conn, build_snapshot("betpawa", now - timedelta(minutes=10),
                                             [event_odds("betpawa", 102, x12, now)]))
    app = create_app(web_url(odds_db_url))
    with running(app) as base, httpx.Client(base_url=base, timeout=20) as http:
        first = http.get("/api/board").json()["events"][0]["markets"]["1x2"]["outcomes"][0]["books"]["betpawa"]
        assert first == {"odds": 2.0, "state": "active"}
        moved: Markets = {(3743, None): {"1": "2.15", "X": "3.40", "2": "3.60"}}
        apply_snapshot(odds_conn, build_snapshot("betpawa", now - timedelta(minutes=5),
                                                 [event_odds("betpawa", 102, moved, now)]))
        board = http.get("/api/board").json()
        assert board["events"][0]["markets"]["1x2"]["outcomes"][0]["books"]["betpawa"]["odds"] == 2.15
        freshness = http.get("/api/freshness").json()
        assert freshness["books"][0]["last_window"] == (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_freshness_stale_banner_and_dagster_link(odds_db_url: str, odds_conn: psycopg.Connection):
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    x12: Markets = {(3743, None): {"1": "2.00", "X": "3.40", "2": "3.90"}}
    for book, minutes in (("betpawa", 3), ("sportybet", 7)):
        apply_snapshot(odds_conn, build_snapshot(book, now - timedelta(minutes=minutes),
                                                 [event_odds(book, 102, x12, now)]))
    # sportybet's latest window was written an hour ago (bet9ja never wrote one)
    odds_conn.execute("UPDATE snapshots SET applied_at = now() - interval '1 hour' WHERE bookmaker = 2")
    app = create_app(web_url(odds_db_url), dagster_url="http://127.0.0.1:3000/")
    with running(app) as base, httpx.Client(base_url=base, timeout=20) as http:
        fresh = http.get("/api/freshness").json()
        assert fresh["max_age_s"] == 600  # two cadences of the default 5 minutes
        assert fresh["stale"] == ["sportybet", "bet9ja"]
        books = {b["bookmaker"]: b for b in fresh["books"]}
        assert books["betpawa"]["stale"] is False and 0 <= books["betpawa"]["age_s"] < 600
        assert 3590 <= books["sportybet"]["age_s"] < 4000 and books["sportybet"]["stale"] is True
        assert books["bet9ja"]["last_window"] is None and books["bet9ja"]["age_s"] is None
        captured = now - timedelta(minutes=3)
        window = captured.replace(minute=captured.minute - captured.minute % 5)
        assert books["betpawa"]["dagster_url"] == (
            "http://127.0.0.1:3000/assets/current_odds?view=partitions&partition=betpawa%7C"
            + window.strftime("%Y-%m-%d-%H") + "%3A" + window.strftime("%M"))
        for url in ("/", "/event/102", "/path/102/3743"):
            page = Page(http.get(url).text)
            assert "hidden" not in page.ids["stale-banner"]
            assert "sportybet, bet9ja" in page.texts["stale-banner"]
            assert "stale" in (page.ids["fresh-sportybet"]["class"] or "")
            assert books["betpawa"]["dagster_url"] in page.links
            assert "live-window" in page.ids and "live-status" in page.ids


def test_every_request_needs_the_token_when_one_is_set(site):
    app = create_app(site.web_url, token="s3 cret;")
    with running(app) as base:
        with httpx.Client(base_url=base, timeout=20, follow_redirects=False) as http:
            for url in ("/", "/api/board", "/api/stream", "/static/web/board.js", "/openapi.json"):
                r = http.get(url)
                assert r.status_code == 401, url
                assert "token" in r.text and "Traceback" not in r.text
            assert http.get("/api/board").json()["detail"].startswith("this board needs its token")
            assert http.get("/api/board", headers={"Authorization": "Bearer wrong"}).status_code == 401
            assert http.get("/api/board", params={"token": "wrong"}).status_code == 401
            ok = http.get("/api/board", headers={"Authorization": "Bearer s3 cret;"})
            assert ok.status_code == 200 and ok.headers["server-timing"].startswith("app;dur=")
        with httpx.Client(base_url=base, timeout=20, follow_redirects=False) as browser:
            r = browser.get("/", params={"token": "s3 cret;", "team": "arsenal"})
            assert r.status_code == 303 and r.headers["location"] == "/?team=arsenal"  # the token leaves the address
            assert browser.get(r.headers["location"]).status_code == 200  # the cookie carries it now
            assert browser.get("/api/freshness").status_code == 200
            with browser.stream("GET", "/api/stream") as stream:
                assert stream.status_code == 200


def test_the_web_role_can_read_but_not_write(site):
    with psycopg.connect(site.web_url, autocommit=True) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("odds_web",)
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 6
        assert conn.execute("SELECT count(*) FROM market_odds_history").fetchone()[0] > 0
        assert conn.execute("SHOW statement_timeout").fetchone() == ("5s",)
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        insert = "INSERT INTO snapshots (bookmaker, captured_at, events, markets, new, changed, unchanged, gone, " \
                 "back, history_rows, historical, write_ms) VALUES (1, now(), 0, 0, 0, 0, 0, 0, 0, 0, false, 0)"
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute(insert)
        # the read-only default is a guard the role can lift; the grants are the wall
        conn.execute("SET default_transaction_read_only = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(insert)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM events")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE mine (x int)")


def test_the_role_migration_round_trips(odds_db_url: str, odds_conn: psycopg.Connection):
    def can_select() -> bool:
        return scalar(odds_conn, "SELECT has_table_privilege('odds_web', 'market_odds_current', 'SELECT')")

    assert can_select()
    command.downgrade(migrate._config(odds_db_url), "0005")
    assert not can_select()
    assert odds_conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'odds_web'").fetchone() == (1,)
    migrate.upgrade(odds_db_url)  # the role exists already (cluster-wide): only the grants come back
    assert can_select() and migrate.current_revision(odds_db_url) == migrate.head_revision()


def test_web_url_is_the_odds_database_as_the_web_role():
    assert web_url("postgresql://odds:secret@db.example:5432/odds?sslmode=require") == \
        "postgresql://odds_web@db.example:5432/odds?sslmode=require"
    assert web_url("postgresql://postgres@/odds?host=/tmp/sock") == "postgresql://odds_web@/odds?host=/tmp/sock"
    assert web_url("postgresql:///odds?host=/tmp/s&user=postgres&password=x") == \
        "postgresql://odds_web@/odds?host=/tmp/s"
    dsn = psycopg.conninfo.conninfo_to_dict(web_url("host=db dbname=odds user=odds password=secret"))
    assert dsn == {"host": "db", "dbname": "odds", "user": "odds_web"}


def test_off_loopback_needs_a_token(monkeypatch, capsys):
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("board.example")
    with pytest.raises(WebError, match="ODDS_WEB_TOKEN"):
        serve("0.0.0.0", 8080, env={})
    monkeypatch.delenv("ODDS_WEB_TOKEN", raising=False)
    assert main(["web", "--host", "0.0.0.0", "--port", "1"]) == 2
    assert "ODDS_WEB_TOKEN" in capsys.readouterr().err


def test_a_margin_on_the_board_is_exact_to_two_places(site):
    """The board's margin is computed from the stored decimals, not from floats."""
    outcome = site.http.get("/api/board", params={"team": "barcelona"}).json()["events"][0]["markets"]["1x2"]
    want = (1 / Decimal("2.10") + 1 / Decimal("3.60") + 1 / Decimal("3.50") - 1) * 100
    assert abs(Decimal(str(outcome["margin_pct"]["betpawa"])) - want) < Decimal("0.00005")
