"""A market instance's margin and one book's fair probabilities by its catalogue rule
(``odds_assets.analytics.margin``), and the rule table's SQL twin (migration 0007) against the catalogue.

Expected values are the notes' worked example (BetPawa capture of SR 68995116: 1X2 2.41/3.29/3.02, DC
1.39/1.56/1.35, ``shared/docs/analytics-notes.md`` §2) and sums written out here from the odds."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from odds_assets.analytics.margin import book_probabilities, market_margin, market_shape
from odds_assets.markets.catalogue import CATALOGUE
from odds_assets.models import Outcome

X12, DC, DC_BTTS_1H, MULTIGOALS, X12_1UP, OU = 3743, 4693, 28000021, 28000047, 28000810, 5000


def outs(pairs: str, inactive: tuple[str, ...] = ()) -> tuple[Outcome, ...]:
    """``"1=2.41 X=3.29 2=3.02"`` -> outcomes (``name=`` for no price)."""
    out = []
    for item in pairs.split():
        name, price = item.rsplit("=", 1)
        out.append(Outcome(name.replace("_", " "), Decimal(price) if price else None, name not in inactive))
    return tuple(out)


CAPTURE_1X2 = outs("1=2.41 X=3.29 2=3.02")
CAPTURE_DC = outs("1X=1.39 X2=1.56 12=1.35")


def test_margin_of_a_mutually_exclusive_market_is_the_overround() -> None:
    assert market_margin(X12, CAPTURE_1X2) == pytest.approx(1 / 2.41 + 1 / 3.29 + 1 / 3.02 - 1, abs=1e-15)
    assert market_margin(X12, CAPTURE_1X2) == pytest.approx(0.050015, abs=1e-6)  # the notes' B = 1.050015


def test_margin_of_double_chance_is_its_booksum_over_two() -> None:
    # notes §2: B_DC = 2.101191, M_DC = 5.0595 % (the old "margin" Σ 1/odds − 1 read 110.12 %)
    assert market_margin(DC, CAPTURE_DC) == pytest.approx((1 / 1.39 + 1 / 1.56 + 1 / 1.35) / 2 - 1, abs=1e-15)
    assert market_margin(DC, CAPTURE_DC) == pytest.approx(0.050595, abs=1e-6)


@pytest.mark.parametrize("market_id, outcomes, why", [
    (X12, outs("1=2.41 X=3.29 2=3.02", inactive=("X",)), "a suspended outcome is no offer"),
    (X12, outs("1=2.41 X= 2=3.02", inactive=("X",)), "an outcome without a price"),
    (X12, outs("1=2.41 2=3.02"), "an incomplete set"),
    (X12, outs("1=2.41 X=3.29 Draw=3.02"), "another outcome set"),
    (MULTIGOALS, outs("1-2=2.5 1-3=1.8 2-3=2.2 No_goal=9.0"), "multigoals: no margin of their own"),
    (X12_1UP, outs("1=2.1 X=3.4 2=3.0"), "1UP: early payout"),
    (X12, (), "no outcomes"),
], ids=["suspended", "unpriced", "incomplete", "other-set", "multigoals", "1up", "empty"])
def test_no_margin(market_id: int, outcomes: tuple[Outcome, ...], why: str) -> None:
    assert market_margin(market_id, outcomes) is None, why


def test_a_market_id_outside_the_catalogue_is_mutually_exclusive_with_what_it_lists() -> None:
    assert market_shape(1).outcomes is None and market_shape(1).rule.covers == 1
    assert market_margin(1, outs("a=2.0 b=1.8")) == pytest.approx(1 / 2.0 + 1 / 1.8 - 1, abs=1e-15)
    assert book_probabilities(1, outs("a=2.0 b=1.8")) is None  # but no fair price: the set is unknown


def test_double_chance_from_the_books_1x2() -> None:
    """notes §2: from the multiplicative 1X2, P(1X) 0.684647, P(X2) 0.604827, P(12) 0.710527; from the
    Shin 1X2 0.685316 / 0.602533 / 0.712151."""
    mult = book_probabilities(DC, CAPTURE_DC, method="multiplicative", underlying=CAPTURE_1X2)
    assert mult is not None
    assert [mult[k] for k in ("1X", "X2", "12")] == pytest.approx([0.684647, 0.604827, 0.710527], abs=1e-6)
    shin = book_probabilities(DC, CAPTURE_DC, method="shin", underlying=CAPTURE_1X2)
    assert shin is not None
    assert [shin[k] for k in ("1X", "X2", "12")] == pytest.approx([0.685316, 0.602533, 0.712151], abs=1e-6)
    # the same as summing the book's 1X2 probabilities by hand
    p = book_probabilities(X12, CAPTURE_1X2)
    dc = book_probabilities(DC, CAPTURE_DC, underlying=CAPTURE_1X2)
    assert p is not None and dc is not None
    assert dc == pytest.approx({"1X": p["1"] + p["X"], "X2": p["X"] + p["2"], "12": p["1"] + p["2"]}, abs=1e-15)
    assert sum(dc.values()) == pytest.approx(2.0, abs=1e-12)


def test_double_chance_needs_its_own_market_and_the_underlying_complete_and_bettable() -> None:
    assert book_probabilities(DC, CAPTURE_DC) is None  # no underlying given
    assert book_probabilities(DC, CAPTURE_DC, underlying=outs("1=2.41 X=3.29 2=3.02", inactive=("2",))) is None
    assert book_probabilities(DC, outs("1X=1.39 X2=1.56 12=1.35", inactive=("12",)), underlying=CAPTURE_1X2) is None


def test_a_market_covered_twice_without_an_underlying_one_is_de_vigged_to_two() -> None:
    # 1st-half double chance & BTTS: six outcomes, each result (1X2 x BTTS) covered twice
    odds = {"1X - Yes": "3.9", "1X - No": "1.6", "12 - Yes": "4.6", "12 - No": "2.3", "X2 - Yes": "5.2",
            "X2 - No": "1.95"}
    market = tuple(Outcome(k, Decimal(v)) for k, v in odds.items())
    booksum = sum(1 / float(v) for v in odds.values())
    assert market_margin(DC_BTTS_1H, market) == pytest.approx(booksum / 2 - 1, abs=1e-15)
    mult = book_probabilities(DC_BTTS_1H, market, method="multiplicative")
    assert mult == pytest.approx({k: 2 / float(v) / booksum for k, v in odds.items()}, abs=1e-15)
    assert book_probabilities(DC_BTTS_1H, market, method="shin") is None  # Shin: one winner only


def test_outcome_order_does_not_matter() -> None:
    shuffled = (CAPTURE_1X2[2], CAPTURE_1X2[0], CAPTURE_1X2[1])
    assert market_margin(X12, shuffled) == pytest.approx(market_margin(X12, CAPTURE_1X2), abs=1e-15)
    p = book_probabilities(X12, shuffled)
    assert p == pytest.approx(book_probabilities(X12, CAPTURE_1X2), abs=1e-15)


def test_over_under_line_markets_are_plain_partitions() -> None:
    assert market_margin(OU, outs("Over=1.95 Under=1.85")) == pytest.approx(1 / 1.95 + 1 / 1.85 - 1, abs=1e-15)


# --- the SQL twin ---------------------------------------------------------------------------------------

def test_the_rule_table_is_the_catalogues(odds_conn: psycopg.Connection) -> None:
    rows = odds_conn.execute("SELECT market_id, name, covers, outcomes FROM market_margin_rules").fetchall()
    expected = {(m.betpawa_id, m.name, m.margin.covers, tuple(o.betpawa for o in m.outcomes if o.betpawa))
                for m in CATALOGUE if m.betpawa_id is not None}
    assert {(mid, name, covers, tuple(o)) for mid, name, covers, o in rows} == expected
    assert len(rows) == len(expected) > 100
