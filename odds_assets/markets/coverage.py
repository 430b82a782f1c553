"""Mapping coverage: how much of a competitor's offer lands on BetPawa market ids.

Two shares per competitor book, over raw market instances (market × line as the book lists them):

- **twin share**: of the instances whose BetPawa twin exists — the catalogue gives the raw key a
  BetPawa market id, and BetPawa offers that (market id, line) for the same SportRadar event — the
  share that was mapped. It measures what normalisation loses (lines, outcome labels) where
  comparison is possible at all; the target is ≥ 95 %.
- **all share**: mapped instances over every instance the book offered (the replaced system's audit
  measured 52 % SportyBet / 40 % Bet9ja); it also counts markets BetPawa simply does not have.

Duplicated instances (a book listing the same one twice) count in the all share only.

Because the twin share can only see instances the catalogue knows, a third figure looks from
BetPawa's side: **bp share**, of BetPawa's instances on the matched events, the share for which the
competitor produced a mapped twin (it drops when a competitor market goes unrecognised, or when the
competitor simply does not offer that line).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from odds_assets.markets.normalise import DUPLICATE, MAPPED, ParsedEvent

__all__ = ["BookCoverage", "coverage", "format_table"]


@dataclass(frozen=True, slots=True)
class BookCoverage:
    """Coverage counts of one book over a set of events."""

    bookmaker: str
    events: int
    #: events that BetPawa also has (by SportRadar id)
    matched_events: int
    instances: int
    mapped: int
    twinnable: int
    twinnable_mapped: int
    #: BetPawa instances on the matched events, and those the book has a mapped twin for
    betpawa_instances: int = 0
    betpawa_twinned: int = 0

    @property
    def twin_share(self) -> float | None:
        return self.twinnable_mapped / self.twinnable if self.twinnable else None

    @property
    def all_share(self) -> float | None:
        return self.mapped / self.instances if self.instances else None

    @property
    def betpawa_share(self) -> float | None:
        return self.betpawa_twinned / self.betpawa_instances if self.betpawa_instances else None


def coverage(parsed: Mapping[str, Iterable[ParsedEvent]]) -> dict[str, BookCoverage]:
    """Coverage per book; ``parsed`` maps a bookmaker to its parsed events (BetPawa's are the twins)."""
    betpawa: dict[int, set[tuple[int, Decimal | None]]] = {}
    for p in parsed.get("betpawa", ()):
        betpawa[p.odds.event.sr_event_id] = {(m.market_id, m.line) for m in p.odds.markets}
    out: dict[str, BookCoverage] = {}
    for book, events in parsed.items():
        n = matched = instances = mapped = twinnable = twin_mapped = bp_total = bp_twinned = 0
        for p in events:
            n += 1
            twins = betpawa.get(p.odds.event.sr_event_id)
            matched += twins is not None
            if twins is not None:
                bp_total += len(twins)
                bp_twinned += len(twins & {(m.market_id, m.line) for m in p.odds.markets})
            for rec in p.instances:
                instances += 1
                is_mapped = rec.status == MAPPED
                mapped += is_mapped
                if (twins is not None and rec.status != DUPLICATE and rec.market_id is not None
                        and (rec.market_id, rec.line) in twins):
                    twinnable += 1
                    twin_mapped += is_mapped
        out[book] = BookCoverage(book, n, matched, instances, mapped, twinnable, twin_mapped,
                                 bp_total, bp_twinned)
    return out


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def format_table(rows: Mapping[str, BookCoverage]) -> str:
    """A fixed-width table, one line per book."""
    head = (f"{'bookmaker':<10} {'events':>6} {'instances':>9} {'mapped':>6} {'all%':>6} {'twinnable':>9} "
            f"{'twin_mapped':>11} {'twin%':>6} {'bp%':>6}")
    lines = [head]
    for c in rows.values():
        lines.append(f"{c.bookmaker:<10} {c.events:>6} {c.instances:>9} {c.mapped:>6} {_pct(c.all_share):>6} "
                     f"{c.twinnable:>9} {c.twinnable_mapped:>11} {_pct(c.twin_share):>6} {_pct(c.betpawa_share):>6}")
    return "\n".join(lines)
