"""Book-independent pieces of market normalisation: exact decimals, canonical lines, and the per-event
collector that enforces the output invariants.

Every parser builds one :class:`EventCollector` per event and feeds it *raw market instances* (a
market type × line as the book lists it). The collector keeps the first copy of a
``(market_id, line)`` pair, counts what could not be mapped per raw key, and records one
:class:`InstanceRecord` per raw instance so coverage can be measured without re-parsing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from odds_assets.markets.catalogue import MarketSpec, by_bet9ja_key, by_betpawa_id, by_sportybet_id
from odds_assets.models import Event, EventOdds, Market, Outcome

__all__ = [
    "EventCollector",
    "InstanceRecord",
    "ParsedEvent",
    "betpawa_specs",
    "bet9ja_specs",
    "canonical_line",
    "decimal_or_none",
    "parse_line",
    "sportybet_specs",
]

_ONE = Decimal(1)
_ZERO = Decimal(0)

# Instance outcome of normalisation, as recorded in InstanceRecord.status.
MAPPED = "mapped"
UNMAPPED = "unmapped"
DUPLICATE = "duplicate"


# The catalogue's by_* functions build fresh dicts on every call; parsers run per event.
@cache
def betpawa_specs() -> dict[int, MarketSpec]:
    return by_betpawa_id()


@cache
def sportybet_specs() -> dict[int, MarketSpec]:
    return by_sportybet_id()


@cache
def bet9ja_specs() -> dict[str, list[MarketSpec]]:
    return by_bet9ja_key()


def decimal_or_none(raw: object) -> Decimal | None:
    """Exact Decimal from a book's odds value, ``None`` when it is no price.

    No price: missing, zero, or ``<= 1`` (BetPawa 0.0, SportyBet "0.00", Bet9ja placeholder "1");
    a decimal price of 1 pays nothing back, so it is never a real offer. Raises ValueError on a value
    that is not a number at all (the caller turns it into a NormalisationError with its path).
    """
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, str):
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise ValueError(f"odds {raw!r} is not a number") from None
    elif isinstance(raw, bool):
        raise ValueError(f"odds {raw!r} is not a number")
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        # repr() is the shortest string that round-trips, i.e. the digits the book sent.
        value = Decimal(repr(raw))
    else:
        raise ValueError(f"odds {raw!r} is not a number")
    if not value.is_finite():
        raise ValueError(f"odds {raw!r} is not a finite number")
    return value if value > _ONE else None


def canonical_line(value: Decimal) -> Decimal:
    """One spelling per line so keys compare and print alike: ``2.50`` -> ``2.5``, ``-0`` -> ``0``,
    ``+1`` / ``1.0`` -> ``1`` (``Decimal.normalize`` alone would print 10 as ``1E+1``)."""
    if value == value.to_integral_value():
        return value.quantize(_ONE) + _ZERO
    return value.normalize() + _ZERO


def parse_line(raw: str | int | float | Decimal) -> Decimal:
    """A line from a book's text or number; ValueError when it is none."""
    if isinstance(raw, bool):
        raise ValueError(f"line {raw!r} is not a number")
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        value = Decimal(raw.strip() if isinstance(raw, str) else raw)
    except (InvalidOperation, TypeError):
        raise ValueError(f"line {raw!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"line {raw!r} is not a finite number")
    return canonical_line(value)


@dataclass(frozen=True, slots=True)
class InstanceRecord:
    """What became of one raw market instance: its raw key, the BetPawa identity the catalogue gives
    it (``None`` when the catalogue does not know the key), and mapped / unmapped / duplicate."""

    raw_key: str
    market_id: int | None
    line: Decimal | None
    status: str


#: One raw instance as the collector keeps it: the raw key alone for a key the catalogue does not know
#: (by far the commonest: a real SportyBet event lists ~975 instances, ~145 of them mapped), else
#: ``(raw_key, market_id, line, status)``. :attr:`ParsedEvent.instances` builds the records on demand.
_Compact = str | tuple[str, int | None, Decimal | None, str]


def _record(entry: _Compact) -> InstanceRecord:
    if isinstance(entry, str):
        return InstanceRecord(entry, None, None, UNMAPPED)
    return InstanceRecord(*entry)


@dataclass(frozen=True, slots=True)
class ParsedEvent:
    """A normalised event plus the per-instance record used for coverage (:attr:`instances`, built
    when asked for: the scrape only needs :attr:`odds`, which already counts what was not mapped)."""

    odds: EventOdds
    compact: tuple[_Compact, ...]

    @property
    def instances(self) -> tuple[InstanceRecord, ...]:
        return tuple(map(_record, self.compact))


class EventCollector:
    """Collects one event's market instances and enforces the output invariants."""

    __slots__ = ("_markets", "_records")

    def __init__(self) -> None:
        self._markets: dict[tuple[int, Decimal | None], Market] = {}
        self._records: list[_Compact] = []

    def add(self, raw_key: str, market_id: int, line: Decimal | None,
            outcomes: list[Outcome]) -> None:
        """One mapped instance; outcome names are deduplicated (first wins)."""
        key = (market_id, line)
        if key in self._markets:
            # A book listing the same instance twice: keep the first, count the copy.
            self._records.append((raw_key, market_id, line, DUPLICATE))
            return
        seen: set[str] = set()
        unique: list[Outcome] = []
        for o in outcomes:
            if o.name not in seen:
                seen.add(o.name)
                unique.append(o)
        self._markets[key] = Market(market_id, line, tuple(unique))
        self._records.append((raw_key, market_id, line, MAPPED))

    def skip(self, raw_key: str, market_id: int | None = None, line: Decimal | None = None) -> None:
        """One instance that could not be mapped (with its catalogue identity when known)."""
        self._records.append(raw_key if market_id is None and line is None
                             else (raw_key, market_id, line, UNMAPPED))

    def build(self, event: Event) -> ParsedEvent:
        records = tuple(self._records)
        unmapped = Counter(r if isinstance(r, str) else r[0] for r in records
                           if isinstance(r, str) or r[3] != MAPPED)
        odds = EventOdds(event=event, markets=tuple(self._markets.values()),
                         unmapped=dict(unmapped), instances_total=len(records))
        return ParsedEvent(odds, records)
