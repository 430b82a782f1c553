"""odds_assets.clients.base: retries, backoff, blocked/HTML/protobuf/truncated/slow answers, one bad
event failing only itself, error records, and parse_board reproducing fetch_board — driven through
httpx.MockTransport against a scripted BetPawa (the mechanism is shared by the three books)."""

from __future__ import annotations

import asyncio

import httpx
import orjson

from odds_assets.clients import ERROR_CONTENT_TYPE, RetryPolicy
from odds_assets.models import BoardScrape

from .conftest import FakeBetPawa, assert_reparses, fetch, json_response


def board_of(book: FakeBetPawa, **overrides: object) -> BoardScrape:
    board = asyncio.run(fetch("betpawa", book, **overrides))
    assert_reparses(board)
    return board


def test_pages_to_the_end_marker() -> None:
    book = FakeBetPawa(120)
    board = board_of(book, page_size=50)
    assert board.listing_complete and board.listed == 120
    assert [book.calls[f"listing:{s}"] for s in (0, 50, 100, 150)] == [1, 1, 1, 1]
    assert len(board.events) == 120 and not board.failures
    assert {e.event.sr_event_id for e in board.events} == {50_000_000 + i for i in range(120)}
    kinds = [r.kind for r in board.raw]
    assert kinds.count("listing") == 4 and kinds.count("detail") == 120
    details = [r.bookmaker_event_id for r in board.raw if r.kind == "detail"]
    assert details == [str(1000 + i) for i in range(120)]  # listing order, deterministic archive


def test_429_honours_retry_after() -> None:
    book = FakeBetPawa(3)
    book.faults["detail:1"] = lambda n: httpx.Response(429, headers={"retry-after": "0.03"}) if n == 1 else None
    import odds_assets.clients as api

    from .conftest import fast_settings

    async def go() -> tuple[BoardScrape, list[tuple[str, float]]]:
        settings = fast_settings("betpawa", retry=RetryPolicy(backoff_base_s=0.001, backoff_cap_s=0.002,
                                                              retry_after_cap_s=0.05))
        async with api.client_for("betpawa", settings, transport=book.transport()) as c:
            return await c.fetch_board(), c.waits

    board, waits = asyncio.run(go())
    assert len(board.events) == 3 and not board.failures
    assert book.calls["detail:1"] == 2
    assert len(waits) == 1 and 0.03 <= waits[0][1] <= 0.05 and waits[0][0].endswith("/events/1001")
    assert_reparses(board)


def test_429_storm_becomes_rate_limited_failure() -> None:
    book = FakeBetPawa(2)
    book.faults["detail:0"] = lambda n: httpx.Response(429, headers={"retry-after": "0"})
    board = board_of(book)
    assert [f.error_type for f in board.failures] == ["BookmakerRateLimited"]
    assert book.calls["detail:0"] == RetryPolicy().max_attempts


def test_5xx_then_success() -> None:
    book = FakeBetPawa(5)
    book.faults["listing:0"] = lambda n: httpx.Response(503) if n <= 2 else None
    book.faults["detail:3"] = lambda n: httpx.Response(502) if n == 1 else None
    board = board_of(book)
    assert board.listing_complete and len(board.events) == 5 and not board.failures
    assert book.calls["listing:0"] == 3 and book.calls["detail:3"] == 2


def test_403_storm_is_blocked_after_bounded_retries() -> None:
    book = FakeBetPawa(4)
    book.faults["detail:2"] = lambda n: httpx.Response(403, text="Forbidden")
    board = board_of(book)
    assert len(board.events) == 3
    (failure,) = board.failures
    assert failure.bookmaker_event_id == "1002" and failure.error_type == "BookmakerBlocked"
    assert "403" in failure.reason and "/events/1002" in failure.reason
    assert book.calls["detail:2"] == RetryPolicy().blocked_attempts
    (record,) = [r for r in board.raw if r.kind == "error"]
    assert record.content_type == ERROR_CONTENT_TYPE and record.status == 403
    assert orjson.loads(record.body)["stage"] == "detail"


def test_html_page_is_blocked() -> None:
    book = FakeBetPawa(2)
    page = "<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>"
    book.faults["detail:0"] = lambda n: httpx.Response(200, text=page, headers={"content-type": "text/html"})
    board = board_of(book)
    assert [f.error_type for f in board.failures] == ["BookmakerBlocked"]
    assert "HTML" in board.failures[0].reason


