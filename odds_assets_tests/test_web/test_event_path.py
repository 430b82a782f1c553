"""The event page (``/event/{sr}``, ``/api/event/{sr}``, its CSV) and the price path (``/path/…``,
``/api/path/…``, its CSV) against the engine-written board of conftest, with the oracle's values: every
market and line side by side with states, best price and who, margins; each book's changes in time
order, gone shown; off-board events marked as such; the chart drawn from plotly served locally.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest

from odds_assets_tests.test_web.conftest import (
    BOOKS,
    DC,
    OU,
    WINDOWS,
    X12,
    Page,
    cell_classes,
    expected_margin,
    expected_quotes,
    two_places,
    unlisted_minutes,
)
from odds_assets_tests.test_web.test_board import dec, iso

BTTS = 3795


def get_json(site, url: str, **params) -> dict:
    r = site.http.get(url, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_event_json_equals_the_oracle(site):
    data = get_json(site, "/api/event/101")
    assert data["event"]["home"] == "Arsenal" and data["event"]["status"] == "upcoming"
    assert {b: e["listed"] for b, e in data["books"].items()} == dict.fromkeys(BOOKS, True)
    markets = {m["market_id"]: m for m in data["markets"]}
    assert list(markets) == [X12, DC, BTTS, OU]  # catalogue order: 1x2, double chance, btts, over/under
    assert [lb["line"] for lb in markets[OU]["lines"]] == [1.5, 2.5]
    for market_id, line in [(X12, None), (DC, None), (BTTS, None), (OU, "1.5"), (OU, "2.5")]:
        lb = next(x for x in markets[market_id]["lines"] if dec(x["line"]) == (None if line is None else Decimal(line)))
        quotes = {b: expected_quotes(b, 101, market_id, line) for b in BOOKS}
        for o in lb["outcomes"]:
            name = o["outcome"]
            for b in BOOKS:
                assert (dec(o["books"][b]["odds"]), o["books"][b]["state"]) == quotes[b][name], (market_id, line, b)
            active = {b: quotes[b][name][0] for b in BOOKS if quotes[b][name][1] == "active"}
            best = max(active.values(), default=None)
            assert dec(o["best_odds"]) == best
            assert o["best_bookmakers"] == [b for b, x in active.items() if x == best]
        for b in BOOKS:
            want, got = expected_margin(quotes[b], 2 if market_id == DC else 1), dec(lb["margin_pct"][b])
            assert (got is None) == (want is None) and (want is None or abs(got - want) < Decimal("0.0001"))
    x12 = markets[X12]["lines"][0]
    assert [o["betpawa_vs_market"] for o in x12["outcomes"]] == ["better", "worse", "worse"]
    assert x12["last_changed_at"]["betpawa"] == iso(site.now - timedelta(minutes=10))
    assert x12["last_changed_at"]["sportybet"] == iso(site.now - timedelta(minutes=30))  # unchanged since


def test_event_page_shows_the_same_numbers_and_links_each_cell_to_its_path(site):
    r = site.http.get("/event/101")
    assert r.status_code == 200
    page, classes = Page(r.text), cell_classes(r.text)
    assert page.texts["event-title"] == "Arsenal v Chelsea" and page.texts["event-status"] == "upcoming"
    assert "off-board-banner" not in page.ids
    assert page.cells["3743|none|1|betpawa"] == "2.50" and "vs-better" in classes["3743|none|1|betpawa"]
    assert page.cells["3743|none|X|bet9ja"] == "3.40" and "vs-worse" in classes["3743|none|X|betpawa"]
    assert page.cells["3743|none|2|best"] == "3.10" and page.cells["3743|none|2|who"] == "sportybet, bet9ja"
    assert page.cells["3795|none|Yes|sportybet"] == "1.75*"  # suspended, shown with its price
    assert page.cells["5000|2.5|Over|bet9ja"] == "—" and page.cells["5000|1.5|Under|sportybet"] == "—"
    margin = expected_margin(expected_quotes("bet9ja", 101, X12, None))
    assert page.cells["3743|none|margin|bet9ja"] == f"{two_places(margin)}%"
    assert page.cells["3795|none|margin|sportybet"] == "—"
    for link in ("/path/101/3743", "/path/101/5000?line=2.5", "/path/101/5000?line=1.5", "/path/101/4693"):
        assert link in page.links


def test_started_and_withdrawn_events_say_so(site):
    started = get_json(site, "/api/event/104")["event"]
    assert (started["status"], started["left_at"]) == ("started", iso(site.now - timedelta(minutes=20)))
    withdrawn = get_json(site, "/api/event/105")
    assert withdrawn["event"]["status"] == "withdrawn"
    # left when its only book first wrote a window without it (odds show's rule)
    assert withdrawn["event"]["left_at"] == iso(site.now - timedelta(minutes=unlisted_minutes("betpawa", 105)))
    assert withdrawn["books"]["betpawa"]["listed"] is False
    for sr, words in ((104, "kicked off"), (105, "no book lists it")):
        page = Page(site.http.get(f"/event/{sr}").text)
        assert words in page.texts["off-board-banner"] and "not live" in page.texts["off-board-banner"]


def expected_path(book: str, sr: int, market_id: int, line: str | None) -> list[tuple[int, dict | None]]:
    """(minutes before now, outcomes or None when gone) at each change of the market, from the windows."""
    out: list[tuple[int, dict | None]] = []
    prev: dict | None = None
    for minutes, events in WINDOWS[book]:
        if sr not in events:
            continue  # not scraped: nothing changes
        cur = events[sr].get((market_id, line))
        if (cur is not None or out) and (not out or cur != prev):
            out.append((minutes, cur))
        prev = cur
    return out


def check_paths(site, data: dict, sr: int, market_id: int, line: str | None, since_minutes: int | None = None):
    got = {(p["bookmaker"], p["outcome"]): p["points"] for p in data["paths"]}
    want_keys = set()
    for book in BOOKS:
        every = expected_path(book, sr, market_id, line)
        changes = [c for c in every if since_minutes is None or c[0] <= since_minutes]
        shape = next((c[1] for c in every if c[1]), None)
        for name in shape or {}:
            points = []
            for minutes, outcomes in changes:
                text = outcomes[name] if outcomes else ""
                odds = text.rstrip("!") or None
                state = "gone" if outcomes is None else "suspended" if text.endswith("!") else "active"
                at = iso(site.now - timedelta(minutes=minutes))
                points.append((at, None if odds is None else Decimal(odds), state))
            if points:
                want_keys.add((book, name))
                shown = [(p["captured_at"], dec(p["odds"]), p["state"]) for p in got[(book, name)]]
                assert shown == points, (book, name)
    assert set(got) == want_keys


def test_price_path_json_equals_the_windows(site):
    data = get_json(site, "/api/path/101/3743")
    assert data["market"] == "1x2_ft" and data["line"] is None and data["lines"] == [None]
    check_paths(site, data, 101, X12, None)
    # betpawa changed once, sportybet never, bet9ja once
    assert len(next(p for p in data["paths"] if p["bookmaker"] == "sportybet")["points"]) == 1
    ou = get_json(site, "/api/path/101/5000", line="2.5")
    assert ou["line"] == 2.5 and ou["lines"] == [1.5, 2.5]
    check_paths(site, ou, 101, OU, "2.5")
    gone = get_json(site, "/api/path/103/3743")  # taken down at betpawa's later window
    check_paths(site, gone, 103, X12, None)
    assert [p["state"] for p in gone["paths"][0]["points"]] == ["active", "gone"]


def test_price_path_range(site):
    since = iso(site.now - timedelta(minutes=25))
    data = get_json(site, "/api/path/101/3743", **{"from": since})
    check_paths(site, data, 101, X12, None, since_minutes=25)
    assert {p["bookmaker"] for p in data["paths"]} == {"betpawa", "bet9ja"}  # sportybet's only change is older
    until = iso(site.now - timedelta(minutes=25))
    early = get_json(site, "/api/path/101/3743", **{"to": until})
    assert {len(p["points"]) for p in early["paths"]} == {1}


def test_price_path_page_draws_with_local_plotly(site):
    r = site.http.get("/path/101/5000", params={"line": "2.5"})
    assert r.status_code == 200
    page = Page(r.text)
    assert "/static/plotly/plotly.min.js" in page.scripts
    assert all(not s.startswith(("http:", "https:", "//")) for s in page.scripts)
    assert "chart" in page.ids and "latest" in page.ids
    embedded = json.loads(r.text.split('<script type="application/json" id="path-data">', 1)[1].split("</script>")[0])
    api = get_json(site, "/api/path/101/5000", line="2.5")
    embedded.pop("now")
    api.pop("now")
    assert embedded == api
    assert "1.5" in page.texts["lines"] and "/path/101/5000?line=1.5" in page.links
    js = site.http.get("/static/plotly/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000


def test_event_and_path_csv_equal_json(site):
    ev = get_json(site, "/api/event/101")
    rows = list(csv.DictReader(io.StringIO(site.http.get("/api/event/101.csv").text)))
    want = [(m["market_id"], lb["line"], o["outcome"], b, q["odds"], q["state"], lb["margin_pct"][b])
            for m in ev["markets"] for lb in m["lines"] for o in lb["outcomes"] for b, q in o["books"].items()]
    got = [(int(r["market_id"]), float(r["line"]) if r["line"] else None, r["outcome"], r["bookmaker"],
            float(r["odds"]) if r["odds"] else None, r["state"] or None,
            float(r["margin_pct"]) if r["margin_pct"] else None) for r in rows]
    assert got == want

    path = get_json(site, "/api/path/101/5000", line="2.5")
    rows = list(csv.DictReader(io.StringIO(site.http.get("/api/path/101/5000.csv", params={"line": "2.5"}).text)))
    want_path = [(p["bookmaker"], p["outcome"], pt["captured_at"], pt["odds"], pt["state"])
                 for p in path["paths"] for pt in p["points"]]
    assert [(r["bookmaker"], r["outcome"], r["captured_at"], float(r["odds"]) if r["odds"] else None, r["state"])
            for r in rows] == want_path


# --- fair price and BetPawa's edge ------------------------------------------------------------------

def power_probabilities(odds: list[Decimal | None]) -> list[float]:
    """Reference power de-margin, written from its definition: p_i = (1/o_i)^k with k such that the p_i
    sum to 1, k found by bisection (Σ (1/o)^k falls as k grows for 1/o < 1)."""
    implied = [1 / float(o) for o in odds if o is not None]
    lo, hi = 1.0, 5.0
    for _ in range(200):
        k = (lo + hi) / 2
        lo, hi = (k, hi) if sum(q ** k for q in implied) > 1 else (lo, k)
    return [q ** ((lo + hi) / 2) for q in implied]


def expected_fair(market_id: int, line: str | None) -> dict[str, tuple[float, tuple[str, ...]]]:
    """Per outcome: fair probability (mean over the competitors pricing every outcome live and
    bettable) and which competitors that was, from the module's windows."""
    per_book: dict[str, dict[str, float]] = {}
    for book in ("sportybet", "bet9ja"):
        quotes = expected_quotes(book, 101, market_id, line)
        if quotes and all(state == "active" for _, state in quotes.values()):
            names = list(quotes)
            per_book[book] = dict(zip(names, power_probabilities([quotes[n][0] for n in names])))
    if not per_book:
        return {}
    names = list(next(iter(per_book.values())))
    return {n: (sum(p[n] for p in per_book.values()) / len(per_book), tuple(per_book)) for n in names}


