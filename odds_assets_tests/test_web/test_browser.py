"""The board in a real browser: headless Debian chromium driven by Playwright (no browser download), against
the engine-written board of conftest served by uvicorn (in a thread, and once as an ``odds web`` process).

A trader's round: the board shows every upcoming event's key markets as the oracle says; filtering by
competition leaves that competition's event; its link opens the event, whose every cell equals
``market_odds_current`` read here; a cell opens its price path and plotly (served by the board) draws one
line per book and outcome plus the gone markers, as ``market_odds_history`` says; a window written through
the write engine reaches the open board without a reload. Off loopback with ``ODDS_WEB_TOKEN``, ``odds web``
refuses a browser without the token, lets it in with ``?token=`` once, and stops within its grace period
with the page's event stream open. No request leaves 127.0.0.1: anything else is aborted and recorded,
and must never happen. Screenshots go to ``artifacts/web/`` (or ``$ODDS_ARTIFACTS_DIR/web``).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright

from odds_assets.db.engine import apply_snapshot
from odds_assets.models import BOOKMAKER_IDS
from odds_assets.snapshot import build_snapshot
from odds_assets.web.serve import GRACE_S
from odds_assets_tests.test_e2e._stack import artifacts_dir, free_port
from odds_assets_tests.test_web.conftest import (
    BOOKS,
    EVENTS,
    KEY,
    WINDOWS,
    X12,
    Markets,
    Site,
    event_odds,
    expected_quotes,
    wait_listening,
)
from odds_assets_tests.test_web.test_board import UPCOMING, cell_text, vs_market

CHROMIUM = os.environ.get("ODDS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000
LOCAL_HOSTS = ("127.0.0.1",)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"no chromium at {CHROMIUM} (./dev test installs Debian's; ODDS_CHROMIUM points elsewhere)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Offline:
    """A browser context in which every request to a host other than 127.0.0.1 is aborted and recorded."""

    def __init__(self, browser: Browser) -> None:
        self.outside: list[str] = []
        self.local = 0
        self.context: BrowserContext = browser.new_context(viewport={"width": 1500, "height": 1000})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.route("**/*", self._route)

    def _route(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            self.local += 1
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def page(self) -> Page:
        return self.context.new_page()

    def close(self) -> None:
        self.context.close()
        assert self.local > 0, "no request went through the router"
        assert self.outside == [], f"requests left 127.0.0.1: {self.outside}"


@pytest.fixture
def offline(browser: Browser) -> Iterator[Offline]:
    ctx = Offline(browser)
    try:
        yield ctx
    finally:
        ctx.close()


def shoot(page: Page, name: str) -> None:
    path = artifacts_dir("web") / name
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def cells(page: Page, scope: str) -> dict[str, tuple[str, set[str]]]:
    """Every ``td[data-cell]`` under ``scope``: key -> (text, classes), as the browser shows them now."""
    raw = page.eval_on_selector_all(f"{scope} td[data-cell]",
                                    "els => els.map(e => [e.dataset.cell, e.textContent.trim(), e.className])")
    return {key: (text, set(cls.split())) for key, text, cls in raw}


def shown_events(page: Page) -> list[int]:
    return [int(x) for x in page.eval_on_selector_all("#board tbody.ev[data-sr]", "els => els.map(e => e.dataset.sr)")]


def check_board_cells(page: Page, events: list[int]) -> None:
    """Every key-market quote of ``events`` on the page equals the oracle, BetPawa's colour included."""
    shown = cells(page, "#board")
    for sr in events:
        for key, (market_id, line) in KEY.items():
            quotes = {b: expected_quotes(b, sr, market_id, line) for b in BOOKS}
            for name in quotes["betpawa"]:
                for b in BOOKS:
                    text, classes = shown[f"{sr}|{key}|{name}|{b}"]
                    assert text == cell_text(*quotes[b][name]), (sr, key, name, b)
                _, vs = vs_market(quotes, name)
                bp = shown[f"{sr}|{key}|{name}|betpawa"][1]
                assert (f"vs-{vs}" in bp) if vs else not any(c.startswith("vs-") for c in bp), (sr, key, name)


# --- the database, read here -------------------------------------------------------------------------

def _decode(outcomes: str) -> dict[str, tuple[Decimal | None, bool]]:
    """``1=2.4;X=3.3!;2=`` -> name -> (odds, active) (the names here need no escapes)."""
    assert "\\" not in outcomes
    out = {}
    for part in outcomes.split(";"):
        name, _, rest = part.partition("=")
        active = not rest.endswith("!")
        odds = rest.rstrip("!")
        out[name] = (Decimal(odds) if odds else None, active)
    return out


