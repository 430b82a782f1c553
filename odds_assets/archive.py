"""The snapshot archive: every scrape's raw responses and normalised observations, per bookmaker window.

No Dagster here. The archive is what makes a window re-derivable without the network (backfills,
re-parses after a mapping fix) and what lets scraping go on while the odds database is down: a scrape
is archived *before* anything touches the database.

Layout under ``ODDS_ARCHIVE_URL`` (a local directory, or any fsspec / universal-pathlib URL such as
``s3://bucket/odds``), one folder per bookmaker window, named by the window's start (UTC)::

    <root>/<bookmaker>/<YYYY-MM-DD>/<HH-MM>/
        raw.bin.gz        every RawResponse of the scrape (error records included), gzip-compressed
        raw.json          when and how the scrape ran: captured_at, started_at, finished_at, counts
        events.parquet    the normalised snapshot (odds_assets.snapshot frames), written after parsing;
                          events carry fetched_at, when each event's detail was received (NaT when
                          read from a snapshot archived before that column existed)
        markets.parquet
        summary.json      the scrape's figures (listed, complete, failed, quarantined, coverage ...),
                          a ScrapeSummary as flat JSON keys; written last, so a folder with a
                          summary holds a complete window

``raw.bin.gz`` frames each response as one JSON header line (url, status, content type, fetched_at,
kind, event id, body length) followed by the body bytes and a newline: bodies stay byte-exact (they
are not always JSON) and nothing is base64-inflated before compression.

Every file is written under a temporary name and then moved into place, so a reader never sees half a
file (on object storage a move is a copy, which is atomic per object). Retention works per day folder:
:meth:`Archive.prune` deletes whole days, in step with the rolling start of the Dagster partitions.
"""

from __future__ import annotations

import gzip
import io
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import orjson
import pandas as pd
from upath import UPath

from odds_assets.errors import ArchiveError
from odds_assets.models import RawResponse
from odds_assets.snapshot import EVENT_COLUMNS, FETCHED_AT, MARKET_COLUMNS, Snapshot, fetched_at_column
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

__all__ = ["Archive", "RawArchive", "WindowArchive", "summary_from_json", "summary_to_json"]

# gzip level 3: ~3x faster than the default 9 on JSON bodies for a few percent more bytes; a board
# of 1,000 events is archived inside the scrape's time budget.
_GZIP_LEVEL = 3
_DAY_FMT = "%Y-%m-%d"
_TIME_FMT = "%H-%M"


@dataclass(frozen=True)
class RawArchive:
    """The raw side of one archived scrape: its responses and when it ran."""

    captured_at: datetime
    started_at: datetime
    finished_at: datetime
    responses: list[RawResponse]
    meta: dict[str, Any]


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(timezone.utc)


def summary_to_json(summary: ScrapeSummary, **extra: Any) -> bytes:
    """``summary.json``: the summary as flat keys (the layout every archive has had), plus ``extra``."""
    b, q, ov, t = summary.board, summary.quarantine, summary.overround, summary.timings
    body: dict[str, Any] = {
        "source": summary.source,
        "listed": b.listed, "listing_complete": b.listing_complete, "events_complete": b.events_complete,
        "events_failed": b.events_failed, "failure_reasons": dict(b.failure_reasons),
        "failure_samples": [{"event": f.event, "sr_event_id": f.sr_event_id, "error_type": f.error_type,
                             "reason": f.reason} for f in b.failure_samples],
        "instances_total": b.instances_total, "instances_mapped": b.instances_mapped,
        "mapping_coverage": b.mapping_coverage,
        "events_dropped_invalid": [{"sr_event_id": d.sr_event_id, "field": d.field, "reason": d.reason}
                                   for d in summary.dropped],
        "markets": summary.markets, "outcomes": summary.outcomes,
        "quarantined_outcomes": q.outcomes, "quarantined_markets": q.markets,
        "quarantine_samples": [{"sr_event_id": x.sr_event_id, "market_id": x.market_id, "line": x.line,
                                "outcomes": dict(x.outcomes)} for x in q.samples],
        "price_bounds": list(q.bounds),
        "overround_priced": ov.priced, "overround_out_of_band": ov.out_of_band,
        "overround_out_share": ov.out_share,
        "overround_by_market": {k: {"n": m.n, "median": m.median, "out": m.out} for k, m in ov.by_market.items()},
        "raw_bytes": summary.raw_bytes,
        "scrape_started_at": summary.scrape_started_at.isoformat(),
        "scrape_finished_at": summary.scrape_finished_at.isoformat(),
        "fetch_s": t.fetch_s, "parse_s": t.parse_s, "total_s": t.total_s,
        "captured_at": summary.captured_at.isoformat(),
        **extra,
    }
    return orjson.dumps(body, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)


