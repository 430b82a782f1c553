"""Scraping or re-parsing one window (``odds_assets.scrape``) without Dagster: the real clients against
the simulator over loopback HTTP (clock frozen inside the window), a temporary archive; the expected
boards are the simulator's ground truth."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from odds_assets.archive import Archive
from odds_assets.clients import RetryPolicy, fetch_board_sync, settings_from_env
from odds_assets.errors import WindowClosed, WindowNotOpen
from odds_assets.models import BOOKMAKERS, BoardScrape, EventOdds
from odds_assets.scrape import ScrapedWindow, check_window, other_books_events, previous_summary, scrape_window
from odds_assets.settings import PipelineSettings
from odds_assets.simulator import ServerThread, SimulatorApp, SimulatorConfig, create_app
from odds_assets.snapshot import build_snapshot
from odds_assets.summary import BoardFigures, OverroundFigures, QuarantineFigures, ScrapeSummary, Timings
from odds_assets_tests.factories import event_odds, market

STEP = timedelta(minutes=5)
#: the window every simulator test scrapes, and the frozen time of the scrape (30 s into it)
W = datetime(2026, 11, 24, 10, 5, tzinfo=timezone.utc)
AT = W + timedelta(seconds=30)
RULES = PipelineSettings().quality


def no_fetch(book: str) -> BoardScrape:
    pytest.fail(f"fetch({book!r}) called: the window must not be scraped")


def no_now() -> datetime:
    pytest.fail("now() called: an archived window is re-parsed whatever the time")


def fixed(t: datetime) -> Callable[[], datetime]:
    return lambda: t


@dataclass
class Scraped:
    result: ScrapedWindow
    fetches: list[str]
    logs: list[str]
    truth: dict[int, EventOdds]


@pytest.fixture(scope="module")
def sim() -> Iterator[tuple[SimulatorApp, str]]:
    app = create_app(SimulatorConfig(seed=11, events=30, markets_per_event=20, frozen_at=AT.timestamp(),
                                     status_rate=0.05))
    with ServerThread(app) as url:
        yield app, url


def sim_fetch(url: str, calls: list[str]) -> Callable[[str], BoardScrape]:
    def fetch(book: str) -> BoardScrape:
        calls.append(book)
        return fetch_board_sync(book, settings_from_env(book, base_url=url, delay_ms=0, retry=RetryPolicy.fast()))
    return fetch


def sim_now(app: SimulatorApp) -> Callable[[], datetime]:
    return lambda: datetime.fromtimestamp(app.sim.clock.now(), timezone.utc)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return Archive(str(tmp_path_factory.mktemp("scrape") / "archive"))


@pytest.fixture(scope="module")
def scraped(sim: tuple[SimulatorApp, str], archive: Archive) -> dict[str, Scraped]:
    """Window W of every book scraped at AT, and stored as the IO manager stores it."""
    app, url = sim
    app.sim.clock.set(AT.timestamp(), frozen=True)
    out = {}
    for book in BOOKMAKERS:
        calls: list[str] = []
        logs: list[str] = []
        result = scrape_window(book, W, W + STEP, fetch=sim_fetch(url, calls), now=sim_now(app), archive=archive,
                               rules=RULES, log=logs.append)
        archive.window(book, W).write_snapshot(result.snapshot, result.summary)
        out[book] = Scraped(result, calls, logs, app.sim.ground_truth(book, AT.timestamp()))
    return out


@pytest.mark.parametrize("book", BOOKMAKERS)
def test_an_open_window_is_fetched_once_archived_and_equals_the_truth(scraped: dict[str, Scraped],
                                                                      archive: Archive, book: str) -> None:
    s = scraped[book]
    summary, snapshot, truth = s.result.summary, s.result.snapshot, s.truth
    assert s.fetches == [book]
    assert summary.source == "network"
    assert summary.captured_at == AT and snapshot.captured_at == AT
    assert len(truth) >= 20  # 30 events on BetPawa's board, a few absent from the competitors'
    assert summary.board.events_complete == len(truth)
    assert (summary.board.listed, summary.board.listing_complete, summary.board.events_failed) == (len(truth), True, 0)
    assert set(snapshot.events["sr_event_id"]) == set(truth) and snapshot.rejected == () and summary.dropped == ()
    n_markets = sum(len(eo.markets) for eo in truth.values())
    n_outcomes = sum(len(m.outcomes) for eo in truth.values() for m in eo.markets)
    assert len(snapshot.markets) == summary.markets == n_markets
    assert summary.outcomes == n_outcomes
    # the raw responses were archived at once; raw_bytes is the compressed file's size
    w = archive.window(book, W)
    assert w.has_raw() and w.read_raw().captured_at == AT
    assert summary.raw_bytes == (Path(w.url) / "raw.zst").stat().st_size > 0
    assert len(s.logs) == 1 and "archived" in s.logs[0] and w.url in s.logs[0]
    assert summary.timings.fetch_s > 0


@pytest.mark.parametrize("book", BOOKMAKERS)
def test_scraping_an_archived_window_again_reads_the_archive(scraped: dict[str, Scraped], archive: Archive,
                                                            book: str) -> None:
    first = scraped[book].result
    again = scrape_window(book, W, W + STEP, fetch=no_fetch, now=no_now, archive=archive, rules=RULES)
    assert again.summary.source == "archive"
    assert again.snapshot.captured_at == first.snapshot.captured_at
    pd.testing.assert_frame_equal(again.snapshot.events, first.snapshot.events)
    pd.testing.assert_frame_equal(again.snapshot.markets, first.snapshot.markets)
    assert again.summary.timings.fetch_s == 0.0
    assert again.summary == replace(first.summary, source="archive", timings=again.summary.timings)


def test_the_checks_of_scraped_windows_compare_the_books_kickoffs(scraped: dict[str, Scraped],
                                                                  archive: Archive) -> None:
    for book in BOOKMAKERS:
        res = check_window(archive, book, W, RULES)
        shared = sum(len(set(scraped[book].truth) & set(scraped[other].truth))
                     for other in BOOKMAKERS if other != book)
        assert shared > 0
        k = res["kickoff_agreement"]
        assert k.passed and (k.figures["compared"], k.figures["disagreeing"]) == (shared, 0)
        c = res["completeness"]
        assert c.passed and c.figures["previous_events_complete"] == -1  # the first window of the archive
        assert c.figures["events_complete"] == len(scraped[book].truth)


def test_a_window_is_open_from_its_first_instant(sim: tuple[SimulatorApp, str], tmp_path: Path) -> None:
    app, url = sim
    start = W + 4 * STEP
    app.sim.clock.set(start.timestamp(), frozen=True)
    calls: list[str] = []
    result = scrape_window("bet9ja", start, start + STEP, fetch=sim_fetch(url, calls), now=sim_now(app),
                           archive=Archive(str(tmp_path)), rules=RULES)
    assert calls == ["bet9ja"] and result.summary.source == "network" and result.summary.captured_at == start
    assert result.summary.board.events_complete == len(app.sim.ground_truth("bet9ja", start.timestamp()))


@pytest.mark.parametrize("now", [W + STEP, W + STEP + timedelta(hours=3)], ids=["at_its_end", "hours_later"])
def test_a_closed_window_without_archive_is_never_scraped(tmp_path: Path, now: datetime) -> None:
    archive = Archive(str(tmp_path))
    with pytest.raises(WindowClosed) as closed:
        scrape_window("sportybet", W, W + STEP, fetch=no_fetch, now=fixed(now), archive=archive, rules=RULES)
    assert "sportybet window 2026-11-24 10:05-10:10 UTC" in str(closed.value)
    assert (closed.value.bookmaker, closed.value.window_start) == ("sportybet", W)
    assert not archive.window("sportybet", W).has_raw()


def test_a_window_not_yet_open_is_not_scraped(tmp_path: Path) -> None:
    archive = Archive(str(tmp_path))
    with pytest.raises(WindowNotOpen) as early:
        scrape_window("betpawa", W, W + STEP, fetch=no_fetch, now=fixed(W - timedelta(microseconds=1)),
                      archive=archive, rules=RULES)
    assert "betpawa window 2026-11-24 10:05 UTC" in str(early.value) and "not started" in str(early.value)
    assert (early.value.bookmaker, early.value.window_start) == ("betpawa", W)
    assert not archive.window("betpawa", W).has_raw()


# ---- previous windows, from summaries written with write_snapshot ---------------------------------

def hand_summary(captured_at: datetime, *, events: int, listing_complete: bool = True) -> ScrapeSummary:
    return ScrapeSummary(
        source="network", captured_at=captured_at, scrape_started_at=captured_at, scrape_finished_at=captured_at,
        board=BoardFigures(listed=events + 1, listing_complete=listing_complete, events_complete=events,
                           events_failed=1, failure_reasons={"BookmakerUnavailable": 1}, failure_samples=(),
                           instances_total=10, instances_mapped=9, mapping_coverage=0.9),
        dropped=(), markets=1, outcomes=3, quarantine=QuarantineFigures(0, 0, (), ("1.01", "1000")),
        overround=OverroundFigures(), raw_bytes=0, timings=Timings(0.0, 0.0, 0.0))


def store(archive: Archive, book: str, start: datetime, *, events: int, listing_complete: bool = True,
          sr: int = 1) -> ScrapeSummary:
    captured = start + timedelta(seconds=20)
    summary = hand_summary(captured, events=events, listing_complete=listing_complete)
    snapshot = build_snapshot(book, captured, [event_odds(sr, market(3743, None, "2", "3", "4"), bookmaker=book)])
    archive.window(book, start).write_snapshot(snapshot, summary)
    return summary


def test_previous_summary_skips_a_truncated_window_and_one_without_summary(tmp_path: Path) -> None:
    archive = Archive(str(tmp_path))
    start = datetime(2026, 11, 25, 0, 10, tzinfo=timezone.utc)
    assert previous_summary(archive, "betpawa", start) is None
    yesterday = store(archive, "betpawa", start - 4 * STEP, events=7)  # 23:50 the day before
    store(archive, "betpawa", start - 2 * STEP, events=3, listing_complete=False)  # 00:00, truncated
    w = archive.window("betpawa", start - STEP)  # 00:05: raw responses, never a summary
    w.write_raw([], captured_at=start - STEP, started_at=start - STEP, finished_at=start - STEP)
    store(archive, "betpawa", start, events=99)  # the window itself is not its own previous
    store(archive, "betpawa", start + STEP, events=98)  # nor a later one
    store(archive, "sportybet", start - STEP, events=50)  # nor another book's
    found = previous_summary(archive, "betpawa", start)
    assert found == yesterday and found.board.events_complete == 7
    # a complete window after the truncated one is the reference from then on
    store(archive, "betpawa", start - 3 * STEP, events=8)
    later = previous_summary(archive, "betpawa", start)
    assert later is not None and later.board.events_complete == 8


def test_previous_summary_when_every_earlier_window_is_truncated(tmp_path: Path) -> None:
    archive = Archive(str(tmp_path))
    for i in range(1, 4):
        store(archive, "bet9ja", W - i * STEP, events=10 * i, listing_complete=False)
    assert previous_summary(archive, "bet9ja", W) is None


def test_an_unreadable_window_of_another_book_or_an_earlier_one_is_left_out(tmp_path: Path) -> None:
    """One book's corrupt archive never fails another book's checks, nor the next window's gate."""
    archive = Archive(str(tmp_path))
    store(archive, "betpawa", W, events=2, sr=1)
    store(archive, "sportybet", W, events=1, sr=20)
    store(archive, "bet9ja", W, events=1, sr=31)
    (archive.window("bet9ja", W).path / "events.parquet").write_bytes(b"PAR1 corrupt")
    said: list[str] = []
    others = other_books_events(archive, "betpawa", W, said.append)
    assert {b: list(f["sr_event_id"]) for b, f in others.items()} == {"sportybet": [20]}
    assert len(said) == 1 and said[0].startswith("bet9ja's snapshot at ") and "left out" in said[0]
    # an earlier window whose summary is corrupt is no reference: the one before it is
    store(archive, "betpawa", W - 2 * STEP, events=7)
    store(archive, "betpawa", W - STEP, events=9)
    (archive.window("betpawa", W - STEP).path / "summary.json").write_bytes(b"{not json")
    previous = previous_summary(archive, "betpawa", W)
    assert previous is not None and previous.board.events_complete == 7


def test_other_books_events_fall_back_to_their_latest_earlier_window(tmp_path: Path) -> None:
    archive = Archive(str(tmp_path))
    store(archive, "betpawa", W, events=1, sr=1)
    store(archive, "sportybet", W - 2 * STEP, events=1, sr=22)  # an older window of SportyBet
    store(archive, "sportybet", W - STEP, events=1, sr=21)  # its latest before W
    others = other_books_events(archive, "betpawa", W)
    assert set(others) == {"sportybet"}  # Bet9ja has nothing archived
    assert list(others["sportybet"]["sr_event_id"]) == [21]
    store(archive, "bet9ja", W, events=1, sr=31)
    store(archive, "sportybet", W, events=1, sr=20)
    others = other_books_events(archive, "betpawa", W)
    assert {b: list(f["sr_event_id"]) for b, f in others.items()} == {"sportybet": [20], "bet9ja": [31]}
