"""Archive benchmark: a window's raw event details stored as before (gzip level 3, ``raw.bin.gz``) and as
key + delta frames (``raw.zst``, ``odds_assets.archive``), on the real captures, in one process.

Each book's real capture in ``../shared/fixtures/real`` is copied into --events events per book, each
with its own prices (30 % of them moved, seeded), then --windows windows of --cadence minutes are
scraped: every minute 1 % of each body's prices change (--change), in the JSON text (a price moves by
1-3 ticks, written as the book writes it). Per window and book, alternately:

  gzip   ``encode_raw`` (the format before raw.zst: a JSON header line and the body per response,
         gzip level 3) and the file written, as ``write_raw`` did;
  delta  ``WindowArchive.write_raw`` on a fresh ``Archive`` (each scrape is a new run process): it reads
         the previous window's index and the key frames it names, compresses, writes raw.zst and
         raw.json.

Both are timed in CPU seconds of this process (``time.process_time``), so disk waits do not count.
Then every delta window is read back (``read_raw``) and compared byte for byte with what was written,
and timed against reading the gzip file back. Figures are per window (all books, --events each),
averaged over all windows, the first (all keys) included:

    RESULT gzip_bytes=… delta_bytes=… ratio=… gzip_ms=… delta_ms=…

Targets (issue [window-cost]): delta_bytes <= gzip_bytes / 20 (aim / 100), delta_ms <= gzip_ms.
Run: .venv/bin/python benchmarks/archive.py [--events 20 --windows 60 --cadence 1 --change 0.01]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from odds_assets.archive import Archive, decode_raw, encode_raw
from odds_assets.models import BOOKMAKERS, RawResponse

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "real"
T0 = datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc)
#: a price in each book's detail body, as the book writes it (BetPawa a JSON number, SportyBet a
#: string under "odds", Bet9ja a string under an "S_…" selection key)
PRICE = {
    "betpawa": re.compile(rb'("price":)(\d+(?:\.\d+)?)'),
    "sportybet": re.compile(rb'("odds":")(\d+(?:\.\d+)?)'),
    "bet9ja": re.compile(rb'("S_[^"]+":")(\d+(?:\.\d+)?)'),
}


@dataclass
class Body:
    """One event's detail body as text pieces around its prices, so a price changes in place."""

    pieces: list[bytes]  # text, price, text, price, ..., text
    rng: random.Random

    @classmethod
    def of(cls, book: str, text: bytes, seed: str) -> Body:
        pieces: list[bytes] = []
        pos = 0
        for m in PRICE[book].finditer(text):
            pieces += [text[pos:m.start(2)], m.group(2)]
            pos = m.end(2)
        pieces.append(text[pos:])
        return cls(pieces, random.Random(seed))

    @property
    def prices(self) -> int:
        return len(self.pieces) // 2

    def move(self, share: float) -> None:
        """Change ``share`` of the prices (at least one) by 1-3 ticks each."""
        for i in self.rng.sample(range(self.prices), max(1, round(share * self.prices))):
            self.pieces[2 * i + 1] = _moved(self.pieces[2 * i + 1], self.rng)

    def text(self) -> bytes:
        return b"".join(self.pieces)


def _moved(price: bytes, rng: random.Random) -> bytes:
    text = price.decode()
    decimals = len(text.split(".")[1]) if "." in text else 0
    step = 10.0 ** -decimals
    value = max(1.01, float(text) + rng.choice((-3, -2, -1, 1, 2, 3)) * step)
    new = f"{value:.{decimals}f}"
    return (new if new != text else f"{float(text) + step:.{decimals}f}").encode()