def summary_from_json(data: bytes) -> ScrapeSummary:
    """Read a ``summary.json`` back (keys added since the first archives default to empty)."""
    s = orjson.loads(data)
    return ScrapeSummary(
        source=s["source"], captured_at=_ts(s["captured_at"]),
        scrape_started_at=_ts(s["scrape_started_at"]), scrape_finished_at=_ts(s["scrape_finished_at"]),
        board=BoardFigures(
            listed=s["listed"], listing_complete=s["listing_complete"], events_complete=s["events_complete"],
            events_failed=s["events_failed"], failure_reasons=s["failure_reasons"],
            failure_samples=tuple(FailureSample(f["event"], f["sr_event_id"], f["error_type"], f["reason"])
                                  for f in s["failure_samples"]),
            instances_total=s["instances_total"], instances_mapped=s["instances_mapped"],
            mapping_coverage=s["mapping_coverage"]),
        dropped=tuple(DroppedEvent(d["sr_event_id"], d["field"], d["reason"])
                      for d in s.get("events_dropped_invalid", ())),
        markets=s["markets"], outcomes=s["outcomes"],
        quarantine=QuarantineFigures(
            outcomes=s["quarantined_outcomes"], markets=s["quarantined_markets"],
            samples=tuple(QuarantineSample(x["sr_event_id"], x["market_id"], x["line"], x["outcomes"])
                          for x in s["quarantine_samples"]),
            bounds=(str(s["price_bounds"][0]), str(s["price_bounds"][1]))),
        overround=OverroundFigures(
            priced=s["overround_priced"], out_of_band=s["overround_out_of_band"],
            out_share=s["overround_out_share"],
            by_market={k: MarketTypeOverround(m["n"], m["median"], m["out"])
                       for k, m in s["overround_by_market"].items()}),
        raw_bytes=s["raw_bytes"],
        timings=Timings(s["fetch_s"], s["parse_s"], s["total_s"]))


