"""Data-quality rules of a window (``odds_assets.quality``), without Dagster or a database: quarantine,
the board and overround figures, completeness, kick-off agreement and the checks built on them.

Every expected value is written by hand here (prices, counts, shares), never taken from the product."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd
import pytest

from odds_assets.models import BoardScrape, Event, EventFailure, EventOdds, Market, Outcome
from odds_assets.quality import (
    CHECKS,
    QualityRules,
    board_figures,
    completeness,
    evaluate,
    kickoff_disagreements,
    overround_figures,
    quarantine,
)
from odds_assets.snapshot import build_snapshot
from odds_assets.summary import (
    BoardFigures,
    FailureSample,
    MarketTypeOverround,
    OverroundFigures,
    QuarantineFigures,
    ScrapeSummary,
    Timings,
)
from odds_assets_tests.factories import T0, event_odds, market

RULES = QualityRules(min_odds=Decimal("1.01"), max_odds=Decimal("1000"), completeness_min_ratio=0.5,
                     quarantine_error_share=0.001, coverage_drop_warn=0.05, overround_band=0.10,
                     overround_warn_share=0.02, kickoff_tolerance_minutes=10)
KICKOFF = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def summary(*, listed: int = 100, listing_complete: bool = True, events_complete: int = 100,
            outcomes: int = 1000, quarantined: int = 0, coverage: float | None = 0.9, priced: int = 100,
            out_of_band: int = 0) -> ScrapeSummary:
    """A hand-built summary; only the figures the checks read vary."""
    total = 1000 if coverage is not None else 0
    return ScrapeSummary(
        source="network", captured_at=T0, scrape_started_at=T0, scrape_finished_at=T0 + timedelta(seconds=40),
        board=BoardFigures(listed=listed, listing_complete=listing_complete, events_complete=events_complete,
                           events_failed=listed - events_complete, failure_reasons={}, failure_samples=(),
                           instances_total=total,
                           instances_mapped=round(total * coverage) if coverage is not None else 0,
                           mapping_coverage=coverage),
        dropped=(), markets=400, outcomes=outcomes,
        quarantine=QuarantineFigures(quarantined, quarantined, (), ("1.01", "1000")),
        overround=OverroundFigures(priced=priced, out_of_band=out_of_band,
                                   out_share=out_of_band / priced if priced else 0.0),
        raw_bytes=1234, timings=Timings(1.0, 0.5, 1.5))


def events_frame(*kickoffs: tuple[int, datetime], book: str = "betpawa") -> pd.DataFrame:
    """The events frame of a snapshot whose events kick off at the given times."""
    evs = [EventOdds(Event(book, sr, f"{book[:2]}{sr}", f"H{sr}", f"A{sr}", ko), (market(3743, None, "2", "3", "4"),))
           for sr, ko in kickoffs]
    return build_snapshot(book, T0, evs).events


# ---- quarantine -------------------------------------------------------------------------------------

def test_quarantine_makes_out_of_bounds_outcomes_inactive_without_price() -> None:
    ev = Event("betpawa", 1, "e1", "A", "B", datetime(2026, 12, 1, tzinfo=timezone.utc))
    good = Market(1, None, (Outcome("1", Decimal("2.1")), Outcome("X", Decimal("3.3")), Outcome("2", Decimal("3.9"))))
    bad = Market(2, Decimal("2.5"), (Outcome("Over", Decimal("1.005")), Outcome("Under", Decimal("2000"))))
    placeholder = Market(3, None, (Outcome("Yes", None, False), Outcome("No", Decimal("1.5"))))
    q = quarantine([EventOdds(ev, (good, bad, placeholder))], Decimal("1.01"), Decimal("1000"))
    assert (q.outcomes, q.markets) == (2, 1)  # the placeholder is not bad data
    [eo] = q.events
    assert eo.markets[0] is good and eo.markets[2] is placeholder
    assert eo.markets[1].outcomes == (Outcome("Over", None, False), Outcome("Under", None, False))


def test_quarantine_bounds_are_inclusive_and_samples_name_the_market() -> None:
    on_bounds = market(5000, "2.5", "1.01", "1000")
    outside = market(3743, None, "1.009", "3.5", "1000.01")
    q = quarantine([event_odds(1, on_bounds), event_odds(2, outside)], Decimal("1.01"), Decimal("1000"))
    assert (q.outcomes, q.markets) == (2, 1)
    assert q.events[0].markets == (on_bounds,)
    assert q.events[1].markets[0].outcomes == (Outcome("1", None, False), Outcome("X", Decimal("3.5")),
                                               Outcome("2", None, False))
    [sample] = q.figures.samples
    assert (sample.sr_event_id, sample.market_id, sample.line, dict(sample.outcomes)) == (
        2, 3743, None, {"1": "1.009", "2": "1000.01"})
    assert q.figures.bounds == ("1.01", "1000")


# ---- board figures ----------------------------------------------------------------------------------

def test_board_figures_count_listing_failures_by_type_and_mapping_coverage() -> None:
    def eo(sr: int, total: int, unmapped: dict[str, int]) -> EventOdds:
        base = event_odds(sr, market(3743, None, "2", "3", "4"), bookmaker="sportybet")
        return replace(base, unmapped=unmapped, instances_total=total)

    long_reason = "x" * 400
    board = BoardScrape(
        bookmaker="sportybet", started_at=T0, finished_at=T0 + timedelta(seconds=30),
        events=[eo(1, 10, {"sportybet:900069": 2, "sportybet:18": 1}), eo(2, 5, {}), eo(3, 5, {"sportybet:7": 1})],
        failures=[EventFailure("sportybet", "sr:match:4", "HTTP 503", "BookmakerUnavailable", 4),
                  EventFailure("sportybet", "sr:match:5", long_reason, "UnexpectedPayload", None),
                  EventFailure("sportybet", "sr:match:6", "timed out", "BookmakerUnavailable", 6)],
        listing_complete=False, listed=7)
    f = board_figures(board)
    # 20 instances offered, 2 + 1 + 1 = 4 of them unmapped: 16 mapped, 16 / 20 = 0.8
    assert f == BoardFigures(
        listed=7, listing_complete=False, events_complete=3, events_failed=3,
        failure_reasons={"BookmakerUnavailable": 2, "UnexpectedPayload": 1},
        failure_samples=(FailureSample("sr:match:4", 4, "BookmakerUnavailable", "HTTP 503"),
                         FailureSample("sr:match:5", None, "UnexpectedPayload", "x" * 300),
                         FailureSample("sr:match:6", 6, "BookmakerUnavailable", "timed out")),
        instances_total=20, instances_mapped=16, mapping_coverage=0.8)


def test_board_figures_of_a_board_without_instances_have_no_coverage() -> None:
    board = BoardScrape("betpawa", T0, T0, events=[], failures=[], listing_complete=True, listed=0)
    f = board_figures(board)
    assert (f.instances_total, f.instances_mapped, f.mapping_coverage) == (0, 0, None)
    assert (f.events_complete, f.events_failed, dict(f.failure_reasons), f.failure_samples) == (0, 0, {}, ())


def test_board_figures_keep_the_first_five_failure_samples() -> None:
    failures = [EventFailure("bet9ja", str(i), f"reason {i}", "BookmakerBlocked", i) for i in range(1, 8)]
    f = board_figures(BoardScrape("bet9ja", T0, T0, events=[], failures=failures, listing_complete=True,
                                  listed=7))
    assert [s.event for s in f.failure_samples] == ["1", "2", "3", "4", "5"]
    assert dict(f.failure_reasons) == {"BookmakerBlocked": 7} and f.events_failed == 7


# ---- overround --------------------------------------------------------------------------------------

def test_overround_figures_compare_each_instance_with_its_market_type_median() -> None:
    s = build_snapshot("betpawa", T0, [
        event_odds(1, market(3743, None, "2.0", "3.5", "4.0"), market(5000, "2.5", "1.9", "1.9")),
        event_odds(2, market(3743, None, "2.5", "3.2", "2.8"), market(5000, "2.5", "1.8", "2.0")),
        event_odds(3, market(3743, None, "1.5", "2.0", "2.0"),
                   market(5000, "2.5", "1.9", "1.9", inactive=("Under",)),  # suspended: not priced
                   market(3774, "0", "", "1.9", inactive=("1",))),  # a placeholder: not priced
    ])
    x12 = sorted([1 / 2.0 + 1 / 3.5 + 1 / 4.0 - 1,   # 0.0357
                  1 / 2.5 + 1 / 3.2 + 1 / 2.8 - 1,   # 0.0696
                  1 / 1.5 + 1 / 2.0 + 1 / 2.0 - 1])  # 0.6667
    ou = sorted([1 / 1.9 + 1 / 1.9 - 1, 1 / 1.8 + 1 / 2.0 - 1])  # 0.0526, 0.0556
    x12_median = x12[1]
    ou_median = (ou[0] + ou[1]) / 2
    # out of band: further than 0.10 from the median of its type; only the 0.6667 1X2 is
    assert [abs(v - x12_median) > 0.10 for v in x12] == [False, False, True]
    assert [abs(v - ou_median) > 0.10 for v in ou] == [False, False]
    f = overround_figures(s, 0.10)
    assert (f.priced, f.out_of_band, f.out_share) == (5, 1, 0.2)
    assert set(f.by_market) == {"3743"}  # only types with instances out of band are listed
    worst = f.by_market["3743"]
    assert (worst.n, worst.out) == (3, 1)
    assert worst.median == pytest.approx(x12_median, abs=5e-5)
    assert worst == MarketTypeOverround(3, 0.0696, 1)


def test_overround_band_edge_and_empty_snapshot() -> None:
    s = build_snapshot("betpawa", T0, [event_odds(1, market(5000, "2.5", "1.9", "1.9")),
                                       event_odds(2, market(5000, "2.5", "1.25", "2.5")),
                                       event_odds(3, market(5000, "2.5", "2.5", "1.25"))])
    # overrounds 1/1.9*2-1 = 0.0526 and 1/1.25+1/2.5-1 = 0.2 (twice): the median is 0.2, and 0.0526
    # is 0.1474 away from it: out of a 0.1 band, inside a 0.15 band
    assert overround_figures(s, 0.1).out_of_band == 1
    assert overround_figures(s, 0.15).out_of_band == 0
    empty = build_snapshot("betpawa", T0, [])
    assert overround_figures(empty, 0.1) == OverroundFigures(0, 0, 0.0, {})
    unpriced = build_snapshot("betpawa", T0, [event_odds(1, market(5000, "2.5", "", "1.9", inactive=("Over",)))])
    assert overround_figures(unpriced, 0.1) == OverroundFigures(0, 0, 0.0, {})


def test_overround_measures_the_margin_by_the_catalogue_rule() -> None:
    """A double chance's margin is Σ 1/odds / 2 − 1 (about a 1X2's), not Σ 1/odds − 1 (about 110 %); an
    incomplete set and a type without a margin of its own (multigoals) are not measured."""
    def dc(a: str, b: str, c: str) -> Market:
        return Market(4693, None, (Outcome("1X", Decimal(a)), Outcome("X2", Decimal(b)), Outcome("12", Decimal(c))))
    multigoals = Market(28000047, None, tuple(Outcome(n, Decimal("3.0")) for n in ("1-2", "2-3", "No goal")))
    s = build_snapshot("betpawa", T0, [
        event_odds(1, dc("1.39", "1.56", "1.35"), market(3743, None, "2.41", "3.29", "3.02")),
        event_odds(2, dc("1.30", "1.60", "1.40"), multigoals,
                   # a type outside the catalogue, names needing escapes: mutually exclusive, measured
                   Market(7, None, (Outcome("a;b", Decimal("2.1")), Outcome("c=d!", Decimal("2.1"))))),
        event_odds(3, dc("1.15", "1.85", "1.30"), Market(3743, None, (Outcome("1", Decimal("1.5")),))),
    ])
    margins = sorted([(1 / 1.39 + 1 / 1.56 + 1 / 1.35) / 2 - 1,   # 0.0506
                      (1 / 1.30 + 1 / 1.60 + 1 / 1.40) / 2 - 1,   # 0.0543, the median
                      (1 / 1.15 + 1 / 1.85 + 1 / 1.30) / 2 - 1])  # 0.0897: 0.0354 from the median
    f = overround_figures(s, 0.02)
    assert f.priced == 5  # three double chances, the complete 1X2 and market 7
    assert f.out_of_band == 1 and f.by_market == {"4693": MarketTypeOverround(3, round(margins[1], 4), 1)}
    assert overround_figures(s, 0.04).out_of_band == 0


# ---- completeness -----------------------------------------------------------------------------------

def test_completeness_blocks_a_truncated_listing() -> None:
    v = completeness(summary(listed=37, events_complete=37, listing_complete=False), summary(events_complete=40), 0.5)
    assert not v.ok
    assert "truncated" in v.reason and "37 events listed" in v.reason


def test_completeness_blocks_a_board_below_the_minimum_ratio_naming_the_counts() -> None:
    v = completeness(summary(events_complete=40), summary(events_complete=100), 0.5)
    assert not v.ok
    assert (v.events, v.previous_events, v.ratio) == (40, 100, 0.4)
    assert v.reason == "40 complete events, 40% of the previous window's 100 (minimum 50%)"
    just_below = completeness(summary(events_complete=49), summary(events_complete=100), 0.5)
    assert not just_below.ok and "49 complete events" in just_below.reason


def test_completeness_without_a_previous_window_is_ok() -> None:
    v = completeness(summary(events_complete=3), None, 0.5)
    assert v.ok and (v.events, v.previous_events, v.ratio) == (3, None, None)


@pytest.mark.parametrize("events,previous,min_ratio", [(50, 100, 0.5), (3, 10, 0.3), (100, 100, 1.0)])
def test_completeness_exactly_at_the_minimum_is_ok(events: int, previous: int, min_ratio: float) -> None:
    v = completeness(summary(events_complete=events), summary(events_complete=previous), min_ratio)
    assert v.ok and v.reason == "complete"
    assert v.ratio == min_ratio


# ---- kick-off agreement -----------------------------------------------------------------------------

def test_kickoff_disagreements_tolerance_edge() -> None:
    ours = events_frame((1, KICKOFF), (2, KICKOFF), (3, KICKOFF), (4, KICKOFF))
    sporty = events_frame((1, KICKOFF + timedelta(minutes=10)),  # exactly at the tolerance: agrees
                          (2, KICKOFF + timedelta(minutes=10, seconds=1)),  # just beyond: disagrees
                          (3, KICKOFF - timedelta(minutes=11)),  # earlier: disagrees
                          (5, KICKOFF + timedelta(hours=5)),  # not on our board: not compared
                          book="sportybet")
    bet9ja = events_frame((1, KICKOFF), (4, KICKOFF + timedelta(minutes=9)), book="bet9ja")
    k = kickoff_disagreements(ours, {"sportybet": sporty, "bet9ja": bet9ja}, 10)
    assert (k.compared, k.disagreeing) == (5, 2)
    assert sorted(k.samples, key=lambda s: s["sr_event_id"]) == [
        {"sr_event_id": 2, "book": "sportybet", "kickoff": "2026-11-25T12:00:00+00:00",
         "other": "2026-11-25T12:10:01+00:00"},
        {"sr_event_id": 3, "book": "sportybet", "kickoff": "2026-11-25T12:00:00+00:00",
         "other": "2026-11-25T11:49:00+00:00"},
    ]
    # with 11 minutes both agree (11 minutes earlier is not more than 11)
    assert kickoff_disagreements(ours, {"sportybet": sporty}, 11).disagreeing == 0
    nothing = kickoff_disagreements(ours, {}, 10)
    assert (nothing.compared, nothing.disagreeing, nothing.samples) == (0, 0, ())


# ---- the checks -------------------------------------------------------------------------------------

def _passed(res: dict) -> dict[str, bool]:
    return {name: c.passed for name, c in res.items()}


def test_evaluate_a_clean_window_passes_every_check_with_its_figures() -> None:
    ours = events_frame((1, KICKOFF), (2, KICKOFF))
    others = {"sportybet": events_frame((1, KICKOFF), book="sportybet")}
    res = evaluate(summary(quarantined=1, outcomes=1000, coverage=0.91, events_complete=60, out_of_band=2),
                   summary(events_complete=100, coverage=0.95), RULES, ours, others)
    assert tuple(res) == CHECKS
    assert _passed(res) == dict.fromkeys(CHECKS, True)
    # 1 of 1000 outcomes quarantined: exactly the 0.001 threshold, still passing
    assert res["price_bounds"].figures["share"] == 0.001
    assert res["price_bounds"].figures["quarantined_outcomes"] == 1
    # 2 of 100 priced instances out of band: exactly the 0.02 share, still passing
    assert res["overround"].figures["out_share"] == 0.02
    c = res["completeness"].figures
    assert (c["events_complete"], c["previous_events_complete"], c["ratio"]) == (60, 100, 0.6)
    m = res["mapping_coverage"].figures
    assert (m["coverage"], m["previous_coverage"], m["drop"]) == (0.91, 0.95, 0.04)
    k = res["kickoff_agreement"].figures
    assert (k["compared"], k["disagreeing"]) == (1, 0)


@pytest.mark.parametrize("current,previous,failing", [
    # price_bounds: 2 of 1000 outcomes quarantined is 0.002 > 0.001
    (dict(quarantined=2, outcomes=1000), {}, "price_bounds"),
    # overround: 3 of 100 priced instances out of band is 0.03 > 0.02
    (dict(out_of_band=3, priced=100), {}, "overround"),
    # completeness: truncated listing
    (dict(listing_complete=False, listed=30, events_complete=30), {}, "completeness"),
    # completeness: 49 of the previous window's 100 complete events
    (dict(events_complete=49), dict(events_complete=100), "completeness"),
    # mapping_coverage: 0.95 -> 0.89 drops 0.06 > 0.05
    (dict(coverage=0.89), dict(coverage=0.95), "mapping_coverage"),
], ids=["price_bounds", "overround", "truncated", "completeness_ratio", "coverage_drop"])
def test_evaluate_fails_exactly_the_check_whose_rule_is_broken(current: dict, previous: dict, failing: str) -> None:
    ours = events_frame((1, KICKOFF))
    res = evaluate(summary(**current), summary(**previous), RULES, ours, {})
    assert _passed(res) == {name: name != failing for name in CHECKS}
    assert res[failing].description


def test_evaluate_mapping_coverage_figures_and_missing_references() -> None:
    ours = events_frame((1, KICKOFF))
    drop = evaluate(summary(coverage=0.89), summary(coverage=0.95), RULES, ours, {})["mapping_coverage"]
    assert not drop.passed and drop.figures["drop"] == 0.06
    assert (drop.figures["coverage"], drop.figures["previous_coverage"]) == (0.89, 0.95)
    # no previous window, or a board without instances: nothing to compare, passing; -1 stands for none
    first = evaluate(summary(coverage=0.2), None, RULES, ours, {})
    assert first["mapping_coverage"].passed and first["mapping_coverage"].figures["previous_coverage"] == -1.0
    assert first["completeness"].passed and first["completeness"].figures["previous_events_complete"] == -1
    assert first["completeness"].figures["ratio"] == -1.0
    empty = evaluate(summary(coverage=None), summary(coverage=0.95), RULES, ours, {})["mapping_coverage"]
    assert empty.passed and empty.figures["coverage"] == -1.0 and empty.figures["drop"] == 0.0
    # a coverage that rises is no drop
    assert evaluate(summary(coverage=0.99), summary(coverage=0.5), RULES, ours, {})["mapping_coverage"].passed


def test_evaluate_kickoff_agreement_fails_on_a_disagreement_and_price_bounds_on_an_empty_board() -> None:
    ours = events_frame((1, KICKOFF), (2, KICKOFF))
    late = {"bet9ja": events_frame((2, KICKOFF + timedelta(minutes=30)), book="bet9ja")}
    res = evaluate(summary(), summary(), RULES, ours, late)
    assert _passed(res) == {name: name != "kickoff_agreement" for name in CHECKS}
    assert res["kickoff_agreement"].figures["samples"][0]["sr_event_id"] == 2
    # a board without outcomes has nothing quarantined: share 0, passing
    empty = evaluate(summary(outcomes=0, quarantined=0), None, RULES, ours, {})
    assert empty["price_bounds"].passed and empty["price_bounds"].figures["share"] == 0