def test_html_listing_page_truncates_board() -> None:
    book = FakeBetPawa(150)
    shell = "<html><body>betPawa - marketing shell</body></html>"
    book.faults["listing:100"] = lambda n: httpx.Response(200, text=shell)  # no content type
    board = board_of(book)
    assert not board.listing_complete and board.listed == 100 and len(board.events) == 100


def test_truncated_json() -> None:
    book = FakeBetPawa(3)
    body = orjson.dumps(book.detail(1))[:5000]
    book.faults["detail:1"] = lambda n: httpx.Response(200, content=body,
                                                       headers={"content-type": "application/json"})
    book.faults["detail:2"] = lambda n: (httpx.Response(200, content=body, headers={"content-type": "application/json"})
                                         if n == 1 else None)
    board = board_of(book)
    assert [(f.bookmaker_event_id, f.error_type) for f in board.failures] == [("1001", "UnexpectedPayload")]
    assert "not JSON" in board.failures[0].reason and "/events/1001" in board.failures[0].reason
    assert book.calls["detail:2"] == 2 and len(board.events) == 2


def test_protobuf_is_an_error_not_empty_data() -> None:
    book = FakeBetPawa(3)
    book.faults["listing:0"] = lambda n: httpx.Response(200, content=b"\x0a\x02\x08\x01",
                                                        headers={"content-type": "application/x-protobuf"})
    board = board_of(book)
    assert not board.listing_complete and board.listed == 0 and board.events == []
    assert book.calls["listing:0"] == 1  # deterministic: no retry
    (record,) = board.raw
    fields = orjson.loads(record.body)
    assert fields["error_type"] == "UnexpectedPayload" and "protobuf" in fields["reason"]
    assert "by-queries" in record.url


def test_slow_server_times_out() -> None:
    book = FakeBetPawa(2)
    book.slow["detail:0"] = 5.0
    board = board_of(book, timeout_s=0.05)
    assert [f.error_type for f in board.failures] == ["BookmakerUnavailable"]
    assert "timed out" in board.failures[0].reason
    assert book.calls["detail:0"] == RetryPolicy().max_attempts
    assert len(board.events) == 1


def test_connection_error_retried() -> None:
    book = FakeBetPawa(2)

    def flaky(n: int) -> httpx.Response | None:
        if n == 1:
            raise httpx.ConnectError("connection refused")
        return None

    book.faults["detail:1"] = flaky
    board = board_of(book)
    assert len(board.events) == 2 and book.calls["detail:1"] == 2


def test_one_bad_event_fails_only_itself() -> None:
    book = FakeBetPawa(4)
    broken = dict(book.detail(2))
    del broken["widgets"]
    wrong_type = book.detail(3)
    wrong_type = dict(wrong_type, markets=[dict(wrong_type["markets"][0], row="oops")])
    book.faults["detail:2"] = lambda n: json_response(broken)
    book.faults["detail:3"] = lambda n: json_response(wrong_type)
    board = board_of(book)
    assert [e.event.bookmaker_event_id for e in board.events] == ["1000", "1001"]
    reasons = {f.bookmaker_event_id: f for f in board.failures}
    assert reasons["1002"].error_type == "NormalisationError" and "widgets" in reasons["1002"].reason
    assert "markets[0].row" in reasons["1003"].reason
    assert board.listing_complete


def test_404_detail_is_not_retried() -> None:
    book = FakeBetPawa(2)
    book.faults["detail:0"] = lambda n: httpx.Response(404, json={"error": "NOT_FOUND"})
    board = board_of(book)
    assert [f.error_type for f in board.failures] == ["UnexpectedPayload"] and book.calls["detail:0"] == 1


def test_delay_holds_the_slot() -> None:
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    from odds_assets.clients.betpawa import BetPawaClient

    from .conftest import fast_settings

    async def go() -> None:
        settings = fast_settings("betpawa", delay_ms=25, concurrency=2)
        async with BetPawaClient(settings, transport=FakeBetPawa(3).transport(), sleep=fake_sleep) as c:
            board = await c.fetch_board()
            assert len(board.events) == 3

    asyncio.run(go())
    assert sleeps.count(0.025) == 5  # 2 listing pages + 3 details


def test_fetch_board_needs_context() -> None:
    import pytest

    from odds_assets.clients import client_for

    with pytest.raises(RuntimeError, match="async with"):
        asyncio.run(client_for("betpawa").fetch_board())


def test_fetch_board_sync() -> None:
    from odds_assets.clients import fetch_board_sync

    from .conftest import fast_settings

    board = fetch_board_sync("betpawa", fast_settings("betpawa"), transport=FakeBetPawa(2).transport())
    assert board.listing_complete and len(board.events) == 2
