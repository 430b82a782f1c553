"""The analytics pages — ``/exposure``, ``/margins``, ``/coverage``, their JSON and CSV twins — and the
board's exposure marker, against rows written into the [analytics] tables here (the pages only read
them; the assets that compute them are tested in ``test_analytics``). The expected values are this
module's own rows, never the product's code.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import psycopg
import pytest

from odds_assets_tests.test_web.conftest import Page, two_places
from odds_assets_tests.test_web.test_board import iso

X12, OU = 3743, 5000
NO_LINE = -32768
DAY1, DAY2 = date(2026, 11, 27), date(2026, 11, 28)


def episodes(now):
    """(sr, market, line hundredths, outcome, kind, started, ended, peak edge, bp odds, fair odds, implied,
    first mover, correction s) — minutes relative to now."""
    m = lambda k: now - timedelta(minutes=k)  # noqa: E731
    return [
        (101, X12, NO_LINE, "1", "edge", m(25), None, 0.051, Decimal("2.65"), 2.5214, None, "sportybet", None),
        (101, OU, 250, "Over", "arb", m(15), None, 0.012, Decimal("2.10"), 2.0751, 0.987, "bet9ja", None),
        (102, X12, NO_LINE, "2", "edge", m(40), m(10), 0.092, Decimal("3.90"), 3.5714, None, "sportybet", 1800.0),
        (103, X12, NO_LINE, "X", "edge", m(60 * 30), m(60 * 26), 0.20, Decimal("4.80"), 4.0, None, None, 240.0),
    ]


@pytest.fixture(scope="module")
def reports(site):
    """The analytics rows: four exposure episodes (two open, one closed 10 minutes ago, one closed 26 h
    ago), the open ones' current values, two days of margin report and coverage gaps."""
    with psycopg.connect(site.admin_url, autocommit=True) as conn:
        for (sr, mk, line, out, kind, start, end, peak, bp, fair, implied, mover, corr) in episodes(site.now):
            conn.execute(
                "INSERT INTO exposure_episodes (sr_event_id, market_id, line_hundredths, outcome, kind, started_at,"
                " ended_at, peak_at, peak_edge, peak_betpawa_odds, peak_fair_odds, peak_market_implied, first_mover,"
                " first_move_at, betpawa_age_s, sportybet_age_s, bet9ja_age_s, correction_s)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                (sr, mk, line, out, kind, start, end, start, peak, bp, fair, implied, mover, start, 600.0, 60.0,
                 None, corr))
        conn.execute(
            "INSERT INTO fair_prices_current (sr_event_id, market_id, line_hundredths, outcome, changed_at,"
            " betpawa_odds, fair_probability, fair_odds, edge, competitors, method, arbitrage)"
            " VALUES (101, %s, %s, '1', now(), 2.60, 0.4, 2.5, 0.04, 'sportybet,bet9ja', 'power', false)",
            (X12, NO_LINE))
        for day, scale in ((DAY1, 1.0), (DAY2, 2.0)):
            for book, comp, bucket, n, mean, median in [
                (1, "Premier League", "<24h", 40, 0.05 * scale, 0.049 * scale),
                (2, "Premier League", "<24h", 38, 0.061, 0.06),
                (3, "Premier League", "24-72h", 12, 0.082, 0.08),
                (1, "Premier League", "24-72h", 10, 0.045, 0.044),
                (1, "LaLiga", "7d+", 5, 0.07, 0.07),
            ]:
                conn.execute(
                    "INSERT INTO analytics_margin_report (day, bookmaker, competition, market_id, bucket, observations,"
                    " with_margin, mean_margin, median_margin, min_margin, max_margin)"
                    " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                    (day, book, comp, X12, bucket, n, n, mean, median, mean, mean))
            conn.execute(
                "INSERT INTO analytics_coverage_gaps VALUES (%s, 'Premier League', 2, 10, 12, 9, 3, 1, 7, 2)", (day,))
            conn.execute(
                "INSERT INTO analytics_coverage_gap_details VALUES (%s, 'Premier League', 2, 'event_not_at_betpawa',"
                " 106, NULL, NULL), (%s, 'Premier League', 2, 'market_not_at_betpawa', 101, %s, 350)",
                (day, day, OU))
    ids = {r[0]: r[1] for r in [(1, "betpawa"), (2, "sportybet"), (3, "bet9ja")]}
    with psycopg.connect(site.admin_url) as conn:
        assert {i: n for i, n in conn.execute("SELECT id, name FROM bookmakers")} == ids  # the ids used above
    return site


def get(site, url, **params):
    r = site.http.get(url, params=params)
    assert r.status_code == 200, r.text
    return r


def test_exposure_lists_open_then_recent_largest_edge_first(reports):
    data = get(reports, "/api/exposure").json()
    got = [(e["sr_event_id"], e["outcome"], e["kind"], e["open"]) for e in data["episodes"]]
    # open ones first (largest peak edge first), then the one closed 10 min ago; 103's closed 26 h ago: out
    assert got == [(101, "1", "edge", True), (101, "Over", "arb", True), (102, "2", "edge", False)]
    assert data["open"] == 2 and data["count"] == 3
    first, _, closed = data["episodes"]
    assert first["peak_edge"] == 0.051 and first["peak_betpawa_odds"] == 2.65 and first["first_mover"] == "sportybet"
    assert first["now"] == {"edge": 0.04, "betpawa_odds": 2.6, "fair_odds": 2.5}
    assert first["started_at"] == iso(reports.now - timedelta(minutes=25)) and first["ended_at"] is None
    assert first["price_age_s"] == {"betpawa": 600.0, "sportybet": 60.0, "bet9ja": None}
    assert closed["now"] is None and closed["correction_s"] == 1800.0 and closed["duration_s"] == 1800.0
    assert first["event_url"] == "/event/101" and first["path_url"] == "/path/101/3743"
    assert data["episodes"][1]["path_url"] == "/path/101/5000?line=2.5" and data["episodes"][1]["line"] == 2.5

    assert [e["sr_event_id"] for e in get(reports, "/api/exposure", hours="48").json()["episodes"]] == [
        101, 101, 103, 102]  # 103's peak 0.20 is larger than 102's once it is in range
    assert [e["kind"] for e in get(reports, "/api/exposure", kind="arb").json()["episodes"]] == ["arb"]
    assert get(reports, "/api/exposure", open_only="1").json()["count"] == 2
    assert {e["sr_event_id"] for e in get(reports, "/api/exposure", sr="102").json()["episodes"]} == {102}


def test_exposure_page_and_csv(reports):
    page = Page(get(reports, "/exposure").text)
    assert "exposure" in page.ids
    key = f"101|{X12}|none|1|edge|{iso(reports.now - timedelta(minutes=25))}"
    assert page.cells[f"{key}|status"] == "open" and page.cells[f"{key}|peak_edge"] == "+5.10%"
    assert page.cells[f"{key}|peak_betpawa"] == "2.65" and page.cells[f"{key}|edge_now"] == "+4.00%"
    assert "/event/101" in page.links and "/path/101/5000?line=2.5" in page.links
    rows = list(csv.DictReader(io.StringIO(get(reports, "/api/exposure.csv").text)))
    assert [(r["sr_event_id"], r["outcome"], r["open"]) for r in rows] == [
        ("101", "1", "True"), ("101", "Over", "True"), ("102", "2", "False")]
    assert rows[0]["edge_now"] == "0.04" and rows[2]["correction_s"] == "1800.0"


def test_board_marks_events_with_open_exposure(reports):
    data = get(reports, "/api/board", page_size="500").json()
    assert {e["sr_event_id"]: e["open_exposures"] for e in data["events"]} == {101: 2, 102: 0, 103: 0, 106: 0}
    html = get(reports, "/", page_size="500").text
    assert 'href="/exposure?sr=101" data-cell="101|exposure" title' in html  # shown (not hidden)
    assert 'data-cell="102|exposure" hidden' in html


def test_margins_page_shows_the_latest_day_by_default(reports):
    data = get(reports, "/api/margins").json()
    assert data["day"] == DAY2.isoformat() and data["days"] == [DAY2.isoformat(), DAY1.isoformat()]
    lines = {(ln["competition"], ln["bucket"]): ln["books"] for ln in data["lines"]}
    assert list(lines) == [("LaLiga", "7d+"), ("Premier League", "24-72h"), ("Premier League", "<24h")]
    pl = lines[("Premier League", "<24h")]
    assert pl["betpawa"] == {"observations": 40, "with_margin": 40, "mean_margin_pct": 10.0, "median_margin_pct": 9.8}
    assert pl["sportybet"]["mean_margin_pct"] == 6.1 and pl["bet9ja"] is None
    day1 = get(reports, "/api/margins", day=DAY1.isoformat(), competition="premier league").json()
    assert day1["day"] == DAY1.isoformat() and {ln["competition"] for ln in day1["lines"]} == {"Premier League"}
    assert day1["lines"][1]["books"]["betpawa"]["mean_margin_pct"] == 5.0

    page = Page(get(reports, "/margins").text)
    assert page.cells[f"Premier League|{X12}|<24h|betpawa|mean"] == f"{two_places('10.0')}%"
    assert page.cells[f"Premier League|{X12}|<24h|bet9ja|mean"] == "—"
    rows = list(csv.DictReader(io.StringIO(get(reports, "/api/margins.csv").text)))
    assert len(rows) == 5 and {r["day"] for r in rows} == {DAY2.isoformat()}


def test_coverage_page(reports):
    data = get(reports, "/api/coverage").json()
    assert data["day"] == DAY2.isoformat()
    assert data["summary"] == [{
        "competition": "Premier League", "competitor": "sportybet", "betpawa_events": 10, "competitor_events": 12,
        "shared_events": 9, "events_not_at_betpawa": 3, "events_not_at_competitor": 1, "markets_not_at_betpawa": 7,
        "events_with_market_gaps": 2}]
    assert [(g["kind"], g["sr_event_id"], g["market_id"], g["line"]) for g in data["gaps"]] == [
        ("event_not_at_betpawa", 106, None, None), ("market_not_at_betpawa", 101, OU, 3.5)]
    assert data["gaps"][0]["home"] == "Ajax"
    page = Page(get(reports, "/coverage").text)
    assert page.cells["Premier League|sportybet|not_at_betpawa"] == "3" and "/event/106" in page.links
    assert len(list(csv.DictReader(io.StringIO(get(reports, "/api/coverage.csv").text)))) == 2


@pytest.mark.parametrize(("url", "params", "says"), [
    ("/api/exposure", {"kind": "value"}, "kind"),
    ("/api/exposure", {"hours": "0"}, "hours"),
    ("/api/exposure", {"sr": "x"}, "sr"),
    ("/api/margins", {"day": "2026-13-01"}, "day"),
    ("/api/margins", {"day": "2020-01-01"}, "no margins report for 2020-01-01"),
    ("/api/coverage", {"limit": "0"}, "limit"),
])
def test_bad_report_parameters_are_400_naming_them(reports, url, params, says):
    r = reports.http.get(url, params=params)
    assert r.status_code == 400 and says in r.text and "Traceback" not in r.text
