"""odds_assets.markets.catalogue: the three lookups stay consistent (unique BetPawa ids, shared Bet9ja
keys routed by distinct suffixes, S_OUA alias onto 5000), every markets.csv row is present, and a
Bet9ja suffix maps only onto a BetPawa outcome of the same meaning."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from odds_assets.markets.catalogue import CATALOGUE, EXCLUSIVE, by_bet9ja_key, by_betpawa_id, by_sportybet_id

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


# --- margin rules: checked by counting which results each outcome covers ------------------------------

def _goal_range(label: str) -> set[int]:
    """Goal totals 0..9 (9 standing for 9 or more) a multigoals outcome covers: "1-3", "4+", "No goal"."""
    if label == "No goal":
        return {0}
    if label.endswith("+"):
        return set(range(int(label[:-1]), 10))
    lo, hi = label.split("-")
    return set(range(int(lo), int(hi) + 1))


def test_rules_with_an_underlying_market_compose_every_outcome_from_it() -> None:
    """Each outcome is a union of the underlying partition's outcomes, every underlying outcome lies in
    exactly ``covers`` of them (so the stated k is the count), and the underlying is a BetPawa partition
    of the same period."""
    by = {m.name: m for m in CATALOGUE}
    derived = [m for m in CATALOGUE if m.margin.underlying is not None]
    assert {m.name for m in derived} == {"double_chance_ft", "double_chance_1h", "double_chance_2h",
                                         "double_chance_btts_ft", "double_chance_over_under_ft"}
    for m in derived:
        assert m.margin.underlying is not None
        under = by[m.margin.underlying]
        assert under.betpawa_id is not None and under.margin == EXCLUSIVE and under.period == m.period, m.name
        assert under.line_kind == m.line_kind, m.name
        composition = dict(m.margin.composition)
        assert set(composition) == {o.betpawa for o in m.outcomes}, m.name
        cells = Counter(part for parts in composition.values() for part in parts)
        assert set(cells) == {o.betpawa for o in under.outcomes}, m.name
        assert set(cells.values()) == {m.margin.covers}, m.name


def test_double_chance_combinations_without_an_underlying_market_cover_each_result_twice() -> None:
    """"1X - Yes" covers (1, Yes) and (X, Yes): over the six 1X2 x BTTS results, each is covered twice."""
    for name in ("double_chance_btts_1h", "double_chance_btts_2h"):
        m = next(s for s in CATALOGUE if s.name == name)
        cover: Counter[tuple[str, str]] = Counter()
        for o in m.outcomes:
            assert o.betpawa is not None
            dc, btts = o.betpawa.split(" - ")
            cover.update((r, btts) for r in dc)
        assert len(cover) == 6 and set(cover.values()) == {2} and m.margin.covers == 2, name


def test_multigoals_cover_goal_totals_unevenly_so_have_no_margin_of_their_own() -> None:
    names = ("multigoals_ft", "multigoals_1h", "multigoals_2h", "home_multigoals_ft", "away_multigoals_ft")
    for name in names:
        m = next(s for s in CATALOGUE if s.name == name)
        cover = Counter(g for o in m.outcomes if o.betpawa for g in _goal_range(o.betpawa))
        assert len(set(cover.values())) > 1 and m.margin.covers is None, name
    ft = next(s for s in CATALOGUE if s.name == "multigoals_ft")
    cover = Counter(g for o in ft.outcomes if o.betpawa for g in _goal_range(o.betpawa))
    # the notes' count: totals 0, 1, …, 6, 7+ are covered 1, 5, 9, 11, 11, 9, 5, 1 times
    assert [cover[g] for g in range(8)] == [1, 5, 9, 11, 11, 9, 5, 1]


def test_every_other_market_type_is_mutually_exclusive_or_named_here() -> None:
    """The rules written by hand: a new market type gets the default unless it is added here on purpose."""
    not_exclusive = {m.name: m.margin.covers for m in CATALOGUE if m.margin != EXCLUSIVE}
    assert not_exclusive == {
        "double_chance_ft": 2, "double_chance_1h": 2, "double_chance_2h": 2, "double_chance_btts_ft": 2,
        "double_chance_btts_1h": 2, "double_chance_btts_2h": 2, "double_chance_over_under_ft": 2,
        "haou_combined": 2,
        "multigoals_ft": None, "multigoals_1h": None, "multigoals_2h": None, "home_multigoals_ft": None,
        "away_multigoals_ft": None,
        "1x2_1up_ft": None, "1x2_2up_ft": None, "double_chance_1up_ft": None,
    }
    assert all(m.margin.note for m in CATALOGUE if m.margin != EXCLUSIVE)