def current_cells(url: str, sr: int) -> dict[str, str]:
    """``market|line|outcome|book`` -> the cell text every current row of the event should show."""
    names = {v: k for k, v in BOOKMAKER_IDS.items()}
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT market_id, line, bookmaker, outcomes, unavailable_at IS NOT NULL "
                            "FROM market_odds_current WHERE sr_event_id = %s", (sr,)).fetchall()
    out = {}
    for market_id, line, book, outcomes, gone in rows:
        lk = "none" if line is None else format(Decimal(line).normalize(), "f")
        for name, (odds, active) in _decode(outcomes).items():
            state = "gone" if gone else "active" if active else "suspended"
            out[f"{market_id}|{lk}|{name}|{names[book]}"] = cell_text(odds, state)
    return out


def path_traces(url: str, sr: int, market_id: int) -> int:
    """The chart's traces for a market without a line: one per book and outcome with history, plus one of
    gone markers per book and outcome whose market was ever taken down."""
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT bookmaker, outcomes FROM market_odds_history WHERE sr_event_id = %s "
                            "AND market_id = %s AND line_hundredths = -32768", (sr, market_id)).fetchall()
    outcomes: dict[int, set[str]] = {}
    gone: set[int] = set()
    for book, text in rows:
        if text is None:
            gone.add(book)
        else:
            outcomes.setdefault(book, set()).update(_decode(text))
    return sum(len(names) * (2 if book in gone else 1) for book, names in outcomes.items())


# --- the tests ---------------------------------------------------------------------------------------

def test_board_filter_event_and_price_path(site: Site, offline: Offline) -> None:
    base = str(site.http.base_url).rstrip("/")
    page = offline.page()
    page.goto(base + "/")
    expect(page.locator("#live-status")).to_have_text("live")
    assert shown_events(page) == UPCOMING
    check_board_cells(page, UPCOMING)
    shoot(page, "board.png")

    # filter by competition: the choices are the upcoming events' competitions
    choices = page.eval_on_selector_all("#f-competition option", "els => els.map(e => e.textContent)")
    assert choices == ["all", *sorted(EVENTS[sr][2] for sr in UPCOMING)]
    page.select_option("#f-competition", "Bundesliga")
    page.click("#f-apply")
    page.wait_for_url(re.compile(r"/\?(.*&)?competition=Bundesliga(&|$)"))
    assert shown_events(page) == [103]
    check_board_cells(page, [103])
    shoot(page, "board_filtered.png")

    # the event: every cell is what market_odds_current holds (BetPawa's 1X2 gone, Over suspended unpriced)
    page.click("#board a.match")
    page.wait_for_url("**/event/103")
    expect(page.locator("#event-title")).to_have_text("Bayern v Dortmund")
    shown = {k: text for k, (text, _) in cells(page, "#markets").items()
             if len(parts := k.split("|")) == 4 and parts[3] in BOOKS and parts[2] not in ("margin", "changed")}
    want = current_cells(site.admin_url, 103)
    assert {k: v for k, v in shown.items() if v != "—"} == want
    assert want["3743|none|1|betpawa"] == "gone" and want["5000|2.5|Over|betpawa"] == "susp"
    shoot(page, "event.png")

    # a cell opens its price path: plotly, served by the board, draws every book's line and the gone marks
    page.click('td[data-cell="3743|none|1|betpawa"] a')
    page.wait_for_url("**/path/103/3743")
    page.locator("#chart .main-svg").first.wait_for()
    traces = path_traces(site.admin_url, 103, X12)
    assert traces == 6  # betpawa's 1, X, 2 and their gone markers
    expect(page.locator("#chart")).to_have_attribute("data-traces", str(traces))
    assert page.locator("#chart .scatterlayer .trace").count() == traces
    latest = page.eval_on_selector_all("#latest tbody tr", "els => els.map(e => e.children[3].textContent)")
    assert latest == ["gone"] * 3
    shoot(page, "path.png")
    page.close()
    assert offline.outside == []


