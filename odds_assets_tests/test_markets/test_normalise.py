"""odds_assets.markets.normalise: exact odds (no float drift, placeholders → None), canonical lines
(0 is a line, -0 is 0), and the collector's uniqueness and counting."""

from __future__ import annotations

from decimal import Decimal

import pytest

from odds_assets.markets.normalise import EventCollector, canonical_line, decimal_or_none, parse_line
from odds_assets.models import Outcome


def test_decimal_or_none() -> None:
    assert decimal_or_none("2.40") == Decimal("2.40") and str(decimal_or_none("2.40")) == "2.40"
    assert str(decimal_or_none(2.41)) == "2.41" and str(decimal_or_none(1.1)) == "1.1"
    assert decimal_or_none(3) == Decimal(3)
    for none in (None, 0.0, "0.00", "1", 1, "1.0"):
        assert decimal_or_none(none) is None, none
    bad: object
    for bad in ("evens", True, [], "NaN", "inf"):
        with pytest.raises(ValueError):
            decimal_or_none(bad)


def test_lines() -> None:
    assert str(canonical_line(Decimal("2.50"))) == "2.5"
    assert str(canonical_line(Decimal("-0"))) == "0" and canonical_line(Decimal(0)) is not None
    assert str(canonical_line(Decimal("+1"))) == "1" and str(canonical_line(Decimal("10"))) == "10"
    assert str(parse_line(Decimal(-2) / 4)) == "-0.5" and str(parse_line("1.0")) == "1"
    with pytest.raises(ValueError):
        parse_line("two")


def test_collector_keeps_first_and_counts() -> None:
    c = EventCollector()
    c.add("k", 5000, Decimal("2.5"), [Outcome("Over", Decimal("1.9")), Outcome("Over", Decimal("2"))])
    c.add("k", 5000, Decimal("2.5"), [Outcome("Over", Decimal("1.5"))])
    c.add("k", 3774, Decimal(0), [Outcome("1", Decimal("1.7"))])
    c.add("k", 3774, None, [Outcome("1", Decimal("1.8"))])
    c.skip("S_3CM")
    from datetime import datetime, timezone

    from odds_assets.models import Event

    parsed = c.build(Event("bet9ja", 1, "1", "A", "B", datetime(2026, 1, 1, tzinfo=timezone.utc)))
    odds = parsed.odds
    assert [(m.market_id, m.line) for m in odds.markets] == [(5000, Decimal("2.5")), (3774, Decimal(0)), (3774, None)]
    assert odds.markets[0].outcomes == (Outcome("Over", Decimal("1.9")),)
    assert odds.unmapped == {"k": 1, "S_3CM": 1} and odds.instances_total == 5
    assert [r.status for r in parsed.instances] == ["mapped", "duplicate", "mapped", "mapped", "unmapped"]
