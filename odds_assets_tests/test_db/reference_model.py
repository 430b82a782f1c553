"""An independent reference model of what the write engine must store, in plain Python dicts.

Deliberately imports NOTHING from ``odds_assets``: it has its own outcome representation, its own line
normalisation, its own canonical decimal text and its own decoder of the stored outcomes text, so that a
bug shared by the product's encoder/decoder and the engine cannot hide.

Definition (the issue): for any set of snapshots applied in any order, any number of times, with any
re-derivations, the database must equal what applying the LATEST version of every (book, window) ONCE,
in time order, would give. The model therefore keeps only the latest board of every (book, window) and
answers every question by walking a book's windows in time order.

Representation
    book        an int (the bookmaker id: 1 betpawa, 2 sportybet, 3 bet9ja; lower = preferred for names)
    t           a timezone-aware datetime (the window's captured_at)
    line        ``Decimal`` normalised (``-0`` == ``0``, ``0.50`` == ``0.5``) or ``None`` (no line; != 0)
    outcome     ``(name, Decimal | None, active)``; outcomes = a tuple of them, in the book's order
    board       ``{sr_event_id: (meta, {(market_id, line): outcomes})}`` — the events scraped completely
                (invalid events already excluded by the caller); ``meta`` is a dict with the keys of
                ``META_FIELDS``
    key         ``(book, sr_event_id, market_id, line)``

Answers
    history()       {key: [(t, outcomes | None), ...]} change-only: a row at a key's first observation,
                    at every complete scrape of its event whose state differs from the previous row's,
                    ``None`` (gone) at the first complete scrape of the event that lacks it
    state_as_of(t)  {key: outcomes | None} computed directly (not from history()): per event, the board
                    of the latest complete scrape at or before t; a key seen earlier but absent from it
                    is gone (None); a key not yet seen is absent
    current()       {key: CurrentRow}
    bookmaker_events(), events()
    metadata_unrestorable_*: which metadata comparisons depend on a scrape a later re-derivation removed
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

__all__ = [
    "META_FIELDS",
    "BookEventRow",
    "CurrentRow",
    "EventRow",
    "ReferenceModel",
    "canonical_text",
    "decode_outcomes",
    "encode_outcomes",
    "norm_line",
    "norm_outcomes",
]

META_FIELDS = ("bookmaker_event_id", "home", "away", "kickoff", "competition", "country")

Outcome = tuple  # (name: str, odds: Decimal | None, active: bool)
Outcomes = tuple  # tuple[Outcome, ...]


# ---------------------------------------------------------------- values: lines, odds, outcomes text

def norm_line(line: object) -> Decimal | None:
    """``None`` stays ``None`` (no line, distinct from 0); any number becomes a normalised ``Decimal``
    with ``-0`` -> ``0`` and no exponent (``Decimal("1E+1")`` -> ``Decimal("10")``)."""
    if line is None:
        return None
    d = Decimal(str(line)) if not isinstance(line, Decimal) else line
    if not d.is_finite():
        raise ValueError(f"line {line!r} is not finite")
    if d == 0:
        return Decimal(0)
    n = d.normalize()
    if _exponent(n) > 0:
        n = n.quantize(Decimal(1))
    return n


def _exponent(d: Decimal) -> int:
    """The exponent of a finite decimal (``as_tuple`` types it with the ``"n"``/``"N"``/``"F"`` of NaN
    and infinity)."""
    exp = d.as_tuple().exponent
    assert isinstance(exp, int), f"not finite: {d!r}"
    return exp


def _norm_odds(odds: object) -> Decimal | None:
    if odds is None:
        return None
    d = odds if isinstance(odds, Decimal) else Decimal(str(odds))
    n = d.normalize()
    if _exponent(n) > 0:
        n = n.quantize(Decimal(1))
    return n


def norm_outcomes(outcomes: Iterable[tuple]) -> Outcomes:
    """Outcomes in the model's form: ``((name, Decimal | None, active), ...)``, odds normalised."""
    return tuple((str(n), _norm_odds(o), bool(a)) for n, o, a in outcomes)


