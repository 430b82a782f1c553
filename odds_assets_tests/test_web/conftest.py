"""A board for the web server's tests, written through the real write engine, and the server itself
(uvicorn on a free port in a thread, spoken to over HTTP).

Times are relative to the moment the module's data is written (``now``): the board decides at request
time what is upcoming, so kick-offs are hours away (or twenty minutes past) and windows minutes ago.

    sr  match                      competition · country      kick-off   books (latest window lists it?)
    101 Arsenal v Chelsea          Premier League · England   +1 day     betpawa, sportybet, bet9ja
    102 Barcelona v Real Madrid    LaLiga · Spain             +2 h       betpawa, sportybet
    103 Bayern v Dortmund          Bundesliga · Germany       +3 h       betpawa (1X2 gone at its latest window)
    104 Inter v Milan              Serie A · Italy            -20 min    betpawa (started: off the board)
    105 Lyon v PSG                 Ligue 1 · France           +5 h       betpawa only at -30 min (withdrawn)
    106 Ajax v PSV                 Eredivisie · Netherlands   +4 h       betpawa; sportybet only at -30 min (off)

Windows (minutes before now): betpawa -30, -10 · sportybet -30, -20 · bet9ja -30, -20.

:func:`expected_quotes` is the test's own oracle: each book's state of a key market is read from these
plain dicts (the book's latest window listing the event; a market it lacks there is gone; a book whose
latest window does not list the event is "off"), never from the product's code.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from odds_assets.db.engine import apply_snapshot
from odds_assets.db.server import web_url
from odds_assets.models import Event, EventOdds, Market, Outcome
from odds_assets.snapshot import build_snapshot
from odds_assets.web import create_app
from odds_assets.web.serve import server
from odds_assets_tests.conftest import drop_database, make_database

BOOKS = ("betpawa", "sportybet", "bet9ja")
X12, OU, BTTS, DC = 3743, 5000, 3795, 4693
#: the board's key markets: key -> (market id, line)
KEY = {"1x2": (X12, None), "ou25": (OU, "2.5"), "btts": (BTTS, None)}

EVENTS: dict[int, tuple[str, str, str, str, timedelta]] = {
    101: ("Arsenal", "Chelsea", "Premier League", "England", timedelta(days=1)),
    102: ("Barcelona", "Real Madrid", "LaLiga", "Spain", timedelta(hours=2)),
    103: ("Bayern", "Dortmund", "Bundesliga", "Germany", timedelta(hours=3)),
    104: ("Inter", "Milan", "Serie A", "Italy", timedelta(minutes=-20)),
    105: ("Lyon", "PSG", "Ligue 1", "France", timedelta(hours=5)),
    106: ("Ajax", "PSV", "Eredivisie", "Netherlands", timedelta(hours=4)),
}

# An outcome is "odds" (active), "odds!" (suspended with a price) or "!" (suspended, no price).
Markets = dict[tuple[int, str | None], dict[str, str]]
X = {
    "bp0": {"1": "2.40", "X": "3.30", "2": "3.00"},
    "bp1": {"1": "2.50", "X": "3.30", "2": "2.90"},
    "sb": {"1": "2.45", "X": "3.20", "2": "3.10"},
    "b90": {"1": "2.35", "X": "3.40", "2": "3.05"},
    "b91": {"1": "2.45", "X": "3.40", "2": "3.10"},
}
E101_BP: Markets = {(OU, "2.5"): {"Over": "1.95", "Under": "1.85"}, (OU, "1.5"): {"Over": "1.30", "Under": "3.40"},
                    (BTTS, None): {"Yes": "1.70", "No": "2.05"}, (DC, None): {"1X": "1.40", "X2": "1.55", "12": "1.30"}}
#: book -> [(minutes before now, {sr: markets})], in time order
WINDOWS: dict[str, list[tuple[int, dict[int, Markets]]]] = {
    "betpawa": [
        (30, {101: {(X12, None): X["bp0"], **E101_BP},
              102: {(X12, None): {"1": "2.10", "X": "3.60", "2": "3.50"}},
              103: {(X12, None): {"1": "1.60", "X": "4.20", "2": "5.00"},
                    (OU, "2.5"): {"Over": "1.50", "Under": "2.60"}},
              104: {(X12, None): {"1": "2.20", "X": "3.10", "2": "3.40"}},
              105: {(X12, None): {"1": "2.00", "X": "3.50", "2": "3.80"}},
              106: {(X12, None): {"1": "1.80", "X": "3.90", "2": "4.10"}}}),
        (10, {101: {(X12, None): X["bp1"], **E101_BP},
              102: {(X12, None): {"1": "2.10", "X": "3.60", "2": "3.50"}},
              103: {(OU, "2.5"): {"Over": "!", "Under": "2.60"}},  # 1X2 taken down, Over suspended unpriced
              104: {(X12, None): {"1": "2.20", "X": "3.10", "2": "3.40"}},
              106: {(X12, None): {"1": "1.80", "X": "3.90", "2": "4.10"}}}),
    ],
    "sportybet": [
        (30, {101: {(X12, None): X["sb"], (OU, "2.5"): {"Over": "1.90", "Under": "1.90"},
                    (BTTS, None): {"Yes": "1.75!", "No": "2.00"}},
              102: {(X12, None): {"1": "2.00", "X": "3.50", "2": "3.40"}},
              106: {(X12, None): {"1": "1.90", "X": "3.80", "2": "4.00"}}}),
        (20, {101: {(X12, None): X["sb"], (OU, "2.5"): {"Over": "1.90", "Under": "1.90"},
                    (BTTS, None): {"Yes": "1.75!", "No": "2.00"}},
              102: {(X12, None): {"1": "2.00", "X": "3.50", "2": "3.40"}}}),
    ],
    "bet9ja": [
        (30, {101: {(X12, None): X["b90"], (BTTS, None): {"Yes": "1.70", "No": "2.10"}}}),
        (20, {101: {(X12, None): X["b91"], (BTTS, None): {"Yes": "1.70", "No": "2.10"}}}),
    ],
}
OUTCOME_NAMES = {X12: ("1", "X", "2"), OU: ("Over", "Under"), BTTS: ("Yes", "No"), DC: ("1X", "X2", "12")}


def _market(market_id: int, line: str | None, outcomes: dict[str, str]) -> Market:
    outs = []
    for name in OUTCOME_NAMES[market_id]:
        text = outcomes[name]
        odds = text.rstrip("!")
        outs.append(Outcome(name, Decimal(odds) if odds else None, not text.endswith("!")))
    return Market(market_id, None if line is None else Decimal(line), tuple(outs))


def event_odds(book: str, sr: int, markets: Markets, now: datetime) -> EventOdds:
    home, away, competition, country, kickoff = EVENTS[sr]
    ev = Event(bookmaker=book, sr_event_id=sr, bookmaker_event_id=f"{book[:2]}-{sr}", home=home, away=away,
               kickoff=now + kickoff, competition=competition, country=country)
    return EventOdds(ev, tuple(_market(mid, line, outs) for (mid, line), outs in markets.items()))


def write_board(conn: psycopg.Connection, now: datetime) -> None:
    """Every window above through the write engine, in time order."""
    windows = sorted(((minutes, book, events) for book, ws in WINDOWS.items() for minutes, events in ws),
                     key=lambda w: -w[0])
    for minutes, book, events in windows:
        snap = build_snapshot(book, now - timedelta(minutes=minutes),
                              [event_odds(book, sr, m, now) for sr, m in events.items()])
        apply_snapshot(conn, snap)


# --- the oracle -----------------------------------------------------------------------------------

def latest_listing(book: str, sr: int) -> tuple[int, Markets] | None:
    """(minutes before now, markets) of the book's latest window listing the event."""
    found = [(m, events[sr]) for m, events in WINDOWS[book] if sr in events]
    return found[-1] if found else None


