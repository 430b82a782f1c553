"""The snapshot archive (``odds_assets.archive``) on a local directory: raw responses (key and delta
frames over many windows of the real captures, byte-exact; what re-deriving a window reads; the gzip
format of older archives; corruption named), the normalised snapshot and its ``summary.json`` (the flat
layout every archive has had), retention."""

from __future__ import annotations

import gzip
import random
import re
import warnings
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar

import fsspec
import orjson
import pandas as pd
import pytest
import zstandard
from fsspec.implementations.local import LocalFileSystem
from upath import UPath

from odds_assets.archive import Archive, decode_raw, encode_raw
from odds_assets.errors import ArchiveCorrupt, is_transient
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


# --- raw responses: key and delta frames ------------------------------------------------------------
# The bodies are the real captures, drifting window by window; what is read back is compared with what
# was written, byte for byte, and sizes with gzip's of the same bodies.

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "real"
DECIMAL = re.compile(rb"\d+\.\d+")
MIN = timedelta(minutes=1)
SLACK = 32 * 1024


def capture(book: str) -> bytes:
    return (REAL / f"{book}_event_sr68995116.json").read_bytes()


def nudged(body: bytes, rng: random.Random, share: float) -> bytes:
    """The body with about ``share`` of its decimal numbers changed in their last digit."""
    def one(m: re.Match[bytes]) -> bytes:
        if rng.random() >= share:
            return m.group()
        text = bytearray(m.group())
        text[-1] = ord("0") + (text[-1] - ord("0") + rng.randint(1, 9)) % 10
        return bytes(text)
    return DECIMAL.sub(one, body)


def detail(event: str, body: bytes, at: datetime, book: str = "betpawa") -> RawResponse:
    return RawResponse(f"https://{book}.test/api/event/{event}", 200, "application/json; charset=utf-8", body,
                       at + timedelta(seconds=3, microseconds=int(event[1:]) * 1001), "detail", event)


def listing(at: datetime, book: str = "betpawa") -> RawResponse:
    return RawResponse(f"https://{book}.test/api/events?page=1", 200, "application/json",
                       orjson.dumps({"events": ["e0", "e1", "e2"], "at": at.isoformat()}), at, "listing")