def canonical_text(value: Decimal) -> str:
    """The canonical text of a finite decimal, written independently of the product: no exponent, no
    trailing fractional zeros, no ``-0`` (``Decimal("2.40")`` -> ``"2.4"``, ``Decimal("1E+1")`` ->
    ``"10"``, ``Decimal("-0.750")`` -> ``"-0.75"``)."""
    if not value.is_finite():
        raise ValueError(f"not finite: {value!r}")
    sign, digits, _ = value.as_tuple()
    exp = _exponent(value)
    text = "".join(map(str, digits))
    if exp >= 0:
        text = text + "0" * exp
        int_part, frac = text, ""
    else:
        pad = -exp
        text = text.rjust(pad + 1, "0")
        int_part, frac = text[:-pad], text[-pad:]
    int_part = int_part.lstrip("0") or "0"
    frac = frac.rstrip("0")
    out = int_part + ("." + frac if frac else "")
    if out == "0":
        return "0"
    return ("-" if sign else "") + out


_SIMPLE_NAME = re.compile(r"[^;=!\\]+")


def encode_outcomes(outcomes: Iterable[tuple]) -> str:
    """The stored text of outcomes with simple names (no ``; = ! \\``): ``name=odds`` joined by ``;``,
    a trailing ``!`` for an inactive outcome, odds canonical, empty when there is no price."""
    parts = []
    for name, odds, active in outcomes:
        if not _SIMPLE_NAME.fullmatch(name):
            raise ValueError(f"the model only encodes simple names, not {name!r}")
        price = "" if odds is None else canonical_text(Decimal(odds))
        parts.append(f"{name}={price}{'' if active else '!'}")
    return ";".join(parts)


def decode_outcomes(text: str, *, strict: bool = True) -> Outcomes:
    """Decode the DB's outcomes text (simple names only). ``strict`` also asserts the text is the
    canonical stored form: odds canonical, odds > 1, no empty price on an active outcome, no
    duplicate names."""
    out = []
    for part in text.split(";"):
        name, sep, rest = part.partition("=")
        if not sep or not _SIMPLE_NAME.fullmatch(name):
            raise ValueError(f"malformed outcome {part!r} in {text!r}")
        active = not rest.endswith("!")
        price = rest if active else rest[:-1]
        odds = Decimal(price) if price else None
        if strict:
            if odds is None and active:
                raise ValueError(f"active outcome {name!r} without a price in {text!r}")
            if odds is not None and (canonical_text(odds) != price or odds <= 1):
                raise ValueError(f"odds {price!r} of {name!r} not canonical or <= 1 in {text!r}")
        out.append((name, _norm_odds(odds), active))
    if strict and len({n for n, _, _ in out}) != len(out):
        raise ValueError(f"duplicate outcome names in {text!r}")
    return tuple(out)


# ---------------------------------------------------------------- rows the model answers with

@dataclass(frozen=True)
class CurrentRow:
    outcomes: Outcomes  # the latest observed outcomes (kept while gone)
    available: bool
    first_seen_at: datetime
    last_updated_at: datetime
    unavailable_at: datetime | None
    last_confirmed_at: datetime


@dataclass(frozen=True)
class BookEventRow:
    bookmaker_event_id: str
    home: str
    away: str
    kickoff: datetime
    competition: str | None
    country: str | None
    first_seen_at: datetime
    last_seen_at: datetime

    def meta(self) -> tuple:
        return (self.bookmaker_event_id, self.home, self.away, self.kickoff, self.competition, self.country)


@dataclass(frozen=True)
class EventRow:
    home: str
    away: str
    kickoff: datetime
    competition: str | None
    country: str | None
    source_bookmaker: int
    first_seen_at: datetime

    def meta(self) -> tuple:
        return (self.home, self.away, self.kickoff, self.competition, self.country, self.source_bookmaker)


_ABSENT = object()