def test_off_loopback_the_board_needs_its_token(site: Site, offline: Offline, tmp_path: Path) -> None:
    """``odds web --host 0.0.0.0`` with ``ODDS_WEB_TOKEN`` (spoken to on 127.0.0.1 only): a browser
    without the token gets 401, with ``?token=`` once it gets the board and its live stream; the process
    stops within its grace period with that stream open."""
    token = "tok-" + os.urandom(8).hex()
    port = free_port()
    env = {**os.environ, "ODDS_WEB_TOKEN": token, "ODDS_WEB_DATABASE_URL": site.web_url}
    log = tmp_path / "web.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "odds_assets.cli", "web", "--host", "0.0.0.0",
                                 "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                status = httpx.get(base + "/api/freshness", timeout=5).status_code
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"odds web did not answer: {log.read_text()}"
                time.sleep(0.2)
        assert status == 401
        page = offline.page()
        refused = page.goto(base + "/")
        assert refused is not None and refused.status == 401
        assert "token" in page.inner_text("body") and page.locator("#board").count() == 0
        page.goto(f"{base}/?token={token}")
        assert urlsplit(page.url).query == ""  # the token left the address; a cookie carries it
        assert shown_events(page) == UPCOMING
        expect(page.locator("#live-status")).to_have_text("live")
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=GRACE_S + 10)
        assert time.monotonic() - started < GRACE_S + 5, "odds web did not stop within its grace period"
        page.close()
        assert offline.outside == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_a_written_window_reaches_the_open_board_without_a_reload(site: Site, offline: Offline) -> None:
    base = str(site.http.base_url).rstrip("/")
    wait_listening(site.app)
    page = offline.page()
    page.goto(base + "/")
    expect(page.locator("#live-status")).to_have_text("live")
    page.evaluate("window.__sameDocument = true")
    before = cells(page, "#board")
    assert before["101|1x2|X|betpawa"][0] == "3.30" and "vs-worse" in before["101|1x2|X|betpawa"][1]

    # betpawa's next window: its latest board with 101's draw moved from 3.30 to 3.45 (bet9ja's 3.40 beaten)
    minutes, latest = WINDOWS["betpawa"][-1]
    board: dict[int, Markets] = {sr: dict(m) for sr, m in latest.items()}
    board[101][(X12, None)] = {"1": "2.50", "X": "3.45", "2": "2.90"}
    captured: datetime = site.now - timedelta(minutes=minutes - 5)
    with psycopg.connect(site.admin_url, autocommit=True) as conn:
        apply_snapshot(conn, build_snapshot("betpawa", captured,
                                            [event_odds("betpawa", sr, m, site.now) for sr, m in board.items()]))
    expect(page.locator("#live-window")).to_have_text(f"betpawa {captured:%Y-%m-%dT%H:%M:%S}Z")
    expect(page.locator('td[data-cell="101|1x2|X|betpawa"]')).to_have_text("3.45")
    after = cells(page, "#board")
    assert "vs-better" in after["101|1x2|X|betpawa"][1]
    # nothing else moved but BetPawa's 1X2 margin of 101 and its last complete scrapes
    moved = {k for k in after if after[k] != before.get(k)}
    seen = {f"{sr}|seen|betpawa" for sr in board}
    assert {"101|1x2|X|betpawa", "101|1x2|margin|betpawa"} <= moved <= \
        {"101|1x2|X|betpawa", "101|1x2|margin|betpawa"} | seen
    assert {after[k][0] for k in seen & after.keys()} == {f"{captured:%Y-%m-%d %H:%M}"}
    with psycopg.connect(site.admin_url) as conn:
        margin = conn.execute("SELECT betpawa_margin_pct FROM odds_side_by_side WHERE sr_event_id = 101 "
                              "AND market_id = %s LIMIT 1", (X12,)).fetchone()
    assert margin is not None
    assert after["101|1x2|margin|betpawa"][0] == f"{Decimal(margin[0]).quantize(Decimal('0.01'))}%"
    expect(page.locator("#fresh-betpawa .win")).to_have_text(f"{captured:%Y-%m-%d %H:%M}")
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    shoot(page, "board_live.png")
    page.close()
    assert offline.outside == []


def test_exposure_page_and_the_boards_marker(site: Site, offline: Offline) -> None:
    """An open exposure episode (written here into ``exposure_episodes``, as the ``exposure`` asset writes
    it) shows on the Exposure page with its numbers, links to its event, and marks the event on the board;
    the Margins and Coverage pages say no day is computed yet."""
    started = site.now - timedelta(minutes=12)
    with psycopg.connect(site.admin_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO exposure_episodes (sr_event_id, market_id, line_hundredths, outcome, kind, started_at, "
            "peak_at, peak_edge, peak_betpawa_odds, peak_fair_odds, first_mover) "
            "VALUES (101, %s, -32768, '1', 'edge', %s, %s, 0.0612, 2.50, 2.3557, 'sportybet')", (X12, started, started))
    try:
        base = str(site.http.base_url).rstrip("/")
        page = offline.page()
        page.goto(base + "/exposure")
        key = f"101|{X12}|none|1|edge|{started.strftime('%Y-%m-%dT%H:%M:%SZ')}"
        expect(page.locator(f'td[data-cell="{key}|status"]')).to_have_text("open")
        expect(page.locator(f'td[data-cell="{key}|peak_edge"]')).to_have_text("+6.12%")
        expect(page.locator(f'td[data-cell="{key}|peak_betpawa"]')).to_have_text("2.50")
        shoot(page, "exposure.png")
        page.goto(base + "/")
        mark = page.locator('[data-cell="101|exposure"]')
        expect(mark).to_be_visible()
        expect(mark).to_have_text("⚠ 1")
        mark.click()
        page.wait_for_url("**/exposure?sr=101")
        page.click("#exposure a[href='/event/101']")
        page.wait_for_url("**/event/101")
        expect(page.locator("#event-title")).to_have_text("Arsenal v Chelsea")
        for path, empty in (("/margins", "#margins-empty"), ("/coverage", "#coverage-empty")):
            page.goto(base + path)
            expect(page.locator(empty)).to_contain_text("computed yet")
        shoot(page, "coverage.png")
        page.close()
    finally:
        with psycopg.connect(site.admin_url, autocommit=True) as conn:
            conn.execute("DELETE FROM exposure_episodes")
    assert offline.outside == []