def encode_raw(responses: Sequence[RawResponse]) -> bytes:
    """Frame and compress raw responses (see the module docstring)."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=_GZIP_LEVEL, mtime=0) as gz:
        for r in responses:
            header = {"url": r.url, "status": r.status, "content_type": r.content_type,
                      "fetched_at": r.fetched_at.isoformat(), "kind": r.kind,
                      "bookmaker_event_id": r.bookmaker_event_id, "n": len(r.body)}
            gz.write(orjson.dumps(header))
            gz.write(b"\n")
            gz.write(r.body)
            gz.write(b"\n")
    return buf.getvalue()


def decode_raw(data: bytes) -> list[RawResponse]:
    """Inverse of :func:`encode_raw`."""
    plain = gzip.decompress(data)
    out: list[RawResponse] = []
    pos = 0
    while pos < len(plain):
        nl = plain.index(b"\n", pos)
        header = orjson.loads(plain[pos:nl])
        start = nl + 1
        end = start + int(header["n"])
        out.append(RawResponse(url=header["url"], status=int(header["status"]),
                               content_type=header["content_type"], body=plain[start:end],
                               fetched_at=_ts(header["fetched_at"]), kind=header["kind"],
                               bookmaker_event_id=header["bookmaker_event_id"]))
        pos = end + 1
    return out


class WindowArchive:
    """The archive folder of one bookmaker window."""

    def __init__(self, root: UPath, bookmaker: str, window_start: datetime) -> None:
        start = window_start.astimezone(timezone.utc)
        self.bookmaker = bookmaker
        self.window_start = start
        self.path = root / bookmaker / start.strftime(_DAY_FMT) / start.strftime(_TIME_FMT)

    @property
    def url(self) -> str:
        return str(self.path)

    # -- low level -------------------------------------------------------------------------------
    def _write(self, name: str, data: bytes) -> int:
        target = self.path / name
        tmp = self.path / f".{name}.{uuid.uuid4().hex}.tmp"
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as f:
                f.write(data)
            tmp.fs.mv(tmp.path, target.path)
        except OSError as exc:
            raise ArchiveError(f"could not write {name}: {exc}", url=str(target)) from exc
        return len(data)

    def _read(self, name: str) -> bytes:
        target = self.path / name
        try:
            with target.open("rb") as f:
                return f.read()
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise ArchiveError(f"could not read {name}: {exc}", url=str(target)) from exc

    def _exists(self, name: str) -> bool:
        return (self.path / name).exists()

    # -- raw -------------------------------------------------------------------------------------
    def has_raw(self) -> bool:
        return self._exists("raw.json") and self._exists("raw.bin.gz")

    def write_raw(self, responses: Sequence[RawResponse], *, captured_at: datetime, started_at: datetime,
                  finished_at: datetime, extra: dict[str, Any] | None = None) -> int:
        """Archive a scrape's raw responses; returns the compressed bytes written."""
        n = self._write("raw.bin.gz", encode_raw(responses))
        meta = {"bookmaker": self.bookmaker, "window_start": self.window_start.isoformat(),
                "captured_at": captured_at.astimezone(timezone.utc).isoformat(),
                "started_at": started_at.isoformat(), "finished_at": finished_at.isoformat(),
                "responses": len(responses), "raw_bytes": n, **(extra or {})}
        # raw.json last: it is what has_raw() and readers trust
        self._write("raw.json", orjson.dumps(meta, option=orjson.OPT_INDENT_2))
        return n

    def read_raw(self) -> RawArchive:
        """The archived responses; raises FileNotFoundError when the window was never archived."""
        meta = orjson.loads(self._read("raw.json"))
        responses = decode_raw(self._read("raw.bin.gz"))
        return RawArchive(captured_at=_ts(meta["captured_at"]), started_at=_ts(meta["started_at"]),
                          finished_at=_ts(meta["finished_at"]), responses=responses, meta=meta)

    # -- normalised ------------------------------------------------------------------------------
    def write_snapshot(self, snapshot: Snapshot, summary: ScrapeSummary) -> int:
        """Archive the normalised frames and then the summary; returns bytes written."""
        if summary.captured_at != snapshot.captured_at_utc:  # checked before anything is written
            raise ValueError(f"{self.url}: the summary's captured_at {summary.captured_at.isoformat()} is not "
                             f"the snapshot's {snapshot.captured_at_utc.isoformat()}")
        n = 0
        for name, frame in (("events.parquet", snapshot.events), ("markets.parquet", snapshot.markets)):
            buf = io.BytesIO()
            frame.to_parquet(buf, index=False, compression="zstd")
            n += self._write(name, buf.getvalue())
        self._write("summary.json", summary_to_json(summary, bookmaker=self.bookmaker,
                                                    window_start=self.window_start.isoformat(), normalised_bytes=n))
        return n

    def has_snapshot(self) -> bool:
        return self._exists("summary.json")

    def read_summary(self) -> ScrapeSummary:
        return summary_from_json(self._read("summary.json"))

    def read_snapshot(self) -> Snapshot:
        """The normalised snapshot; raises FileNotFoundError when it was never archived."""
        captured_at = _ts(orjson.loads(self._read("summary.json"))["captured_at"])
        events = pd.read_parquet(io.BytesIO(self._read("events.parquet")))
        markets = pd.read_parquet(io.BytesIO(self._read("markets.parquet")))
        # A snapshot archived before fetched_at was recorded reads back with NaT there: when each event
        # was fetched is unknown then (captured_at would claim a precision it never had).
        events = events.reindex(columns=[*EVENT_COLUMNS, FETCHED_AT])
        events["sr_event_id"] = events["sr_event_id"].astype("int64")
        events["kickoff"] = pd.to_datetime(events["kickoff"], utc=True)
        events[FETCHED_AT] = fetched_at_column(events[FETCHED_AT])
        markets = markets.reindex(columns=MARKET_COLUMNS)
        for col in ("sr_event_id", "market_id"):
            markets[col] = markets[col].astype("int64")
        # Parquet gives back None for missing lines in an object column; keep it that way (no NaN)
        markets["line"] = markets["line"].astype(object).where(markets["line"].notna(), None)
        markets["outcomes"] = markets["outcomes"].astype(object)
        return Snapshot(bookmaker=self.bookmaker, captured_at=captured_at, events=events,
                        markets=markets)