@pytest.mark.parametrize(("market_id", "line", "books"), [
    (X12, None, ("sportybet", "bet9ja")), (OU, "2.5", ("sportybet",)), (BTTS, None, ("bet9ja",)), (DC, None, ()),
])
def test_event_fair_price_and_betpawa_edge(site, market_id, line, books):
    data = get_json(site, "/api/event/101")
    lb = next(x for m in data["markets"] if m["market_id"] == market_id for x in m["lines"]
              if dec(x["line"]) == (None if line is None else Decimal(line)))
    want = expected_fair(market_id, line)
    assert {v[1] for v in want.values()} == ({books} if books else set())  # the case this row is about
    page = Page(site.http.get("/event/101").text)
    bp = expected_quotes("betpawa", 101, market_id, line)
    for o in lb["outcomes"]:
        name, cell = o["outcome"], f"{market_id}|{line or 'none'}|{o['outcome']}"
        if name not in want:
            assert o["fair"] is None and page.cells[f"{cell}|fair"] == "—" and page.cells[f"{cell}|edge"] == "—"
            continue
        p, used = want[name]
        assert o["fair"]["books"] == list(used)
        assert o["fair"]["odds"] == pytest.approx(1 / p, abs=1e-4)
        odds, state = bp[name]
        edge = float(odds) * p - 1
        assert state == "active" and o["fair"]["betpawa_edge"] == pytest.approx(edge, abs=1e-6)
        assert page.cells[f"{cell}|fair"] == f"{1 / p:.3f}" and page.cells[f"{cell}|edge"] == f"{edge * 100:+.2f}%"
