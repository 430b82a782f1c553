"""odds_assets.markets.catalogue: the three lookups stay consistent (unique BetPawa ids, shared Bet9ja
keys routed by distinct suffixes, S_OUA alias onto 5000), every markets.csv row is present, and a
Bet9ja suffix maps only onto a BetPawa outcome of the same meaning."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from odds_assets.markets.catalogue import CATALOGUE, by_bet9ja_key, by_betpawa_id, by_sportybet_id

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def test_betpawa_ids_unique() -> None:
    ids = Counter(m.betpawa_id for m in CATALOGUE if m.betpawa_id is not None)
    assert [i for i, n in ids.items() if n > 1] == []
    assert len(by_betpawa_id()) == sum(ids.values())


def test_sportybet_ids_unique_and_twinned() -> None:
    ids = Counter(m.sportybet_id for m in CATALOGUE if m.sportybet_id is not None)
    assert [i for i, n in ids.items() if n > 1] == []
    assert all(m.betpawa_id is not None for m in by_sportybet_id().values())


def test_shared_bet9ja_keys_have_distinct_suffixes() -> None:
    for key, specs in by_bet9ja_key().items():
        suffixes = [o.bet9ja for s in specs for o in s.outcomes if o.bet9ja is not None]
        assert len(suffixes) == len(set(suffixes)), key
    assert [s.betpawa_id for s in by_bet9ja_key()["S_HAOU"]] == [5006, 5003]
    assert [s.betpawa_id for s in by_bet9ja_key()["S_OUA"]] == [5000]


def test_every_csv_row_is_catalogued() -> None:
    with open(SHARED / "docs" / "markets.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = {m.name for m in CATALOGUE}
    assert {r["canonical_name"] for r in rows} <= names
    for r in rows:
        spec = next(m for m in CATALOGUE if m.name == r["canonical_name"])
        assert str(spec.betpawa_id or "") == r["betpawa_market_id"], r["canonical_name"]
        assert str(spec.sportybet_id or "") == r["sportybet_market_id"], r["canonical_name"]
        assert (spec.bet9ja_key or "") == r["bet9ja_market_key"], r["canonical_name"]


def test_bet9ja_exact_goals_6_is_not_6_plus() -> None:
    # Bet9ja's S_EXACTGOAL_6 is exactly six goals (priced well above its own Over 5.5, see
    # markets.csv exact_goals_ft): a known suffix, so the market is still read, but with no BetPawa twin.
    (spec,) = by_bet9ja_key()["S_EXACTGOAL"]
    labels = {o.bet9ja: o.betpawa for o in spec.outcomes if o.bet9ja is not None}
    assert labels == {"1": "1", "2": "2", "3": "3", "4": "4", "5": "5", "6": None}
    assert next(o for o in spec.outcomes if o.betpawa == "6+").bet9ja is None