class ReferenceModel:
    """Latest board of every (book, window); every answer is computed by walking windows in time order."""

    def __init__(self) -> None:
        self._windows: dict[tuple[int, datetime], dict] = {}
        # (book, sr) whose expected metadata comes from a scrape OLDER than one the engine was once
        # given as the event's latest and that a later re-derivation removed (see module doc)
        self._meta_unrestorable: set[tuple[int, int]] = set()

    # ------------------------------------------------------------ input

    def apply(self, book: int, t: datetime, board: Mapping[int, tuple]) -> None:
        """Record the (latest) version of window (book, t). ``board`` as in the module doc."""
        new = {}
        for sr, (meta, markets) in board.items():
            missing = set(META_FIELDS) - set(meta)
            if missing:
                raise ValueError(f"event {sr} metadata lacks {missing}")
            mk = {}
            for (mid, line), outs in markets.items():
                key = (int(mid), norm_line(line))
                if key in mk:
                    raise ValueError(f"market {key} listed twice for event {sr}")
                mk[key] = norm_outcomes(outs)
            new[int(sr)] = ({f: meta[f] for f in META_FIELDS}, mk)
        old = self._windows.get((book, t))
        if old is not None:
            for sr in old:
                if sr not in new and self._latest_listing(book, sr) == t:
                    # the engine was told this window was the event's latest complete scrape; after the
                    # removal the expected metadata is that of an older scrape it may never have kept
                    self._meta_unrestorable.add((book, sr))
        self._windows[(book, t)] = new
        for sr in new:
            if self._latest_listing(book, sr) == t:
                self._meta_unrestorable.discard((book, sr))

    # ------------------------------------------------------------ helpers

    def windows(self) -> dict[tuple[int, datetime], dict]:
        return copy.deepcopy(self._windows)

    def books(self) -> list[int]:
        return sorted({b for b, _ in self._windows})

    def windows_of(self, book: int) -> list[tuple[datetime, dict]]:
        return sorted(((t, board) for (b, t), board in self._windows.items() if b == book),
                      key=lambda x: x[0])

    def applied(self) -> set[tuple[int, datetime]]:
        return set(self._windows)

    def _listings(self, book: int, sr: int) -> list[datetime]:
        return sorted(t for (b, t), board in self._windows.items() if b == book and sr in board)

    def _latest_listing(self, book: int, sr: int) -> datetime | None:
        ts = self._listings(book, sr)
        return ts[-1] if ts else None

    # ------------------------------------------------------------ history and as-of

    def history(self) -> dict[tuple, list[tuple[datetime, Outcomes | None]]]:
        out: dict[tuple, list] = {}
        for book in self.books():
            state: dict[tuple, object] = {}  # (sr, mid, line) -> outcomes | None
            for t, board in self.windows_of(book):
                for sr, (_meta, markets) in sorted(board.items()):
                    for (mid, line), outs in markets.items():
                        prev = state.get((sr, mid, line), _ABSENT)
                        if prev is _ABSENT or prev != outs:
                            out.setdefault((book, sr, mid, line), []).append((t, outs))
                            state[(sr, mid, line)] = outs
                    for (s, mid, line), prev in list(state.items()):
                        if s == sr and (mid, line) not in markets and prev is not None:
                            out[(book, sr, mid, line)].append((t, None))
                            state[(s, mid, line)] = None
        return out

    def state_as_of(self, t: datetime) -> dict[tuple, Outcomes | None]:
        """Independent of :meth:`history`: per (book, event), the latest complete scrape at or before t."""
        out: dict[tuple, Outcomes | None] = {}
        for book in self.books():
            upto = [(w, board) for w, board in self.windows_of(book) if w <= t]
            for sr in sorted({sr for _, board in upto for sr in board}):
                listed = [(w, board[sr][1]) for w, board in upto if sr in board]
                seen = {k for _, markets in listed for k in markets}
                latest = listed[-1][1]
                for mid, line in seen:
                    out[(book, sr, mid, line)] = latest.get((mid, line))
        return out

    # ------------------------------------------------------------ current

    def current(self) -> dict[tuple, CurrentRow]:
        hist = self.history()
        out = {}
        for key, rows in hist.items():
            book, sr, mid, line = key
            listings = self._listings(book, sr)
            observed = [(t, board[sr][1][(mid, line)]) for t, board in self.windows_of(book)
                        if sr in board and (mid, line) in board[sr][1]]
            last_updated, prev = None, _ABSENT
            for t, outs in observed:
                if prev is _ABSENT or outs != prev:
                    last_updated = t
                prev = outs
            final_t, final = rows[-1]
            available = final is not None
            unavailable_at = None if available else final_t
            if available:
                last_confirmed = listings[-1]
            else:  # the latest complete scrape of its event before it went gone
                assert unavailable_at is not None
                last_confirmed = max(t for t in listings if t < unavailable_at)
            assert last_updated is not None  # set by the first observation
            out[key] = CurrentRow(outcomes=observed[-1][1], available=available, first_seen_at=observed[0][0],
                                  last_updated_at=last_updated, unavailable_at=unavailable_at,
                                  last_confirmed_at=last_confirmed)
        return out

    def expected_counts(self, book: int, t: datetime, board: Mapping[int, tuple]) -> dict[str, int]:
        """new/changed/unchanged/gone/back of applying ``board`` at t, for a window LATER than every
        window of ``book`` already applied (classification against current is then well defined)."""
        assert all(w < t for w, _ in self.windows_of(book)), "only for in-order windows"
        cur = self.current()
        counts = dict(new=0, changed=0, unchanged=0, gone=0, back=0)
        for sr, (_meta, markets) in board.items():
            present = {(int(mid), norm_line(line)): norm_outcomes(o) for (mid, line), o in markets.items()}
            for (mid, line), outs in present.items():
                row = cur.get((book, sr, mid, line))
                if row is None:
                    counts["new"] += 1
                elif not row.available:
                    counts["back"] += 1
                elif row.outcomes == outs:
                    counts["unchanged"] += 1
                else:
                    counts["changed"] += 1
            for (b, s, mid, line), row in cur.items():
                if b == book and s == sr and row.available and (mid, line) not in present:
                    counts["gone"] += 1
        return counts

    # ------------------------------------------------------------ events

    def bookmaker_events(self) -> dict[tuple[int, int], BookEventRow]:
        out = {}
        for book in self.books():
            listed: dict[int, list[tuple[datetime, dict]]] = {}
            for t, board in self.windows_of(book):
                for sr, (meta, _) in board.items():
                    listed.setdefault(sr, []).append((t, meta))
            for sr, seq in listed.items():
                meta = seq[-1][1]
                out[(book, sr)] = BookEventRow(**{f: meta[f] for f in META_FIELDS},
                                               first_seen_at=seq[0][0], last_seen_at=seq[-1][0])
        return out

    def events(self) -> dict[int, EventRow]:
        per_book = self.bookmaker_events()
        out = {}
        for sr in sorted({sr for _, sr in per_book}):
            books = sorted(b for b, s in per_book if s == sr)
            src = per_book[(books[0], sr)]
            out[sr] = EventRow(home=src.home, away=src.away, kickoff=src.kickoff, competition=src.competition,
                               country=src.country, source_bookmaker=books[0],
                               first_seen_at=min(per_book[(b, sr)].first_seen_at for b in books))
        return out

    def metadata_unrestorable_book_events(self) -> set[tuple[int, int]]:
        """(book, sr) whose expected per-book metadata (ids, names, kick-off, competition, country) is
        from a scrape older than one a later re-derivation removed while it was the event's latest."""
        expected = self.bookmaker_events()
        return {k for k in self._meta_unrestorable if k in expected}

    def metadata_unrestorable_events(self) -> set[int]:
        """Events whose canonical metadata may depend on such a removed scrape (any book)."""
        return {sr for _, sr in self.metadata_unrestorable_book_events()} | {
            sr for b, sr in self._meta_unrestorable if (b, sr) not in self.bookmaker_events()}
