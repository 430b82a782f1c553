"""The snapshot archive (``odds_assets.archive``) on a local directory: raw responses, the normalised
snapshot and its ``summary.json`` (the flat layout every archive has had), retention."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from odds_assets.archive import Archive, decode_raw, encode_raw
from odds_assets.models import RawResponse
from odds_assets.snapshot import EVENT_COLUMNS, Snapshot, build_snapshot, check_snapshot
from odds_assets.summary import (
    BoardFigures,
    DroppedEvent,
    FailureSample,
    MarketTypeOverround,
    OverroundFigures,
    QuarantineFigures,
    QuarantineSample,
    ScrapeSummary,
    Timings,
)
from odds_assets_tests.factories import event_odds, market

WINDOW = datetime(2026, 11, 24, 10, 5, tzinfo=timezone.utc)
CAPTURED = datetime(2026, 11, 24, 10, 5, 12, 345000, tzinfo=timezone.utc)


def full_summary(captured_at: datetime = CAPTURED) -> ScrapeSummary:
    """A summary with every nested figure filled in (none left at its default)."""
    lagos = timezone(timedelta(hours=1))
    return ScrapeSummary(
        source="network", captured_at=captured_at,
        scrape_started_at=datetime(2026, 11, 24, 11, 5, 12, 345000, tzinfo=lagos),
        scrape_finished_at=datetime(2026, 11, 24, 10, 5, 51, 5000, tzinfo=timezone.utc),
        board=BoardFigures(
            listed=5, listing_complete=True, events_complete=2, events_failed=3,
            failure_reasons={"BookmakerUnavailable": 2, "UnexpectedPayload": 1},
            failure_samples=(FailureSample("bp9", 9, "BookmakerUnavailable", "HTTP 503 after 3 tries"),
                             FailureSample(12345, None, "UnexpectedPayload", "body is not JSON"),
                             FailureSample(None, 11, "BookmakerUnavailable", "timed out after 20.0s")),
            instances_total=61, instances_mapped=57, mapping_coverage=0.9344),
        dropped=(DroppedEvent(42, "outcomes", "outcome '1' odds 1.0 <= 1.0 (bookmaker=betpawa, event=42)"),
                 DroppedEvent(None, None, "no id")),
        markets=3, outcomes=8,
        quarantine=QuarantineFigures(
            outcomes=2, markets=2,
            samples=(QuarantineSample(1, 5000, "2.5", {"Over": "1.005"}),
                     QuarantineSample(2, 3743, None, {"1": "2000"})),
            bounds=("1.01", "1000")),
        overround=OverroundFigures(priced=3, out_of_band=1, out_share=0.33333,
                                   by_market={"3743": MarketTypeOverround(2, 0.0527, 1)}),
        raw_bytes=98765, timings=Timings(fetch_s=38.66, parse_s=0.125, total_s=38.9))


def small_snapshot(captured_at: datetime = CAPTURED) -> Snapshot:
    return build_snapshot("betpawa", captured_at, [
        event_odds(1, market(3743, None, "2.40", "3.30", "3.00"), market(5000, "2.5", "1.9", "1.9")),
        event_odds(2, market(3774, "-0.5", "2.10", "1.70"))])


def test_archive_roundtrip_and_prune(tmp_path: Path) -> None:
    t = datetime(2026, 11, 1, 10, 5, tzinfo=timezone.utc)
    raws = [RawResponse("http://x/a", 200, "application/json", b'{"a": 1}\n\x00binary', t, "listing"),
            RawResponse("http://x/b", 0, "application/x", b"", t, "error", "77")]
    assert decode_raw(encode_raw(raws)) == raws
    archive = Archive(str(tmp_path / "a"))
    w = archive.window("betpawa", t)
    w.write_raw(raws, captured_at=t + timedelta(seconds=5), started_at=t, finished_at=t)
    back = w.read_raw()
    assert back.responses == raws and back.captured_at == t + timedelta(seconds=5)
    archive.window("betpawa", t - timedelta(days=20)).write_raw(raws, captured_at=t, started_at=t, finished_at=t)
    pruned = archive.prune((t - timedelta(days=14)).date())
    assert len(pruned) == 1 and archive.days("betpawa") == [t.date()]


def test_summary_written_with_a_snapshot_reads_back_equal(tmp_path: Path) -> None:
    w = Archive(str(tmp_path)).window("betpawa", WINDOW)
    snapshot, summary = small_snapshot(), full_summary()
    w.write_snapshot(snapshot, summary)
    back = w.read_summary()
    assert back == summary
    # field by field too, so a failure names the nested figure that differs
    for name in ("board", "dropped", "quarantine", "overround", "timings", "captured_at", "scrape_started_at",
                 "scrape_finished_at", "markets", "outcomes", "raw_bytes", "source"):
        assert getattr(back, name) == getattr(summary, name), name
    assert back.captured_at.utcoffset() == timedelta(0)
    again = w.read_snapshot()
    assert again.captured_at == CAPTURED and again.bookmaker == "betpawa"
    pd.testing.assert_frame_equal(again.events, snapshot.events)
    pd.testing.assert_frame_equal(again.markets, snapshot.markets)
    assert list(again.markets.itertuples(index=False, name=None)) == [
        (1, 3743, None, "1=2.4;X=3.3;2=3"), (1, 5000, "2.5", "Over=1.9;Under=1.9"), (2, 3774, "-0.5", "1=2.1;2=1.7")]


# summary.json as the previous code wrote it (a dict of flat keys, plus the folder's identity), from an
# archive older than the events_dropped_invalid key
OLD_SUMMARY_JSON = """{
  "source": "network",
  "listed": 412,
  "listing_complete": true,
  "events_complete": 409,
  "events_failed": 3,
  "failure_reasons": {"BookmakerUnavailable": 2, "UnexpectedPayload": 1},
  "failure_samples": [
    {"event": "sr:match:61301234", "sr_event_id": 61301234, "error_type": "BookmakerUnavailable",
     "reason": "sportybet: HTTP 503 [https://www.sportybet.com/api/ng/factsCenter/event]"},
    {"event": "sr:match:61301240", "sr_event_id": null, "error_type": "UnexpectedPayload",
     "reason": "sportybet: body is not JSON"}
  ],
  "instances_total": 20450,
  "instances_mapped": 19838,
  "mapping_coverage": 0.9701,
  "markets": 19838,
  "outcomes": 52211,
  "quarantined_outcomes": 2,
  "quarantined_markets": 1,
  "quarantine_samples": [
    {"sr_event_id": 61301299, "market_id": 5000, "line": "2.5", "outcomes": {"Over": "1.005", "Under": "1500"}}
  ],
  "price_bounds": ["1.01", "1000"],
  "overround_priced": 19500,
  "overround_out_of_band": 12,
  "overround_out_share": 0.00062,
  "overround_by_market": {"3743": {"n": 409, "median": 0.0612, "out": 7},
                          "5000": {"n": 2100, "median": 0.0581, "out": 5}},
  "raw_bytes": 1834221,
  "scrape_started_at": "2026-11-24T10:05:00.412000+00:00",
  "scrape_finished_at": "2026-11-24T10:05:41.950000+00:00",
  "fetch_s": 41.6,
  "parse_s": 3.2,
  "total_s": 45.3,
  "captured_at": "2026-11-24T10:05:00.101000+00:00",
  "bookmaker": "sportybet",
  "window_start": "2026-11-24T10:05:00+00:00",
  "normalised_bytes": 402113
}
"""


def test_an_old_flat_summary_json_reads_into_typed_values(tmp_path: Path) -> None:
    w = Archive(str(tmp_path)).window("sportybet", WINDOW)
    w.path.mkdir(parents=True)
    (w.path / "summary.json").write_text(OLD_SUMMARY_JSON)
    assert w.has_snapshot()
    utc = timezone.utc
    assert w.read_summary() == ScrapeSummary(
        source="network",
        captured_at=datetime(2026, 11, 24, 10, 5, 0, 101000, tzinfo=utc),
        scrape_started_at=datetime(2026, 11, 24, 10, 5, 0, 412000, tzinfo=utc),
        scrape_finished_at=datetime(2026, 11, 24, 10, 5, 41, 950000, tzinfo=utc),
        board=BoardFigures(
            listed=412, listing_complete=True, events_complete=409, events_failed=3,
            failure_reasons={"BookmakerUnavailable": 2, "UnexpectedPayload": 1},
            failure_samples=(
                FailureSample("sr:match:61301234", 61301234, "BookmakerUnavailable",
                              "sportybet: HTTP 503 [https://www.sportybet.com/api/ng/factsCenter/event]"),
                FailureSample("sr:match:61301240", None, "UnexpectedPayload", "sportybet: body is not JSON")),
            instances_total=20450, instances_mapped=19838, mapping_coverage=0.9701),
        dropped=(),
        markets=19838, outcomes=52211,
        quarantine=QuarantineFigures(
            outcomes=2, markets=1,
            samples=(QuarantineSample(61301299, 5000, "2.5", {"Over": "1.005", "Under": "1500"}),),
            bounds=("1.01", "1000")),
        overround=OverroundFigures(priced=19500, out_of_band=12, out_share=0.00062,
                                   by_market={"3743": MarketTypeOverround(409, 0.0612, 7),
                                              "5000": MarketTypeOverround(2100, 0.0581, 5)}),
        raw_bytes=1834221,
        timings=Timings(fetch_s=41.6, parse_s=3.2, total_s=45.3))


def test_an_old_summary_without_a_coverage_or_samples_reads_as_none(tmp_path: Path) -> None:
    # a board without market instances had "mapping_coverage": null; empty lists and maps stay empty
    by_market = ('"overround_by_market": {"3743": {"n": 409, "median": 0.0612, "out": 7},\n'
                 '                          "5000": {"n": 2100, "median": 0.0581, "out": 5}}')
    quarantine_samples = ('"quarantine_samples": [\n    {"sr_event_id": 61301299, "market_id": 5000, "line": "2.5", '
                          '"outcomes": {"Over": "1.005", "Under": "1500"}}\n  ]')
    assert by_market in OLD_SUMMARY_JSON and quarantine_samples in OLD_SUMMARY_JSON
    text = (OLD_SUMMARY_JSON.replace('"mapping_coverage": 0.9701', '"mapping_coverage": null')
            .replace(by_market, '"overround_by_market": {}')
            .replace(quarantine_samples, '"quarantine_samples": []'))
    w = Archive(str(tmp_path)).window("sportybet", WINDOW)
    w.path.mkdir(parents=True)
    (w.path / "summary.json").write_text(text)
    s = w.read_summary()
    assert s.board.mapping_coverage is None
    assert dict(s.overround.by_market) == {} and s.quarantine.samples == ()
    assert (s.board.listed, s.overround.priced) == (412, 19500)


def test_write_snapshot_refuses_a_summary_of_another_time(tmp_path: Path) -> None:
    w = Archive(str(tmp_path)).window("betpawa", WINDOW)
    snapshot = small_snapshot()
    with pytest.raises(ValueError, match="captured_at"):
        w.write_snapshot(snapshot, full_summary(captured_at=CAPTURED + timedelta(seconds=1)))
    assert not w.has_snapshot()
    # the same instant in another time zone is the same time
    w.write_snapshot(snapshot, full_summary(captured_at=CAPTURED.astimezone(timezone(timedelta(hours=1)))))
    assert w.has_snapshot() and w.read_summary().captured_at == CAPTURED


def test_a_refused_write_leaves_an_archived_window_as_it_was(tmp_path: Path) -> None:
    """A window archived already (frames + summary) and then written again with a summary of another
    time: the refusal must not replace its frames, or the folder would pair new frames with the old
    summary (and read_snapshot would give them the old captured_at)."""
    w = Archive(str(tmp_path)).window("betpawa", WINDOW)
    first = small_snapshot()
    w.write_snapshot(first, full_summary())
    other_time = CAPTURED + timedelta(seconds=30)
    second = build_snapshot("betpawa", other_time, [event_odds(7, market(3743, None, "5", "5", "1.5"))])
    with pytest.raises(ValueError, match="captured_at"):
        w.write_snapshot(second, full_summary(captured_at=CAPTURED))
    back = w.read_snapshot()
    assert back.captured_at == CAPTURED and w.read_summary() == full_summary()
    assert list(back.events["sr_event_id"]) == [1, 2]
    pd.testing.assert_frame_equal(back.markets, first.markets)


def test_has_snapshot_only_once_the_summary_is_written(tmp_path: Path) -> None:
    archive = Archive(str(tmp_path))
    w = archive.window("bet9ja", WINDOW)
    assert not w.has_raw() and not w.has_snapshot()
    w.write_raw([], captured_at=CAPTURED, started_at=CAPTURED, finished_at=CAPTURED)
    assert w.has_raw() and not w.has_snapshot()
    # a window without a summary is no previous window
    assert list(archive.previous_windows("bet9ja", WINDOW + timedelta(minutes=5))) == []
    w.write_snapshot(build_snapshot("bet9ja", CAPTURED, []), full_summary())
    assert w.has_snapshot()
    [prev] = archive.previous_windows("bet9ja", WINDOW + timedelta(minutes=5))
    assert prev.window_start == WINDOW
    with pytest.raises(FileNotFoundError):
        archive.window("bet9ja", WINDOW + timedelta(minutes=5)).read_summary()


def test_a_snapshot_archived_before_fetched_at_reads_with_nat(tmp_path: Path) -> None:
    """events.parquet as archives written before the fetched_at column hold it (the seven required
    columns only) reads back with a fetched_at column of NaT: when each event was fetched is unknown,
    and captured_at would claim a precision it never had."""
    w = Archive(str(tmp_path)).window("betpawa", WINDOW)
    new = small_snapshot()
    old_events = new.events[EVENT_COLUMNS]
    w.write_snapshot(Snapshot("betpawa", CAPTURED, old_events, new.markets), full_summary())
    assert list(pd.read_parquet(str(w.path / "events.parquet")).columns) == EVENT_COLUMNS  # really the old layout
    back = w.read_snapshot()
    assert list(back.events.columns) == [*EVENT_COLUMNS, "fetched_at"]
    assert str(back.events["fetched_at"].dtype) == "datetime64[us, UTC]" and back.events["fetched_at"].isna().all()
    pd.testing.assert_frame_equal(back.events[EVENT_COLUMNS], old_events)
    pd.testing.assert_frame_equal(back.markets, new.markets)
    check_snapshot(back)  # still a valid snapshot for the write engine


def test_fetched_at_round_trips_through_the_archived_snapshot(tmp_path: Path) -> None:
    w = Archive(str(tmp_path)).window("betpawa", WINDOW)
    lagos = timezone(timedelta(hours=1))
    t1, t2 = CAPTURED + timedelta(seconds=3, microseconds=7), CAPTURED + timedelta(seconds=41)
    snapshot = build_snapshot("betpawa", CAPTURED, [
        replace(event_odds(1, market(3743, None, "2.40", "3.30", "3.00")), fetched_at=t1.astimezone(lagos)),
        replace(event_odds(2, market(3774, "-0.5", "2.10", "1.70")), fetched_at=t2),
        event_odds(3, market(3774, "-0.5", "2.10", "1.70"))])  # not read from a response: unknown
    w.write_snapshot(snapshot, full_summary())
    back = w.read_snapshot().events
    assert list(back["fetched_at"])[:2] == [pd.Timestamp(t1), pd.Timestamp(t2)]
    assert back["fetched_at"].isna().tolist() == [False, False, True]
    assert str(back["fetched_at"].dt.tz) == "UTC"
    pd.testing.assert_frame_equal(back, snapshot.events)