class Drifting:
    """Three events of one book — the three real captures — whose bodies drift window by window, each at
    its own rate (a share of its decimals changed per window), so their keys renew at different times."""

    def __init__(self, rates: tuple[float, ...] = (0.002, 0.02, 0.08), seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.rates = rates
        self.bodies = [capture(b) for b in ("betpawa", "sportybet", "bet9ja")][:len(rates)]

    def next(self, at: datetime) -> list[RawResponse]:
        self.bodies = [nudged(b, self.rng, r) for b, r in zip(self.bodies, self.rates, strict=True)]
        return [listing(at), *(detail(f"e{i}", b, at) for i, b in enumerate(self.bodies))]


def write_windows(archive: Archive, start: datetime, n: int, drift: Drifting,
                  book: str = "betpawa") -> dict[datetime, list[RawResponse]]:
    written = {}
    for i in range(n):
        t = start + i * MIN
        written[t] = drift.next(t)
        archive.window(book, t).write_raw(written[t], captured_at=t, started_at=t, finished_at=t + MIN / 2)
    return written


def raw_meta(archive: Archive, book: str, t: datetime) -> dict:
    return orjson.loads((archive.window(book, t).path / "raw.json").read_bytes())


def test_key_and_delta_bodies_round_trip_byte_exact_over_many_windows(tmp_path: Path) -> None:
    archive = Archive(str(tmp_path))
    written = write_windows(archive, WINDOW, 40, Drifting())
    for t, responses in written.items():
        back = Archive(str(tmp_path)).window("betpawa", t).read_raw()  # a fresh reader, as a backfill run
        assert back.responses == responses, t
        assert back.captured_at == t and back.finished_at == t + MIN / 2
    metas = [raw_meta(archive, "betpawa", t) for t in written]
    assert metas[0]["keys"] == 3 and metas[0]["deltas"] == 0  # nothing earlier that day
    assert sum(m["deltas"] for m in metas) > 80  # most bodies are deltas ...
    assert sum(m["keys"] for m in metas) > 3  # ... and a key was renewed as its event drifted away
    assert metas[-1]["keys"] + metas[-1]["deltas"] == 3
    # the whole point: far fewer bytes than gzip level 3 (the previous format) of the same bodies
    stored = sum((archive.window("betpawa", t).path / "raw.zst").stat().st_size for t in written)
    gzipped = sum(len(gzip.compress(r.body, compresslevel=3)) for rs in written.values() for r in rs)
    assert stored * 10 < gzipped, (stored, gzipped)
    assert [m["raw_bytes"] for m in metas] == [(archive.window("betpawa", t).path / "raw.zst").stat().st_size
                                               for t in written]


class CountingFileSystem(LocalFileSystem):
    """The local file system, noting every read: (path, start, end); a whole-file read has no range."""

    protocol = ("counting",)
    reads: ClassVar[list[tuple[str, int | None, int | None]]] = []
    _ranged = False

    def cat_file(self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any) -> bytes:
        CountingFileSystem.reads.append((path, start, end))
        self._ranged = True
        try:
            return super().cat_file(path, start, end, **kwargs)
        finally:
            self._ranged = False

    def _open(self, path: str, mode: str = "rb", *args: Any, **kwargs: Any) -> Any:
        if "r" in mode and not self._ranged:
            CountingFileSystem.reads.append((path, None, None))
        return super()._open(path, mode, *args, **kwargs)


@pytest.fixture
def counting_archive(tmp_path: Path) -> Iterator[Archive]:
    fsspec.register_implementation("counting", CountingFileSystem, clobber=True)
    CountingFileSystem.reads.clear()
    with warnings.catch_warnings():  # universal-pathlib's note on a file system it has no class for
        warnings.simplefilter("ignore", UserWarning)
        yield Archive(f"counting://{tmp_path}")


def test_rederiving_a_window_reads_its_file_and_at_most_one_key_per_event(counting_archive: Archive,
                                                                          tmp_path: Path) -> None:
    archive = counting_archive
    drift = Drifting(rates=(0.01, 0.03, 0.06))
    written = write_windows(archive, WINDOW, 30, drift)
    day = tmp_path / "betpawa" / WINDOW.strftime("%Y-%m-%d")
    # an upper bound of any key frame of an event: its largest body at zstd level 1
    bound = [max(len(zstandard.ZstdCompressor(level=1).compress(rs[1 + i].body)) for rs in written.values())
             for i in range(3)]
    for t in (WINDOW + 17 * MIN, WINDOW + 29 * MIN):
        CountingFileSystem.reads.clear()
        w = archive.window("betpawa", t)
        assert w.read_raw().responses == written[t]
        own = {(p, s, e) for p, s, e in CountingFileSystem.reads if p.startswith(f"{day}/{t:%H-%M}/")}
        assert sorted(Path(p).name for p, s, e in own) == ["raw.json", "raw.zst"]
        assert all(s is None and e is None for _, s, e in own)  # each read once, whole
        others = [(p, s, e) for p, s, e in CountingFileSystem.reads if (p, s, e) not in own]
        # other windows: only key frames, by ranged reads, at most one per event
        assert all(Path(p).name == "raw.zst" and s is not None and e is not None for p, s, e in others), others
        assert len(others) <= 3
        # (a read of two keys of one window may take the few small frames between them along: SLACK)
        assert sum(e - s for _, s, e in others if s is not None and e is not None) <= sum(bound) + SLACK

    # writing a window reads the previous window's raw.json and index, and at most one key frame per event
    CountingFileSystem.reads.clear()
    t = WINDOW + 30 * MIN
    archive.window("betpawa", t).write_raw(drift.next(t), captured_at=t, started_at=t, finished_at=t)
    reads = CountingFileSystem.reads
    assert all(Path(p).parent.name < f"{t:%H-%M}" for p, _, _ in reads)
    previous = [r for r in reads if Path(r[0]).parent.name == f"{t - MIN:%H-%M}"]
    assert (f"{day}/{t - MIN:%H-%M}/raw.json", None, None) in previous
    ranged = [(p, s, e) for p, s, e in reads if s is not None and e is not None]
    assert len(ranged) == len(reads) - 1 <= 1 + 3  # the index, then key frames grouped per window
    assert sum(e - s for _, s, e in ranged) <= sum(bound) + SLACK


def test_pruning_a_day_keeps_every_key_the_kept_windows_need(tmp_path: Path) -> None:
    """Windows from 23:55 to 00:09: the first window of a day holds keys only (a delta never reaches back
    into another day), so deleting the day before leaves every kept window readable, byte-exact."""
    archive = Archive(str(tmp_path))
    midnight = datetime(2026, 11, 25, tzinfo=timezone.utc)
    written = write_windows(archive, midnight - 5 * MIN, 15, Drifting(rates=(0.001, 0.005, 0.01)))
    assert raw_meta(archive, "betpawa", midnight - MIN)["deltas"] == 3  # a run going on before midnight ...
    first = raw_meta(archive, "betpawa", midnight)
    assert (first["keys"], first["deltas"], first["previous"]) == (3, 0, None)  # ... is not continued after
    pruned = archive.prune(midnight.date())
    assert len(pruned) == 1 and archive.days("betpawa") == [midnight.date()]
    kept = [t for t in written if t >= midnight]
    assert len(kept) == 10
    for t in kept:
        assert archive.window("betpawa", t).read_raw().responses == written[t]
    assert sum(raw_meta(archive, "betpawa", t)["deltas"] for t in kept) >= 20


def write_gzip_window(folder: UPath, responses: list[RawResponse], t: datetime) -> None:
    """A window as the archive wrote it before raw.zst: raw.bin.gz framing each response as a JSON header
    line and its body (gzip level 3), and a raw.json with no format."""
    plain = b"".join(orjson.dumps({"url": r.url, "status": r.status, "content_type": r.content_type,
                                   "fetched_at": r.fetched_at.isoformat(), "kind": r.kind,
                                   "bookmaker_event_id": r.bookmaker_event_id, "n": len(r.body)})
                     + b"\n" + r.body + b"\n" for r in responses)
    folder.mkdir(parents=True)
    (folder / "raw.bin.gz").write_bytes(gzip.compress(plain, compresslevel=3))
    (folder / "raw.json").write_bytes(orjson.dumps({
        "bookmaker": "betpawa", "window_start": t.isoformat(), "captured_at": t.isoformat(),
        "started_at": t.isoformat(), "finished_at": t.isoformat(), "responses": len(responses),
        "raw_bytes": (folder / "raw.bin.gz").stat().st_size}))


def test_a_window_archived_in_the_gzip_format_is_read_as_it_is(tmp_path: Path) -> None:
    archive = Archive(str(tmp_path))
    drift = Drifting()
    old = drift.next(WINDOW)
    old.append(RawResponse("https://betpawa.test/api/event/e9", 0, "application/vnd.odds-assets.error+json",
                           b'{"stage":"detail","error_type":"BookmakerUnavailable"}', WINDOW, "error", "e9"))
    write_gzip_window(archive.window("betpawa", WINDOW).path, old, WINDOW)
    w = archive.window("betpawa", WINDOW)
    assert w.has_raw()
    back = w.read_raw()
    assert back.responses == old and back.captured_at == WINDOW and "format" not in back.meta
    # the next window is written in the new format, from key bodies (the gzip window has none)
    t = WINDOW + MIN
    new = drift.next(t)
    archive.window("betpawa", t).write_raw(new, captured_at=t, started_at=t, finished_at=t)
    assert (raw_meta(archive, "betpawa", t)["keys"], raw_meta(archive, "betpawa", t)["format"]) == (3, "zstd-delta-1")
    assert archive.window("betpawa", t).read_raw().responses == new
    assert archive.window("betpawa", WINDOW).read_raw().responses == old  # not rewritten


def test_failed_fetches_listings_and_other_bodies_round_trip_as_before(tmp_path: Path) -> None:
    """Everything a board archives besides event details — listings, Bet9ja's sport tree, error records,
    non-JSON and empty bodies, details without an event id — is kept as it came, beside the key and
    delta frames; an event fetched twice in one window keeps both answers."""
    archive = Archive(str(tmp_path))
    big = capture("bet9ja")
    for i, t in enumerate((WINDOW, WINDOW + MIN, WINDOW + 2 * MIN)):
        body = big.replace(b'"R":"OK"', b'"R":"OK%d"' % i)
        responses = [
            RawResponse("https://bet9ja.test/sports", 200, "application/json", b'{"D": {"S": []}}', t, "sports"),
            listing(t, "bet9ja"),
            detail("e1", body, t, "bet9ja"),
            RawResponse("https://bet9ja.test/api/event/e2", 0, "application/vnd.odds-assets.error+json",
                        orjson.dumps({"stage": "detail", "error_type": "UnexpectedPayload",
                                      "reason": "body is not JSON", "bookmaker_event_id": "e2"}), t, "error", "e2"),
            RawResponse("https://bet9ja.test/api/event/e3", 200, "text/html", b"<html>\n\x00\xff" * 200, t,
                        "detail", "e3"),  # not JSON, and framed like a detail: stored against its own key
            RawResponse("https://bet9ja.test/api/event/e4", 200, "application/json", b"", t, "detail", "e4"),
            RawResponse("https://bet9ja.test/api/event/x", 200, "application/json", body[:5000], t, "detail"),
            detail("e1", body.replace(b'"1.09"', b'"1.11"'), t + timedelta(seconds=20), "bet9ja"),  # re-fetched
        ]
        archive.window("bet9ja", t).write_raw(responses, captured_at=t, started_at=t, finished_at=t)
        assert archive.window("bet9ja", t).read_raw().responses == responses
        meta = raw_meta(archive, "bet9ja", t)
        # frames only for the event details (e1 twice, e3); the rest sits in the index frame
        assert meta["keys"] + meta["deltas"] == 3
        assert (meta["keys"], meta["deltas"]) == ((2, 1) if i == 0 else (0, 3))


def flip(path: UPath, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


def test_a_corrupt_delta_names_the_book_window_and_event(tmp_path: Path) -> None:
    archive = Archive(str(tmp_path))
    drift = Drifting(rates=(0.01, 0.01, 0.01))
    write_windows(archive, WINDOW, 3, drift)  # 10:05 keys, 10:06 and 10:07 deltas against them
    assert [raw_meta(archive, "betpawa", WINDOW + i * MIN)["deltas"] for i in range(3)] == [0, 3, 3]
    second = archive.window("betpawa", WINDOW + MIN)
    flip(second.path / "raw.zst", 20)  # inside e0's delta, the window's first frame
    with pytest.raises(ArchiveCorrupt) as caught:
        second.read_raw()
    message = str(caught.value)
    assert "betpawa window 2026-11-24 10:06 UTC event e0" in message and "raw.zst" in message, message
    assert caught.value.event_id == "e0" and caught.value.bookmaker == "betpawa"
    assert not is_transient(caught.value)  # reading it again gives the same answer
    # e0's key damaged: every window built on it names e0; the next window written gives e0 a new key
    flip(archive.window("betpawa", WINDOW).path / "raw.zst", 20)
    with pytest.raises(ArchiveCorrupt, match="10:07 UTC event e0: body unreadable"):
        archive.window("betpawa", WINDOW + 2 * MIN).read_raw()
    t = WINDOW + 3 * MIN
    responses = drift.next(t)
    archive.window("betpawa", t).write_raw(responses, captured_at=t, started_at=t, finished_at=t)
    assert (raw_meta(archive, "betpawa", t)["keys"], raw_meta(archive, "betpawa", t)["deltas"]) == (1, 2)
    assert archive.window("betpawa", t).read_raw().responses == responses
    # key bodies that are gone: the windows depending on them say which event and which key window
    (archive.window("betpawa", WINDOW).path / "raw.zst").unlink()
    with pytest.raises(ArchiveCorrupt, match=r"10:08 UTC event e[12]: its key body in window 10-05 is missing"):
        archive.window("betpawa", t).read_raw()
