"""The board — ``/``, ``/api/board``, ``/api/board.csv`` — against the engine-written board of conftest:
every key-market quote, margin and BetPawa-against-the-market colour equals the test's oracle (computed
from the windows' plain dicts), on the page as in the JSON; filters, sorting and paging; started and
withdrawn events off the board; the CSV says what the JSON says.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from odds_assets_tests.test_web.conftest import (
    BOOKS,
    EVENTS,
    KEY,
    Page,
    cell_classes,
    ever_listed,
    expected_margin,
    expected_quotes,
    listed_now,
    two_places,
    unlisted_minutes,
)

#: the upcoming events in kick-off order (104 started, 105 withdrawn)
UPCOMING = [102, 103, 106, 101]


def iso(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def board(site, **params) -> dict:
    r = site.http.get("/api/board", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def ids(data: dict) -> list[int]:
    return [e["sr_event_id"] for e in data["events"]]


def dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def vs_market(quotes: dict, name: str) -> tuple[Decimal | None, str | None]:
    """(best active competitor price, BetPawa against it), from the oracle's quotes."""
    offers = [quotes[b][name][0] for b in BOOKS[1:] if quotes[b][name][1] == "active"]
    best = max(offers, default=None)
    own, state = quotes["betpawa"][name]
    if best is None or state != "active" or own is None:
        return best, None
    return best, "better" if own > best else "worse" if own < best else "equal"


def cell_text(odds: Decimal | None, state: str | None) -> str:
    if state is None:
        return "—"
    if state in ("gone", "off"):
        return state
    if state == "suspended":
        return "susp" if odds is None else two_places(odds) + "*"
    return two_places(odds)


def test_board_json_equals_the_oracle(site):
    data = board(site, page_size=500)
    assert ids(data) == UPCOMING
    assert (data["total"], data["page"], data["pages"]) == (4, 1, 1)
    for ev in data["events"]:
        sr = ev["sr_event_id"]
        home, away, competition, country, kickoff = EVENTS[sr]
        assert (ev["home"], ev["away"], ev["competition"], ev["country"]) == (home, away, competition, country)
        assert ev["kickoff"] == iso(site.now + kickoff)
        assert ev["status"] == "upcoming" and ev["left_at"] is None
        assert ev["books_listing"] == sum(listed_now(b, sr) for b in BOOKS)
        worse = False
        for key, (market_id, line) in KEY.items():
            m = ev["markets"][key]
            quotes = {b: expected_quotes(b, sr, market_id, line) for b in BOOKS}
            assert [o["outcome"] for o in m["outcomes"]] == list(quotes["betpawa"])
            for o in m["outcomes"]:
                for b in BOOKS:
                    odds, state = quotes[b][o["outcome"]]
                    assert (dec(o["books"][b]["odds"]), o["books"][b]["state"]) == (odds, state), (sr, key, o, b)
                best, vs = vs_market(quotes, o["outcome"])
                assert dec(o["best_competitor"]["odds"]) == best
                assert o["betpawa_vs_market"] == vs
                worse |= vs == "worse"
            for b in BOOKS:
                want = expected_margin(quotes[b])
                got = dec(m["margin_pct"][b])
                assert (got is None) == (want is None), (sr, key, b)
                if want is not None:
                    assert abs(got - want) < Decimal("0.0001")
        assert ev["betpawa_worse"] is worse


def test_the_oracle_agrees_with_hand_computed_values(site):
    """A few cells spelled out, so the oracle above cannot be trivially right."""
    by = {e["sr_event_id"]: e for e in board(site)["events"]}
    vs = {k: [o["betpawa_vs_market"] for o in by[101]["markets"][k]["outcomes"]] for k in KEY}
    assert vs == {"1x2": ["better", "worse", "worse"], "ou25": ["better", "worse"], "btts": ["equal", "worse"]}
    x12 = by[101]["markets"]["1x2"]
    assert [o["books"]["betpawa"]["odds"] for o in x12["outcomes"]] == [2.5, 3.3, 2.9]  # the later window's
    margin = (1 / Decimal("2.50") + 1 / Decimal("3.30") + 1 / Decimal("2.90") - 1) * 100
    assert two_places(x12["margin_pct"]["betpawa"]) == two_places(margin)
    assert by[101]["markets"]["btts"]["margin_pct"]["sportybet"] is None  # its Yes is suspended
    assert by[101]["markets"]["ou25"]["outcomes"][0]["books"]["bet9ja"] == {"odds": None, "state": None}
    assert [o["books"]["betpawa"]["state"] for o in by[103]["markets"]["1x2"]["outcomes"]] == ["gone"] * 3
    assert by[103]["markets"]["ou25"]["outcomes"][0]["books"]["betpawa"] == {"odds": None, "state": "suspended"}
    assert {o["books"]["sportybet"]["state"] for o in by[106]["markets"]["1x2"]["outcomes"]} == {"off"}
    assert by[106]["books"]["sportybet"]["listed"] is False and by[106]["books_listing"] == 1
    assert [o["betpawa_vs_market"] for o in by[102]["markets"]["1x2"]["outcomes"]] == ["better"] * 3