def listed_now(book: str, sr: int) -> bool:
    return bool(WINDOWS[book]) and sr in WINDOWS[book][-1][1]


def ever_listed(book: str, sr: int) -> bool:
    return latest_listing(book, sr) is not None


def unlisted_minutes(book: str, sr: int) -> int | None:
    """Minutes before now of the book's first window after its latest listing of the event (None: it
    still lists it, or never did): when that book stopped listing it."""
    found = latest_listing(book, sr)
    later = [m for m, _ in WINDOWS[book] if found is not None and m < found[0]]
    return later[0] if later else None


Quotes = dict[str, tuple[Decimal | None, str | None]]


def expected_quotes(book: str, sr: int, market_id: int, line: str | None) -> Quotes:
    """outcome -> (odds, state) as the board should show this book's key market."""
    names = OUTCOME_NAMES[market_id]
    if ever_listed(book, sr) and not listed_now(book, sr):
        return {n: (None, "off") for n in names}
    listing = latest_listing(book, sr)
    seen_before = any((market_id, line) in events.get(sr, {}) for _, events in WINDOWS[book])
    if listing is None or (market_id, line) not in listing[1]:
        return {n: (None, "gone" if seen_before else None) for n in names}
    out: Quotes = {}
    for name, text in listing[1][(market_id, line)].items():
        odds = text.rstrip("!")
        out[name] = (Decimal(odds) if odds else None, "suspended" if text.endswith("!") else "active")
    return out


