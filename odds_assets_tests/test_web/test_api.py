"""What every response shares: bad input is a clear 4xx (JSON under /api/, a page elsewhere), never a
500 with a trace; a database that does not answer is a 503; ``Server-Timing`` on every response;
``/openapi.json`` published and nothing loaded from a CDN.
"""

from __future__ import annotations

import gc
import re

import httpx
import pytest

from odds_assets.web import create_app
from odds_assets_tests.test_web.conftest import Page, running


@pytest.mark.parametrize(("url", "status", "words"), [
    ("/api/board?min_books=9", 400, "min_books"),
    ("/api/board?min_books=two", 400, "min_books"),
    ("/api/board?kickoff_from=yesterday", 400, "kickoff_from"),
    ("/api/board?kickoff_from=2026-12-02&kickoff_to=2026-12-01", 400, "after"),
    ("/api/board?sort=price", 400, "sort"),
    ("/api/board?page=0", 400, "page"),
    ("/api/board?page_size=100000", 400, "page_size"),
    ("/api/board?worse_only=maybe", 400, "worse_only"),
    ("/api/event/999", 404, "999"),
    ("/api/event/abc", 422, "sr_id"),
    ("/api/event/0", 422, "sr_id"),
    ("/api/event/99999999999999999999999", 422, "sr_id"),
    ("/api/path/101/3743?line=abc", 400, "line"),
    ("/api/path/101/5000", 400, "2.5"),  # a market with lines only: which one?
    ("/api/path/101/5000?line=7.5", 404, "7.5"),
    ("/api/path/101/99999", 404, "99999"),
    ("/api/path/999/3743", 404, "999"),
    ("/api/path/101/3743?from=2026-02-01&to=2026-01-01", 400, "after"),
    ("/api/path/101/3743?from=2026-01-01&to=2026-12-31", 400, "days"),
    ("/api/nothing-here", 404, "Not Found"),
    # pages: the same, as a page saying what was wrong
    ("/?min_books=0", 400, "min_books"),
    ("/?kickoff_to=29/11/2026", 400, "ISO 8601"),
    ("/event/999", 404, "999"),
    ("/event/abc", 422, "sr_id"),
    ("/path/101/5000", 400, "choose one"),
    ("/path/101/5000?line=9", 404, "no line 9"),
    ("/no/such/page", 404, "Not Found"),
])
def test_bad_input_is_a_4xx_saying_why(site, url, status, words):
    r = site.http.get(url)
    assert r.status_code == status, r.text
    assert "Traceback" not in r.text
    if url.startswith("/api/"):
        assert r.headers["content-type"] == "application/json"
        assert words in r.json()["detail"]
    else:
        assert r.headers["content-type"].startswith("text/html")
        page = Page(r.text)
        assert words in page.texts["error-detail"]
        assert "/" in page.links


def test_server_timing_on_every_response(site):
    for url in ("/", "/api/board", "/api/board.csv", "/event/101", "/api/event/101", "/api/path/101/3743",
                "/path/101/3743", "/api/freshness", "/openapi.json", "/static/web/board.js", "/api/event/999",
                "/nope"):
        r = site.http.get(url)
        assert re.fullmatch(r"app;dur=\d+(\.\d+)?", r.headers["server-timing"]), (url, r.headers)


def test_openapi_is_published_and_nothing_comes_from_a_cdn(site):
    schema = site.http.get("/openapi.json").json()
    assert {"/api/board", "/api/board.csv", "/api/event/{sr_id}", "/api/event/{sr_id}.csv",
            "/api/path/{sr_id}/{market_id}", "/api/path/{sr_id}/{market_id}.csv", "/api/freshness",
            "/api/stream"} <= set(schema["paths"])
    board_params = {p["name"] for p in schema["paths"]["/api/board"]["get"]["parameters"]}
    assert {"competition", "country", "kickoff_from", "kickoff_to", "team", "min_books", "worse_only", "sort",
            "page", "page_size"} <= board_params
    path_params = {p["name"] for p in schema["paths"]["/api/path/{sr_id}/{market_id}"]["get"]["parameters"]}
    assert {"line", "from", "to"} <= path_params
    assert site.http.get("/docs").status_code == 404 and site.http.get("/redoc").status_code == 404
    for url in ("/", "/event/101", "/path/101/3743", "/event/999"):
        html = site.http.get(url).text
        assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="http://dagster.test:3000', "")), url


def test_a_database_that_does_not_answer_is_a_503_not_a_500(site):
    gone = re.sub(r"/[^/?]+(\?|$)", r"/no_such_database\1", site.web_url.split("://", 1)[1], count=1)
    app = create_app("postgresql://" + gone)
    with running(app) as base:
        import httpx

        with httpx.Client(base_url=base, timeout=20) as http:
            r = http.get("/api/board")
            assert r.status_code == 503 and "database" in r.json()["detail"]
            page = http.get("/event/101")
            assert page.status_code == 503 and "Traceback" not in page.text


def test_a_board_process_keeps_the_collector_off_its_cached_board(site):
    """``odds web`` (own_process): each build of the board ends with the live objects frozen out of the
    automatic collections (a full collection over 2,000 events' objects cost ~100 ms a few requests
    apart); the freeze is lifted when the app stops. Without own_process the collector is left alone."""

    def collected(obj: object) -> bool:  # gc.get_objects() leaves out the frozen
        return any(o is obj for o in gc.get_objects())

    assert gc.get_freeze_count() == 0
    app = create_app(site.web_url, own_process=True)
    cache = app.state.web.cache
    with running(app) as base, httpx.Client(base_url=base, timeout=20) as http:
        assert http.get("/api/board").status_code == 200
        first = cache._board
        assert first is not None and gc.get_freeze_count() > 0 and not collected(first)
        cache.invalidate()  # a window was written: the next board is built, then frozen in its turn
        assert http.get("/").status_code == 200
        assert cache._board is not first and not collected(cache._board)
    assert gc.get_freeze_count() == 0 and collected(cache._board)
    assert site.http.get("/api/board").status_code == 200 and gc.get_freeze_count() == 0