class Archive:
    """The archive root (``ODDS_ARCHIVE_URL``)."""

    def __init__(self, url: str, **storage_options: Any) -> None:
        self.url = url
        self.root = UPath(url, **storage_options)

    def window(self, bookmaker: str, window_start: datetime) -> WindowArchive:
        return WindowArchive(self.root, bookmaker, window_start)

    def days(self, bookmaker: str) -> list[date]:
        """Days (UTC) with archived windows for ``bookmaker``, oldest first."""
        base = self.root / bookmaker
        if not base.exists():
            return []
        out = []
        for p in base.iterdir():
            try:
                out.append(datetime.strptime(p.name, _DAY_FMT).date())
            except ValueError:
                continue
        return sorted(out)

    def windows(self, bookmaker: str, day: date) -> list[datetime]:
        """Window starts archived on ``day`` (with a raw archive), oldest first."""
        base = self.root / bookmaker / day.strftime(_DAY_FMT)
        if not base.exists():
            return []
        out = []
        for p in base.iterdir():
            try:
                t = datetime.strptime(f"{day:%Y-%m-%d} {p.name}", f"{_DAY_FMT} {_TIME_FMT}")
            except ValueError:
                continue
            out.append(t.replace(tzinfo=timezone.utc))
        return sorted(out)

    def previous_windows(self, bookmaker: str, before: datetime, *, limit: int = 1) -> Iterator[WindowArchive]:
        """Archived windows of ``bookmaker`` that start before ``before`` and have a snapshot, newest
        first (looks at that day and the day before: enough for 'the previous window' at any cadence)."""
        before = before.astimezone(timezone.utc)
        found = 0
        for day in (before.date(), date.fromordinal(before.date().toordinal() - 1)):
            for start in reversed(self.windows(bookmaker, day)):
                if start >= before:
                    continue
                w = self.window(bookmaker, start)
                if w.has_snapshot():
                    yield w
                    found += 1
                    if found >= limit:
                        return

    def prune(self, before: date) -> list[str]:
        """Delete every day folder older than ``before`` (all bookmakers); returns what was deleted."""
        deleted: list[str] = []
        if not self.root.exists():
            return deleted
        for book_dir in self.root.iterdir():
            if not book_dir.is_dir():
                continue
            for day in self.days(book_dir.name):
                if day < before:
                    target = book_dir / day.strftime(_DAY_FMT)
                    try:
                        target.fs.rm(target.path, recursive=True)
                    except OSError as exc:
                        raise ArchiveError(f"could not delete {target}: {exc}", url=str(target)) from exc
                    deleted.append(str(target))
        return deleted