def board(book: str, bodies: list[Body], start: datetime) -> list[RawResponse]:
    return [RawResponse(url=f"https://{book}.example/api/event/{i}", status=200, content_type="application/json",
                        body=b.text(), fetched_at=start + timedelta(seconds=10, milliseconds=37 * i),
                        kind="detail", bookmaker_event_id=str(100000 + i)) for i, b in enumerate(bodies)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=20, help="events per book")
    ap.add_argument("--windows", type=int, default=60)
    ap.add_argument("--cadence", type=int, default=1, help="minutes per window")
    ap.add_argument("--change", type=float, default=0.01, help="share of prices changed per minute")
    args = ap.parse_args()

    captures = {b: (REAL / f"{b}_event_sr68995116.json").read_bytes() for b in BOOKMAKERS}
    events: dict[str, list[Body]] = {}
    for book in BOOKMAKERS:
        events[book] = []
        for i in range(args.events):
            body = Body.of(book, captures[book], seed=f"{book}:{i}")
            body.move(0.3)  # every event its own prices
            events[book].append(body)
        print(f"{book}: {len(captures[book]) / 1024:.0f} KiB per body, {events[book][0].prices} prices, "
              f"{max(1, round(args.change * args.cadence * events[book][0].prices))} changed per window")

    tmp = Path(tempfile.mkdtemp(prefix="odds-bench-archive-"))
    written: dict[tuple[str, datetime], list[RawResponse]] = {}
    gzip_bytes: list[int] = []
    delta_bytes: list[int] = []
    gzip_cpu: list[float] = []
    delta_cpu: list[float] = []
    per_book: dict[str, dict[str, list[int]]] = {b: {"gzip": [], "delta": [], "keys": [], "key_bytes": [],
                                                     "delta_each": []} for b in BOOKMAKERS}
    try:
        for n in range(args.windows):
            start = T0 + timedelta(minutes=n * args.cadence)
            g_b = d_b = 0
            g_s = d_s = 0.0
            for book in BOOKMAKERS:
                if n:
                    for body in events[book]:
                        body.move(args.change * args.cadence)
                responses = board(book, events[book], start)
                written[(book, start)] = responses
                t = time.process_time()
                data = encode_raw(responses)
                (tmp / "raw.bin.gz").write_bytes(data)
                g_s += time.process_time() - t
                g_b += len(data)
                t = time.process_time()
                size = Archive(str(tmp / "delta")).window(book, start).write_raw(
                    responses, captured_at=start, started_at=start, finished_at=start)
                d_s += time.process_time() - t
                d_b += size
                meta = orjson.loads((Archive(str(tmp / "delta")).window(book, start).path / "raw.json").read_bytes())
                pb = per_book[book]
                pb["gzip"].append(len(data))
                pb["delta"].append(size)
                pb["keys"].append(meta["keys"])
                pb["key_bytes"].append(meta["key_bytes"])
                if meta["deltas"]:
                    pb["delta_each"].append(meta["delta_bytes"] // meta["deltas"])
            gzip_bytes.append(g_b)
            delta_bytes.append(d_b)
            gzip_cpu.append(g_s)
            delta_cpu.append(d_s)
            if n < 3 or (n + 1) % 10 == 0:
                print(f"window {n + 1:>3}: gzip {g_b / 1024:8.0f} KiB {g_s * 1000:6.0f} ms | delta "
                      f"{d_b / 1024:8.1f} KiB {d_s * 1000:6.0f} ms, keys "
                      + ", ".join(f"{b} {per_book[b]['keys'][-1]}" for b in BOOKMAKERS), flush=True)

        # read every window back: byte-exact, and how long re-deriving takes
        read_delta = 0.0
        gz = {b: encode_raw(written[(b, T0)]) for b in BOOKMAKERS}  # every gzip window is about this size
        for (book, start), responses in written.items():
            t = time.process_time()
            back = Archive(str(tmp / "delta")).window(book, start).read_raw().responses
            read_delta += time.process_time() - t
            if back != responses:
                raise SystemExit(f"{book} {start:%H:%M}: read back differs from what was written")
        t = time.process_time()
        for book, _start in written:
            decode_raw(gz[book])
        read_gzip = time.process_time() - t
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    events_total = args.events * len(BOOKMAKERS)
    print(f"\nper event and window, mean over {args.windows} windows ({args.cadence}-minute cadence, "
          f"{args.change:.1%} of prices per minute):")
    for book in BOOKMAKERS:
        pb = per_book[book]
        keys = sum(pb["keys"])
        bodies = args.events * args.windows
        key_size = sum(pb["key_bytes"]) / max(1, keys)
        delta_median = statistics.median(pb["delta_each"] or [0])
        print(f"  {book:<10} gzip {statistics.mean(pb['gzip']) / args.events:8.0f} B   delta archive "
              f"{statistics.mean(pb['delta']) / args.events:6.0f} B  (key {key_size:6.0f} B every "
              f"{bodies / max(1, keys):4.1f} windows, delta median {delta_median:4.0f} B)")
    g, d = statistics.mean(gzip_bytes), statistics.mean(delta_bytes)
    gms, dms = 1000 * statistics.mean(gzip_cpu), 1000 * statistics.mean(delta_cpu)
    print(f"per window ({events_total} events): gzip {g / 1024:.0f} KiB in {gms:.0f} ms CPU "
          f"(max {max(gzip_cpu) * 1000:.0f}), "
          f"delta {d / 1024:.1f} KiB in {dms:.0f} ms CPU (max {max(delta_cpu) * 1000:.0f} ms, "
          f"{max(delta_bytes) / 1024:.0f} KiB: the first window, all keys); read back: gzip "
          f"{1000 * read_gzip / len(written) * len(BOOKMAKERS):.0f} ms, delta "
          f"{1000 * read_delta / len(written) * len(BOOKMAKERS):.0f} ms per window, byte-exact")
    print(f"RESULT gzip_bytes={g:.0f} delta_bytes={d:.0f} ratio={g / d:.1f} gzip_ms={gms:.1f} delta_ms={dms:.1f}")


if __name__ == "__main__":
    main()