def test_board_page_shows_the_same_numbers(site):
    r = site.http.get("/", params={"page_size": "500"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page, classes = Page(r.text), cell_classes(r.text)
    for sr in UPCOMING:
        assert f"/event/{sr}" in page.links
        for key, (market_id, line) in KEY.items():
            quotes = {b: expected_quotes(b, sr, market_id, line) for b in BOOKS}
            for name in quotes["betpawa"]:
                for b in BOOKS:
                    cell = f"{sr}|{key}|{name}|{b}"
                    assert page.cells[cell] == cell_text(*quotes[b][name]), cell
                    assert f"st-{quotes[b][name][1] or 'none'}" in classes[cell].split()
                _, vs = vs_market(quotes, name)
                bp = classes[f"{sr}|{key}|{name}|betpawa"].split()
                assert (f"vs-{vs}" in bp) if vs else not any(c.startswith("vs-") for c in bp)
            for b in BOOKS:
                want = expected_margin(quotes[b])
                assert page.cells[f"{sr}|{key}|margin|{b}"] == ("—" if want is None else f"{two_places(want)}%")
        assert page.cells[f"{sr}|books"] == str(sum(listed_now(b, sr) for b in BOOKS))
    # every price cell opens its price path; O/U 2.5 carries its line
    assert "/path/101/3743" in page.links and "/path/101/5000?line=2.5" in page.links
    assert "4 upcoming events" in page.texts["board-summary"]


def test_started_and_withdrawn_events_are_off_the_board_with_when_they_left(site):
    data = board(site)
    assert not {104, 105} & set(ids(data))
    off = data["off_board"]
    # 104 kicked off 20 minutes ago; 105's only book (betpawa) first wrote a window without it 10 minutes ago
    assert unlisted_minutes("betpawa", 105) == 10 and [ever_listed(b, 105) for b in BOOKS] == [True, False, False]
    assert [e["sr_event_id"] for e in off] == [105, 104]  # most recently left first
    assert off[0]["status"] == "withdrawn" and off[0]["left_at"] == iso(site.now - timedelta(minutes=10))
    assert off[1]["status"] == "started" and off[1]["left_at"] == iso(site.now - timedelta(minutes=20))
    assert all("markets" not in e for e in off)  # no prices that could look live

    page = Page(site.http.get("/").text)
    rows = page.ids
    assert "off-board" in rows
    text = page.texts["off-board"]
    assert "Inter v Milan" in text and "started" in text and "Lyon v PSG" in text and "withdrawn" in text
    assert "2.20" not in text and "3.50" not in text


@pytest.mark.parametrize(("params", "expected"), [
    ({"competition": "premier league"}, [101]),
    ({"country": "SPAIN"}, [102]),
    ({"team": "madrid"}, [102]),
    ({"team": "PS"}, [106]),  # Ajax v PSV; Lyon v PSG is off the board
    ({"min_books": "2"}, [102, 101]),
    ({"min_books": "3"}, [101]),
    ({"worse_only": "1"}, [101]),
    ({"worse_only": "0"}, UPCOMING),
    ({"competition": "", "team": "", "kickoff_from": ""}, UPCOMING),  # empty form fields are "not set"
    ({"sort": "-kickoff"}, UPCOMING[::-1]),
    ({"sort": "teams"}, [106, 101, 102, 103]),
    ({"sort": "competition"}, [103, 106, 102, 101]),
    ({"sort": "books"}, [103, 106, 102, 101]),
    ({"competition": "Premier League", "min_books": "3", "worse_only": "1"}, [101]),
    ({"competition": "LaLiga", "worse_only": "1"}, []),
])
def test_filters_and_sorting(site, params, expected):
    assert ids(board(site, **params)) == expected


def test_kickoff_range_and_margin_sort(site):
    start, end = site.now + timedelta(hours=1), site.now + timedelta(hours=5)
    assert ids(board(site, kickoff_from=iso(start), kickoff_to=iso(end))) == [102, 103, 106]
    naive = (site.now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")  # a datetime-local field: UTC
    assert ids(board(site, kickoff_to=naive)) == [102, 103]
    margins = {sr: expected_margin(expected_quotes("betpawa", sr, *KEY["1x2"])) for sr in UPCOMING}
    priced = sorted((sr for sr in UPCOMING if margins[sr] is not None), key=lambda sr: margins[sr], reverse=True)
    assert ids(board(site, sort="-margin")) == priced + [sr for sr in UPCOMING if margins[sr] is None]


def test_paging(site):
    first, second = board(site, page_size=3), board(site, page_size=3, page=2)
    assert ids(first) == UPCOMING[:3] and ids(second) == UPCOMING[3:]
    assert (second["total"], second["pages"], second["page"]) == (4, 2, 2)
    assert ids(board(site, page_size=3, page=3)) == []
    page = Page(site.http.get("/", params={"page_size": "3"}).text)
    assert "/?page=2&page_size=3" in page.links


def test_filter_choices_list_the_upcoming_competitions(site):
    data = board(site)
    assert data["competitions"] == ["Bundesliga", "Eredivisie", "LaLiga", "Premier League"]
    assert data["countries"] == ["England", "Germany", "Netherlands", "Spain"]


def test_csv_equals_json(site):
    data = board(site, page_size=500, worse_only="1")
    text = site.http.get("/api/board.csv", params={"worse_only": "1"})
    assert text.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text.text)))
    want = []
    for ev in data["events"]:
        for key, m in ev["markets"].items():
            for o in m["outcomes"]:
                for b, q in o["books"].items():
                    want.append({"sr_event_id": str(ev["sr_event_id"]), "market": key, "outcome": o["outcome"],
                                 "bookmaker": b, "odds": "" if q["odds"] is None else str(q["odds"]),
                                 "state": q["state"] or "", "betpawa_vs_market": o["betpawa_vs_market"] or "",
                                 "margin_pct": "" if m["margin_pct"][b] is None else str(m["margin_pct"][b])})
    assert [{k: r[k] for k in want[0]} for r in rows] == want
    assert len(rows) == 1 * 7 * 3  # one event × 7 key outcomes × 3 books
