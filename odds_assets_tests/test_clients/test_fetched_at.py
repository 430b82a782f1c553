"""``EventOdds.fetched_at``: each event carries the time its detail response was received, for all three
books, at fetch time and when re-parsed from the archive, and it survives into the archived snapshot.

The oracle is the raw responses themselves: the boards are fetched from the scripted books (real
captures as detail bodies, see conftest), then every response is given a distinct ``fetched_at`` of our
own (seconds apart, some in a non-UTC zone); the expected time of an event is the one we gave the
response at its detail URL."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from odds_assets.archive import Archive, decode_raw, encode_raw
from odds_assets.clients import parse_board
from odds_assets.models import BoardScrape, RawResponse
from odds_assets.snapshot import build_snapshot
from odds_assets_tests.test_archive import full_summary

from .conftest import FakeBetPawa, FakeBook, fetch
from .test_bet9ja import FakeBet9ja
from .test_sportybet import FakeSportyBet

T0 = datetime(2026, 11, 24, 10, 5, 0, 250000, tzinfo=timezone.utc)
LAGOS = timezone(timedelta(hours=1))
WINDOW = datetime(2026, 11, 24, 10, 5, tzinfo=timezone.utc)


def _book(name: str) -> FakeBook:
    return {"betpawa": lambda: FakeBetPawa(7), "sportybet": lambda: FakeSportyBet(7),
            "bet9ja": lambda: FakeBet9ja(per_group=2)}[name]()


def _fetched(name: str) -> BoardScrape:
    board = asyncio.run(fetch(name, _book(name)))
    assert board.events and not board.failures
    return board


def _restamped(raw: list[RawResponse]) -> list[RawResponse]:
    """Every response with its own fetched_at: T0 + 7.5 s × position, every other one written in
    Lagos time (the same instant), so no two events can share a time by accident."""
    out = []
    for i, r in enumerate(raw):
        t = T0 + timedelta(seconds=7.5 * i, microseconds=i)
        out.append(dataclasses.replace(r, fetched_at=t.astimezone(LAGOS) if i % 2 else t))
    return out


def _expected(raw: list[RawResponse]) -> dict[str, datetime]:
    """bookmaker event id -> fetched_at of its detail response, read off the responses' own headers."""
    return {r.bookmaker_event_id: r.fetched_at for r in raw
            if r.kind == "detail" and r.bookmaker_event_id is not None}


def _assert_stamped(board: BoardScrape, expected: dict[str, datetime]) -> None:
    got = {e.event.bookmaker_event_id: e.fetched_at for e in board.events}
    assert got == expected
    assert all(t is not None and t.utcoffset() == timedelta(0) for t in got.values())
    assert len(set(got.values())) == len(got) > 1  # distinct times: a wrong pairing would show


@pytest.mark.parametrize("book", ["betpawa", "sportybet", "bet9ja"])
def test_fetch_board_stamps_each_event_with_its_detail_response(book: str) -> None:
    board = _fetched(book)
    details = {r.url: r for r in board.raw if r.kind == "detail"}
    assert len(details) == len(board.events)
    assert {e.event.bookmaker_event_id: e.fetched_at for e in board.events} == _expected(board.raw)
    for e in board.events:
        assert e.fetched_at is not None and board.started_at <= e.fetched_at <= board.finished_at


@pytest.mark.parametrize("book", ["betpawa", "sportybet", "bet9ja"])
def test_parse_board_and_the_raw_archive_keep_each_event_s_fetch_time(book: str) -> None:
    raw = _restamped(_fetched(book).raw)
    expected = _expected(raw)
    assert len(expected) >= 6
    board = parse_board(book, raw, started_at=T0, finished_at=T0 + timedelta(minutes=5))
    _assert_stamped(board, expected)
    # through the gzip format of older archives, raw.bin.gz (times written as ISO text, read back in UTC)
    again = parse_board(book, decode_raw(encode_raw(raw)), started_at=T0, finished_at=T0 + timedelta(minutes=5))
    _assert_stamped(again, expected)
    assert again.events == board.events


def test_the_detail_time_not_the_listing_time_is_taken() -> None:
    """Listing pages are read first and details later; an event's time is its detail's, even when the
    listing page naming it is seconds earlier and another event's detail is in between."""
    raw = _restamped(_fetched("betpawa").raw)
    listing_times = {r.fetched_at for r in raw if r.kind == "listing"}
    board = parse_board("betpawa", raw, started_at=T0, finished_at=T0 + timedelta(minutes=5))
    assert not listing_times & {e.fetched_at for e in board.events}
    # the first event's detail comes after every listing page: 7.5 s steps from T0
    n_listing = sum(r.kind == "listing" for r in raw)
    assert board.events[0].fetched_at == T0 + timedelta(seconds=7.5 * n_listing, microseconds=n_listing)


@pytest.mark.parametrize("book", ["betpawa", "sportybet", "bet9ja"])
def test_fetched_at_lands_in_the_archived_snapshot(tmp_path: Path, book: str) -> None:
    raw = _restamped(_fetched(book).raw)
    expected = _expected(raw)
    w = Archive(str(tmp_path)).window(book, WINDOW)
    w.write_raw(raw, captured_at=T0, started_at=T0, finished_at=T0 + timedelta(minutes=5))
    archived = w.read_raw()
    board = parse_board(book, archived.responses, started_at=archived.started_at, finished_at=archived.finished_at)
    snapshot = build_snapshot(book, archived.captured_at, board.events)
    assert snapshot.rejected == ()
    w.write_snapshot(snapshot, full_summary(archived.captured_at))
    events = w.read_snapshot().events
    assert str(events["fetched_at"].dtype) == "datetime64[us, UTC]"
    got = dict(zip(events["bookmaker_event_id"], events["fetched_at"]))
    assert got == {k: pd.Timestamp(v) for k, v in expected.items()}
    pd.testing.assert_frame_equal(events, snapshot.events)
    # captured_at stays the scrape's start: earlier than every event's fetch time
    assert (events["fetched_at"] > pd.Timestamp(T0)).all()