def expected_margin(quotes: Quotes, covers: int = 1) -> Decimal | None:
    """Σ 1/odds ÷ k − 1 in percent, only when every outcome is active and priced; k = how many outcomes
    cover each result (2 for double chance: 1X, 12 and X2 each cover two of the three results)."""
    if not quotes or any(state != "active" or odds is None for odds, state in quotes.values()):
        return None
    return (sum((1 / odds for odds, _ in quotes.values() if odds is not None), Decimal(0)) / covers - 1) * 100


def two_places(value: Any) -> str:
    """A margin or price as the pages print it: two decimals."""
    return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"


# --- the server -----------------------------------------------------------------------------------

@contextmanager
def running(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = server(app, "127.0.0.1", port, log_level="warning")
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(15)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop"


def wait_listening(app: FastAPI, timeout_s: float = 10) -> None:
    """Until the app's LISTEN connection is up (a NOTIFY before it would be lost)."""
    deadline = time.monotonic() + timeout_s
    while not app.state.web.hub.listening:
        assert time.monotonic() < deadline, "the board never started listening"
        time.sleep(0.02)


@dataclass(frozen=True)
class Site:
    """The module's board: database URLs, the write time, the app and an HTTP client to it."""

    admin_url: str
    web_url: str
    now: datetime
    app: FastAPI
    http: httpx.Client


@pytest.fixture(scope="module")
def site(pg_admin_url: str, odds_template_url: str) -> Iterator[Site]:
    url = make_database(pg_admin_url, odds_template_url, prefix="odds_web")
    try:
        now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        with psycopg.connect(url, autocommit=True) as conn:
            write_board(conn, now)
        app = create_app(web_url(url), dagster_url="http://dagster.test:3000")
        with running(app) as base, httpx.Client(base_url=base, timeout=20) as http:
            yield Site(url, web_url(url), now, app, http)
    finally:
        drop_database(pg_admin_url, url)


# --- reading pages --------------------------------------------------------------------------------

class Page(HTMLParser):
    """The parts of a page the tests read: every ``data-cell`` (text, class), elements by id, links."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.cells: dict[str, str] = {}
        self.ids: dict[str, dict[str, str | None]] = {}
        self.texts: dict[str, str] = {}
        self.links: list[str] = []
        self.scripts: list[str] = []
        self._open: list[tuple[str, str, str]] = []  # (tag, cell key or "", id or "")
        self._buf: dict[int, list[str]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        if tag == "script" and a.get("src"):
            self.scripts.append(str(a["src"]))
        if tag in ("meta", "link", "input", "br", "img"):
            return
        key, ident = a.get("data-cell") or "", a.get("id") or ""
        if ident:
            self.ids[ident] = a
        self._open.append((tag, key, ident))
        self._buf[len(self._open)] = []

    def handle_data(self, data: str) -> None:
        for depth in self._buf:
            self._buf[depth].append(data)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            depth = len(self._open)
            open_tag, key, ident = self._open.pop()
            text = " ".join("".join(self._buf.pop(depth, [])).split())
            if key:
                self.cells[key] = text
            if ident:
                self.texts[ident] = text
            if open_tag == tag:
                break


def cell_classes(html: str) -> dict[str, str]:
    """``data-cell`` -> its class attribute (a regular expression is enough: the attributes are ours)."""
    import re

    return {m.group(2): m.group(1) for m in re.finditer(r'<td class="([^"]*)" data-cell="([^"]*)"', html)}
