"""The snapshot archive: every scrape's raw responses and normalised observations, per bookmaker window.

No Dagster here. The archive is what makes a window re-derivable without the network (backfills,
re-parses after a mapping fix) and what lets scraping go on while the odds database is down: a scrape
is archived *before* anything touches the database.

Layout under ``ODDS_ARCHIVE_URL`` (a local directory, or any fsspec / universal-pathlib URL such as
``s3://bucket/odds``), one folder per bookmaker window, named by the window's start (UTC)::

    <root>/<bookmaker>/<YYYY-MM-DD>/<HH-MM>/
        raw.zst           every RawResponse of the scrape (error records included), zstd frames: event
                          details as key or delta frames, the rest in the index frame (below)
        raw.json          when and how the scrape ran: captured_at, started_at, finished_at, counts,
                          the format and where the index frame is; written last
        events.parquet    the normalised snapshot (odds_assets.snapshot frames), written after parsing;
                          events carry fetched_at, when each event's detail was received (NaT when
                          read from a snapshot archived before that column existed)
        markets.parquet
        summary.json      the scrape's figures (listed, complete, failed, quarantined, coverage ...),
                          a ScrapeSummary as flat JSON keys; written last, so a folder with a
                          summary holds a complete window

**Raw responses: key and delta frames.** Between two scrapes a book changes a few prices in a body of
200-300 KB, so each event detail is stored against the *key body* of the same event and book: zstd with
the key as a raw-content dictionary (0.1-1 KB where gzip needs ~40 KB). ``raw.zst`` is a run
of independent zstd frames (each with its checksum):

- a *key* frame: a detail body compressed alone (zstd level 9);
- a *delta* frame: a detail body compressed with its event's key body as the dictionary; its index
  entry names the key frame as (window ``HH-MM`` of the same day, offset, length);
- last, the *index* frame: one JSON line (per response, in order: url, status, content type,
  fetched_at, kind, event id, length, and where its body is) followed by the bodies that are not event
  details (listings, sport trees, error records, details without an event id), which stay byte-exact
  whatever they are (JSON or not). ``raw.json`` says where it is (``index``: offset, length).

A delta is always against a key body, never against another delta, so re-deriving any window reads its
own ``raw.zst`` and, per event, at most one key frame of an earlier window (ranged reads, grouped per
window). The writer (:meth:`WindowArchive.write_raw`) reads the previous archived window's index and the
key frames it names once per window, and writes a new key for an event when:

- the previous window of the same UTC day has no body of the event (first window of the day, the event
  is new or failed last time, the previous window is unreadable or in the gzip format), or
- the delta is larger than the run's average cost per body so far: (key + deltas since) / bodies. With
  deltas growing as prices drift from the key, this renews the key near the run length that minimises
  bytes per window (sqrt(2 key / growth per window)); a delta as large as the key always renews.

A key is never referenced from another day, so every day folder is self-contained and retention, which
deletes whole days (:meth:`Archive.prune`), never deletes a key body that a kept window needs. Archives
written before (``raw.bin.gz``: each response as a JSON header line and its body, gzip level 3, and no
``format`` in ``raw.json``) are read as they are, not migrated (:func:`decode_raw`); the writer starts
with key bodies after one.

Every file is written under a temporary name and then moved into place, so a reader never sees half a
file (on object storage a move is a copy, which is atomic per object).
"""

from __future__ import annotations

import gzip
import io
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import orjson
import pandas as pd
import zstandard
from upath import UPath

from odds_assets.errors import ArchiveCorrupt, ArchiveError
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

__all__ = ["RAW_FORMAT", "Archive", "RawArchive", "WindowArchive", "decode_raw", "encode_raw", "summary_from_json",
           "summary_to_json"]

# gzip level 3 (the format before raw.zst, kept as the benchmark's baseline): ~3x faster than the
# default 9 on JSON bodies for a few percent more bytes.
_GZIP_LEVEL = 3
_DAY_FMT = "%Y-%m-%d"
_TIME_FMT = "%H-%M"

