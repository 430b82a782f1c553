"""odds_assets.clients (public surface): parse_event on the three real captures of SR 68995116 reads
every one of the 72 odds of fixture_expectations.csv exactly, and the captures agree on SR id and
kick-off; unknown bookmakers are refused."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from odds_assets.clients import parse_event
from odds_assets.models import BOOKMAKERS, EventOdds

from .conftest import capture


@pytest.fixture(scope="module")
def parsed() -> dict[str, EventOdds]:
    return {b: parse_event(b, capture(b)) for b in BOOKMAKERS}


def _rows(real_dir: Path) -> list[dict[str, str]]:
    with open(real_dir / "fixture_expectations.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_all_72_expected_odds(parsed: dict[str, EventOdds], real_dir: Path) -> None:
    rows = _rows(real_dir)
    assert len(rows) == 72
    for row in rows:
        odds = parsed[row["bookmaker"]]
        line = Decimal(row["line"]) if row["line"] else None
        markets = [m for m in odds.markets if m.market_id == int(row["betpawa_market_id"]) and m.line == line]
        assert len(markets) == 1, row
        outcomes = [o for o in markets[0].outcomes if o.name == row["outcome"]]
        assert len(outcomes) == 1, row
        assert outcomes[0].odds == Decimal(row["odds"]), row
        assert outcomes[0].active, row


def test_event_agrees_across_books(parsed: dict[str, EventOdds]) -> None:
    kickoff = datetime(2026, 5, 6, 11, 0, tzinfo=timezone.utc)
    for odds in parsed.values():
        assert odds.event.sr_event_id == 68995116
        assert odds.event.kickoff == kickoff
        assert odds.event.kickoff.utcoffset() == timedelta(0)
    assert parsed["betpawa"].event.bookmaker_event_id == "33289995"
    assert parsed["bet9ja"].event.bookmaker_event_id == "769895636"
    assert parsed["sportybet"].event.home == "Wuhan Three Towns FC"
    assert parsed["bet9ja"].event.home == "Wuhan Three Towns"


def test_output_invariants(parsed: dict[str, EventOdds]) -> None:
    for odds in parsed.values():
        keys = [(m.market_id, m.line) for m in odds.markets]
        assert len(keys) == len(set(keys))
        for m in odds.markets:
            names = [o.name for o in m.outcomes]
            assert len(names) == len(set(names))
            assert all(isinstance(o.odds, Decimal) or (o.odds is None and not o.active) for o in m.outcomes)
        assert odds.instances_total >= len(odds.markets) + 0
        assert odds.instances_total == len(odds.markets) + sum(odds.unmapped.values())


def test_handicap_zero_is_a_line(parsed: dict[str, EventOdds]) -> None:
    zero = [m for m in parsed["sportybet"].markets if m.market_id == 3774 and m.line == 0]
    assert len(zero) == 1 and zero[0].line is not None and str(zero[0].line) == "0"


def test_unknown_bookmaker() -> None:
    with pytest.raises(ValueError, match="unknown bookmaker"):
        parse_event("betway", b"{}")