#: ``raw.json``'s ``format`` for raw.zst; no ``format`` = raw.bin.gz (gzip)
RAW_FORMAT = "zstd-delta-1"
_RAW_ZST = "raw.zst"
_RAW_GZ = "raw.bin.gz"
# zstd levels, measured on the real captures (benchmarks/archive.py, 20 events a book, 1 % of the prices
# changed per minute): level-9 keys are 23-37 KB at 2.4-3.9 ms a body, 10-17 % smaller than level 3's
# (0.5 ms), which makes 2 % fewer bytes per window at a 1-minute cadence and 5 % at 5 minutes; their CPU is
# paid once per run of ~25-90 windows, except in a day's first window (every event's key: ~2x what gzip
# level 3 of the same bodies costs). Level-6 deltas save 4 % of the bytes for twice the CPU of the whole
# write. Level 1 does not use a raw-content dictionary this large (its "delta" is as large as a key).
_KEY_LEVEL = 9
_DELTA_LEVEL = 3
_INDEX_LEVEL = 3
#: details shorter than this stay in the index frame (a dictionary buys nothing on them)
_MIN_FRAME_BODY = 512
#: earlier window folders of the day looked at for the previous archived window (failed scrapes leave
#: folders without raw.json)
_PREVIOUS_LOOKBACK = 5
#: ranged reads of key frames closer than this are merged into one read
_READ_GAP = 16 * 1024


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
    """``raw.bin.gz``, the format before raw.zst: each response as a JSON header line (url, status,
    content type, fetched_at, kind, event id, body length), its body and a newline, gzip level 3. Kept
    as the benchmark's baseline and as the definition of what :func:`decode_raw` reads."""
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
    """Inverse of :func:`encode_raw`: the raw responses of a window archived before raw.zst."""
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


@dataclass(frozen=True, slots=True)
class _KeyRef:
    """Where a key frame is: a window folder of the same day (``HH-MM``), offset and length in its raw.zst."""

    window: str
    offset: int
    length: int

    @classmethod
    def of(cls, value: Any) -> _KeyRef:
        window, offset, length = value
        if not isinstance(window, str) or not _is_window_name(window):  # a folder of the same day only
            raise ValueError(f"not a window of the day: {window!r}")
        return cls(window, int(offset), int(length))


@dataclass(frozen=True, slots=True)
class _Run:
    """An event's current key and what its run has cost: bodies stored against it (the key's own
    included) and the bytes of its deltas so far."""

    ref: _KeyRef
    frame: bytes
    bodies: int
    delta_bytes: int

    def renew(self, delta: int) -> bool:
        """A new key pays off: the delta costs more than the run's average per body so far."""
        return delta >= self.ref.length or delta * self.bodies > self.ref.length + self.delta_bytes


@dataclass(frozen=True, slots=True)
class _RawStats:
    """How a window's raw responses were stored (``raw.json`` keeps them)."""

    keys: int
    deltas: int
    key_bytes: int
    delta_bytes: int
    index_bytes: int


def _is_framed(r: RawResponse) -> bool:
    return r.kind == "detail" and r.bookmaker_event_id is not None and len(r.body) >= _MIN_FRAME_BODY


def _is_window_name(name: str) -> bool:
    try:
        datetime.strptime(name, _TIME_FMT)
    except ValueError:
        return False
    return True


def _raw_dict(key: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(key, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


def _decompress_key(frame: bytes) -> bytes:
    """A key frame's body."""
    return zstandard.ZstdDecompressor().decompress(frame)


def _decompress_delta(frame: bytes, key: bytes) -> bytes:
    """A delta frame's body, given its key body."""
    return zstandard.ZstdDecompressor(dict_data=_raw_dict(key)).decompress(frame)


def _key_body(run: _Run | None) -> bytes | None:
    """The run's key body; None when there is no run or its key frame does not decode (checksum): a
    damaged key is never referenced again, the event gets a new one."""
    if run is None:
        return None
    try:
        return _decompress_key(run.frame)
    except zstandard.ZstdError:
        return None


def _encode_window(responses: Sequence[RawResponse], window: str, runs: dict[str, _Run]
                  ) -> tuple[bytes, _RawStats]:
    """``raw.zst`` of window ``window`` (``HH-MM``), given each event's run before it (``runs`` is
    updated to the runs after it); see the module docstring."""
    key_cctx = zstandard.ZstdCompressor(level=_KEY_LEVEL, write_checksum=True)
    out = bytearray()
    rest = bytearray()
    entries: list[dict[str, Any]] = []
    keys = deltas = key_bytes = delta_bytes = 0
    for r in responses:
        entry: dict[str, Any] = {"url": r.url, "status": r.status, "type": r.content_type,
                                 "at": r.fetched_at.isoformat(), "kind": r.kind, "event": r.bookmaker_event_id,
                                 "n": len(r.body)}
        entries.append(entry)
        event = r.bookmaker_event_id
        if event is None or not _is_framed(r):
            entry["rest"] = len(rest)
            rest += r.body
            continue
        run = runs.get(event)
        key = _key_body(run)
        if run is not None and key is not None:
            cctx = zstandard.ZstdCompressor(level=_DELTA_LEVEL, write_checksum=True, write_dict_id=False,
                                            dict_data=_raw_dict(key))
            delta = cctx.compress(r.body)
            if not run.renew(len(delta)):
                entry["delta"] = [len(out), len(delta)]
                entry["key"] = [run.ref.window, run.ref.offset, run.ref.length]
                entry["run"] = [run.bodies + 1, run.delta_bytes + len(delta)]
                runs[event] = _Run(run.ref, run.frame, run.bodies + 1, run.delta_bytes + len(delta))
                out += delta
                deltas += 1
                delta_bytes += len(delta)
                continue
        frame = key_cctx.compress(r.body)
        ref = _KeyRef(window, len(out), len(frame))
        entry["key"] = [ref.window, ref.offset, ref.length]
        entry["run"] = [1, 0]
        runs[event] = _Run(ref, frame, 1, 0)
        out += frame
        keys += 1
        key_bytes += len(frame)
    index = zstandard.ZstdCompressor(level=_INDEX_LEVEL, write_checksum=True).compress(
        orjson.dumps(entries) + b"\n" + bytes(rest))
    stats = _RawStats(keys=keys, deltas=deltas, key_bytes=key_bytes, delta_bytes=delta_bytes,
                     index_bytes=len(index))
    return bytes(out + index), stats


def _read_index(frame: bytes) -> tuple[list[dict[str, Any]], bytes]:
    """The index frame's entries and the bodies kept in it."""
    plain = zstandard.ZstdDecompressor().decompress(frame)
    nl = plain.index(b"\n")
    entries = orjson.loads(plain[:nl])
    if not isinstance(entries, list):
        raise ValueError("the index is not a list of entries")
    return entries, plain[nl + 1:]


def _index_runs(entries: Iterable[dict[str, Any]], events: set[str]) -> dict[str, tuple[_KeyRef, int, int]]:
    """Per event of ``events``, its run after a window with these index entries: (key, bodies,
    delta bytes); the last body of an event wins."""
    out: dict[str, tuple[_KeyRef, int, int]] = {}
    for e in entries:
        event = e.get("event")
        if event in events and "key" in e:
            bodies, delta_bytes = e["run"]
            out[event] = (_KeyRef.of(e["key"]), int(bodies), int(delta_bytes))
    return out


def _merge_spans(refs: Iterable[_KeyRef]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for start, end in sorted((r.offset, r.offset + r.length) for r in refs):
        if spans and start - spans[-1][1] <= _READ_GAP:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


class WindowArchive:
    """The archive folder of one bookmaker window."""

    def __init__(self, root: UPath, bookmaker: str, window_start: datetime) -> None:
        start = window_start.astimezone(timezone.utc)
        self.bookmaker = bookmaker
        self.window_start = start
        self.name = start.strftime(_TIME_FMT)
        self.path = root / bookmaker / start.strftime(_DAY_FMT) / self.name

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
        return self._exists("raw.json") and (self._exists(_RAW_ZST) or self._exists(_RAW_GZ))

    def write_raw(self, responses: Sequence[RawResponse], *, captured_at: datetime, started_at: datetime,
                  finished_at: datetime, extra: dict[str, Any] | None = None) -> int:
        """Archive a scrape's raw responses; returns the compressed bytes written (all of raw.zst)."""
        runs, previous = self._previous_runs({r.bookmaker_event_id for r in responses
                                              if r.bookmaker_event_id is not None and _is_framed(r)})
        data, stats = _encode_window(responses, self.name, runs)
        n = self._write(_RAW_ZST, data)
        meta = {"bookmaker": self.bookmaker, "window_start": self.window_start.isoformat(),
                "captured_at": captured_at.astimezone(timezone.utc).isoformat(),
                "started_at": started_at.isoformat(), "finished_at": finished_at.isoformat(),
                "responses": len(responses), "raw_bytes": n, "format": RAW_FORMAT,
                "index": [n - stats.index_bytes, stats.index_bytes], "previous": previous,
                "keys": stats.keys, "deltas": stats.deltas, "key_bytes": stats.key_bytes,
                "delta_bytes": stats.delta_bytes, **(extra or {})}
        # raw.json last: it is what has_raw() and readers trust
        self._write("raw.json", orjson.dumps(meta, option=orjson.OPT_INDENT_2))
        return n

    def read_raw(self) -> RawArchive:
        """The archived responses; raises FileNotFoundError when the window was never archived and
        :class:`~odds_assets.errors.ArchiveCorrupt` when they do not decode."""
        meta = orjson.loads(self._read("raw.json"))
        fmt = meta.get("format")
        if fmt is None:  # archived before raw.zst
            responses = decode_raw(self._read(_RAW_GZ))
        elif fmt == RAW_FORMAT:
            responses = self._read_zst(meta)
        else:
            raise self._corrupt(f"raw.json names an unknown format {fmt!r}", "raw.json")
        return RawArchive(captured_at=_ts(meta["captured_at"]), started_at=_ts(meta["started_at"]),
                          finished_at=_ts(meta["finished_at"]), responses=responses, meta=meta)

    def _corrupt(self, message: str, name: str, event_id: str | None = None) -> ArchiveCorrupt:
        return ArchiveCorrupt(message, url=str(self.path / name), bookmaker=self.bookmaker,
                              window_start=self.window_start, event_id=event_id)

    def _read_zst(self, meta: dict[str, Any]) -> list[RawResponse]:
        data = self._read(_RAW_ZST)
        try:
            offset, length = (int(x) for x in meta["index"])
            entries, rest = _read_index(data[offset:offset + length])
        except (ValueError, TypeError, KeyError, zstandard.ZstdError) as exc:
            raise self._corrupt(f"index frame unreadable: {type(exc).__name__}: {exc}", _RAW_ZST) from exc
        # key frames of earlier windows: one ranged read per window (merged), before any body is decoded
        wanted: dict[_KeyRef, str] = {}
        for e in entries:
            if "delta" in e:
                try:
                    ref = _KeyRef.of(e["key"])
                except (ValueError, TypeError) as exc:
                    raise self._corrupt(f"bad key reference {e.get('key')!r}", _RAW_ZST, e.get("event")) from exc
                if ref.window != self.name:
                    wanted.setdefault(ref, str(e.get("event")))
        frames, missing = self._read_key_frames(wanted)
        for ref, needed_by in wanted.items():
            if ref.window in missing:
                raise self._corrupt(f"its key body in window {ref.window} is missing", _RAW_ZST, needed_by)
        out: list[RawResponse] = []
        for e in entries:
            event = e.get("event")
            try:
                body = self._entry_body(e, data, rest, frames)
                n = int(e["n"])
                header = (e["url"], int(e["status"]), e["type"], _ts(e["at"]), e["kind"])
            except (ValueError, TypeError, KeyError, zstandard.ZstdError) as exc:
                raise self._corrupt(f"body unreadable: {type(exc).__name__}: {exc}", _RAW_ZST, event) from exc
            if len(body) != n:
                raise self._corrupt(f"body of {len(body)} bytes, the index says {n}", _RAW_ZST, event)
            url, status, content_type, fetched_at, kind = header
            out.append(RawResponse(url=url, status=status, content_type=content_type, body=body,
                                   fetched_at=fetched_at, kind=kind, bookmaker_event_id=event))
        return out

    def _entry_body(self, e: dict[str, Any], data: bytes, rest: bytes, frames: dict[_KeyRef, bytes]) -> bytes:
        if "rest" in e:
            start = int(e["rest"])
            return rest[start:start + int(e["n"])]
        ref = _KeyRef.of(e["key"])
        key_frame = frames[ref] if ref.window != self.name else data[ref.offset:ref.offset + ref.length]
        key = _decompress_key(key_frame)
        if "delta" not in e:
            return key
        offset, length = (int(x) for x in e["delta"])
        return _decompress_delta(data[offset:offset + length], key)

    def _read_key_frames(self, refs: Iterable[_KeyRef]) -> tuple[dict[_KeyRef, bytes], set[str]]:
        """Key frames of other windows of the day, one ranged read per window (nearby frames merged),
        and the windows whose raw.zst is missing."""
        by_window: dict[str, list[_KeyRef]] = {}
        for ref in refs:
            by_window.setdefault(ref.window, []).append(ref)
        out: dict[_KeyRef, bytes] = {}
        missing: set[str] = set()
        for window, wanted in sorted(by_window.items()):
            target = self.path.parent / window / _RAW_ZST
            spans = _merge_spans(wanted)
            try:
                blobs = target.fs.cat_ranges([target.path] * len(spans), [a for a, _ in spans],
                                             [b for _, b in spans], on_error="raise")
            except FileNotFoundError:
                missing.add(window)
                continue
            except OSError as exc:
                raise ArchiveError(f"could not read key frames: {exc}", url=str(target)) from exc
            for ref in wanted:
                for (start, end), blob in zip(spans, blobs, strict=True):
                    if start <= ref.offset and ref.offset + ref.length <= end:
                        out[ref] = bytes(blob[ref.offset - start:ref.offset - start + ref.length])
                        break
        return out, missing

    def _previous_runs(self, events: set[str]) -> tuple[dict[str, _Run], str | None]:
        """Each event's run after the latest earlier archived window of the same day, with its key
        frame read (once per window, grouped); empty when there is none. Anything unreadable there
        only costs key bodies here: an archived window never fails because an older one is damaged."""
        if not events:
            return {}, None
        try:
            names = sorted((p.name for p in self.path.parent.iterdir() if _is_window_name(p.name)
                            and p.name < self.name), reverse=True)
        except OSError:  # no folder for the day yet (local: FileNotFoundError; fsspec: NotADirectoryError)
            return {}, None
        for name in names[:_PREVIOUS_LOOKBACK]:
            folder = self.path.parent / name
            try:
                meta = orjson.loads((folder / "raw.json").read_bytes())
            except (OSError, ValueError):
                continue  # a scrape that failed before archiving, or a damaged folder: an earlier one will do
            if meta.get("format") != RAW_FORMAT:
                return {}, None
            try:
                offset, length = (int(x) for x in meta["index"])
                blob = (folder / _RAW_ZST).fs.cat_file((folder / _RAW_ZST).path, offset, offset + length)
                found = _index_runs(_read_index(bytes(blob))[0], events)
                frames, _ = self._read_key_frames(ref for ref, _, _ in found.values())
            except (OSError, ArchiveError, ValueError, TypeError, KeyError, zstandard.ZstdError):
                return {}, None
            runs: dict[str, _Run] = {}
            for event, (ref, bodies, delta_bytes) in found.items():
                frame = frames.get(ref)
                if frame is not None:
                    runs[event] = _Run(ref, frame, bodies, delta_bytes)
            return runs, name
        return {}, None

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
        """Delete every day folder older than ``before`` (all bookmakers); returns what was deleted. A
        delta's key body is always in its own day folder, so every kept window stays readable."""
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
