"""Building and checking a snapshot (``odds_assets.snapshot``) without a database: the encoded form of
outcomes and lines, invalid events dropped and named, a window invalid as a whole refused.

(The write engine's tests of the same rules through PostgreSQL stay in ``test_db/test_engine.py``.)"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd
import pytest

from odds_assets.errors import SnapshotError
from odds_assets.models import Event, EventOdds, Market, Outcome
from odds_assets.snapshot import (
    EVENT_COLUMNS,
    Snapshot,
    build_snapshot,
    check_snapshot,
    decode_outcomes,
    event_problems,
    outcome_problems,
)
from odds_assets_tests.factories import T0, at, event_odds, market

X12 = market(3743, None, "2.40", "3.30", "3.00")
OU25 = market(5000, "2.5", "1.95", "1.85")


def _rows(s: Snapshot) -> list[tuple]:
    return list(s.markets.itertuples(index=False, name=None))


def test_encoded_outcomes_and_lines_of_hand_built_markets() -> None:
    markets = (
        Market(3743, None, (Outcome("1", Decimal("2.40")), Outcome("X", Decimal("3.300")),
                            Outcome("2", Decimal("3.00")))),
        Market(3774, Decimal("-0.50"), (Outcome("1", Decimal("2.1")), Outcome("2", Decimal("1.70"), False))),
        Market(3774, Decimal("0.00"), (Outcome("1", None, False), Outcome("2", Decimal("1.9")))),
        Market(5000, Decimal("2.500"), (Outcome("Over", Decimal("1E+1")), Outcome("Under", Decimal("1.05")))),
        Market(9001, Decimal("-0"), (Outcome("Home; or =Draw!", Decimal("1.5")), Outcome("a\\b", Decimal("12.50"))))
    )
    s = build_snapshot("betpawa", at(0), [EventOdds(
        Event("betpawa", 77, "bp77", "Home 77", "Away 77",
              datetime(2026, 11, 25, 13, 30, tzinfo=timezone(timedelta(hours=1))), "League", "Land"), markets)])
    assert s.rejected == ()
    assert _rows(s) == [
        (77, 3743, None, "1=2.4;X=3.3;2=3"),
        (77, 3774, "-0.5", "1=2.1;2=1.7!"),
        (77, 3774, "0", "1=!;2=1.9"),
        (77, 5000, "2.5", "Over=10;Under=1.05"),
        (77, 9001, "0", "Home\\; or \\=Draw\\!=1.5;a\\\\b=12.5"),
    ]
    # decoding gives the names back unescaped and the prices exactly
    assert decode_outcomes("Home\\; or \\=Draw\\!=1.5;a\\\\b=12.5") == (
        Outcome("Home; or =Draw!", Decimal("1.5")), Outcome("a\\b", Decimal("12.5")))
    assert decode_outcomes("1=!;2=1.9") == (Outcome("1", None, False), Outcome("2", Decimal("1.9")))
    [row] = s.events[EVENT_COLUMNS].itertuples(index=False, name=None)
    assert row == (77, "bp77", "Home 77", "Away 77", pd.Timestamp("2026-11-25T12:30:00Z"), "League", "Land")
    # a hand-built observation was not read from a response: when it was fetched is unknown
    assert list(s.events.columns) == [*EVENT_COLUMNS, "fetched_at"] and s.events["fetched_at"].isna().all()
    assert str(s.events["kickoff"].dt.tz) == "UTC"
    assert [str(t) for t in s.markets.dtypes] == ["int64", "int64", "object", "object"]


def test_invalid_events_are_dropped_and_named_while_valid_ones_stay() -> None:
    naive = EventOdds(Event("betpawa", 3, "bp3", "H", "A", datetime(2026, 11, 25, 12, 0)), (X12,))
    s = build_snapshot("betpawa", at(0), [
        event_odds(1, X12, OU25),
        event_odds(2, X12, Market(3774, Decimal("-0.5"), (Outcome("1", Decimal("1.0")), Outcome("2", Decimal("3"))))),
        naive,
        event_odds(4, Market(3774, Decimal("0.125"), (Outcome("1", Decimal("2")), Outcome("2", Decimal("2"))))),
        event_odds(5, X12),
        event_odds(6, OU25, bookmaker="sportybet"),
        event_odds(7, OU25), event_odds(7, X12),  # listed twice: which copy is right cannot be told
        event_odds(8, X12, market(3743, None, "2.5", "3.3", "3")),  # one market key twice
    ])
    assert list(s.events["sr_event_id"]) == [1, 5]
    assert _rows(s) == [(1, 3743, None, "1=2.4;X=3.3;2=3"), (1, 5000, "2.5", "Over=1.95;Under=1.85"),
                        (5, 3743, None, "1=2.4;X=3.3;2=3")]
    by_event = {e.sr_event_id: e for e in s.rejected}
    assert set(by_event) == {2, 3, 4, 6, 7, 8} and len(s.rejected) == 6
    assert {sr: (e.bookmaker, e.field, e.market_id) for sr, e in by_event.items()} == {
        2: ("betpawa", "outcomes", 3774), 3: ("betpawa", "kickoff", None), 4: ("betpawa", "line", 3774),
        6: ("betpawa", "bookmaker", None), 7: ("betpawa", "sr_event_id", None), 8: ("betpawa", "line", 3743)}
    assert str(by_event[2]) == ("outcome '1' odds 1.0 <= 1.0 "
                                "(bookmaker=betpawa, event=2, market=3774, line=-0.5, field=outcomes)")
    assert str(by_event[3]) == "kickoff must be timezone-aware (bookmaker=betpawa, event=3, field=kickoff)"
    assert "event=4" in str(by_event[4]) and "market=3774" in str(by_event[4]) and "field=line" in str(by_event[4])
    assert "listed twice" in str(by_event[7]) and "event=7" in str(by_event[7])
    assert "event=8" in str(by_event[8]) and "market=3743" in str(by_event[8])


def test_a_window_invalid_as_a_whole_raises() -> None:
    with pytest.raises(SnapshotError, match="unknown bookmaker 'bet365'") as unknown:
        build_snapshot("bet365", at(0), [event_odds(1, X12)])
    assert unknown.value.field == "bookmaker"
    with pytest.raises(SnapshotError, match="captured_at must be a timezone-aware") as naive:
        build_snapshot("betpawa", datetime(2026, 11, 24, 12, 0), [event_odds(1, X12)])
    assert naive.value.field == "captured_at" and naive.value.bookmaker == "betpawa"


def _frames(markets: list[tuple], events: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    ev = pd.DataFrame({
        "sr_event_id": pd.array(events, dtype="int64"), "bookmaker_event_id": [f"bp{e}" for e in events],
        "home": ["H"] * len(events), "away": ["A"] * len(events),
        "kickoff": pd.to_datetime([T0] * len(events), utc=True),
        "competition": [None] * len(events), "country": [None] * len(events)})
    mk = pd.DataFrame(markets, columns=["sr_event_id", "market_id", "line", "outcomes"])
    mk["sr_event_id"] = mk["sr_event_id"].astype("int64")
    mk["market_id"] = mk["market_id"].astype("int64")
    return ev, mk


def test_check_snapshot_refuses_frames_invalid_as_a_whole() -> None:
    ev, mk = _frames([(1, 3743, None, "1=2;X=3;2=4")], [1])
    check_snapshot(Snapshot("betpawa", at(0), ev, mk))  # valid: nothing raised
    with pytest.raises(SnapshotError, match=r"markets frame lacks columns \['line'\]"):
        check_snapshot(Snapshot("betpawa", at(0), ev, mk.drop(columns=["line"])))
    with pytest.raises(SnapshotError, match=r"events frame lacks columns \['kickoff'\]"):
        check_snapshot(Snapshot("betpawa", at(0), ev.drop(columns=["kickoff"]), mk))
    with pytest.raises(SnapshotError, match="market_id must be integers") as floats:
        check_snapshot(Snapshot("betpawa", at(0), ev, mk.assign(market_id=mk["market_id"].astype(float))))
    assert floats.value.field == "market_id"
    naive_kickoff = ev.assign(kickoff=pd.to_datetime([datetime(2026, 11, 25, 12, 0)]))
    with pytest.raises(SnapshotError, match="kickoff must be timezone-aware") as naive:
        check_snapshot(Snapshot("betpawa", at(0), naive_kickoff, mk))
    assert naive.value.field == "kickoff"
    with pytest.raises(SnapshotError, match="unknown bookmaker"):
        Snapshot("pinnacle", at(0), ev, mk)
    with pytest.raises(SnapshotError, match="captured_at must be a timezone-aware"):
        Snapshot("betpawa", datetime(2026, 11, 24, 12, 0), ev, mk)


@pytest.mark.parametrize("markets,events,bad_event,message,field", [
    ([(1, 3743, None, "1=2.50;X=3;2=4")], [1, 2], 1, "'2.50' is not in canonical form", "outcomes"),
    ([(1, 3743, None, "1=2;1=3")], [1, 2], 1, "duplicate outcome names", "outcomes"),
    ([(1, 3743, None, "1=;X=3;2=4")], [1, 2], 1, "'1' is active but has no odds", "outcomes"),
    ([(1, 3774, "0.50", "1=2;2=2")], [1, 2], 1, "not a canonical decimal", "line"),
    ([(1, 3774, "0.5", "1=2;2=2"), (1, 3774, "0.5", "1=2;2=3")], [1, 2], 1, "market listed twice", "line"),
    ([(9, 3743, None, "1=2;X=3;2=4")], [1, 2], 9, "not in the snapshot's complete set", "sr_event_id"),
    ([], [1, 2, 2], 2, "event listed twice", "sr_event_id"),
    ([], [0, 1, 2], 0, "SportRadar id must be positive", "sr_event_id"),
], ids=["non_canonical_odds", "duplicate_names", "active_without_odds", "non_canonical_line", "same_key_twice",
        "orphan_market", "duplicate_event", "non_positive_id"])
def test_frame_problems_name_the_event_and_field(markets: list[tuple], events: list[int], bad_event: int,
                                                 message: str, field: str) -> None:
    """The frames path (Parquet, the write engine) finds the same problems per event."""
    good = [(1, 5000, "2.5", "Over=1.9;Under=1.9"), (2, 3743, None, "1=2;X=3;2=4")]
    ev, mk = _frames(good + markets, events)
    s = Snapshot("betpawa", at(0), ev, mk)
    problems = {**outcome_problems("betpawa", s.markets), **event_problems(s)}
    assert list(problems) == [bad_event]
    err = problems[bad_event]
    assert message in str(err) and "bookmaker=betpawa" in str(err) and f"event={bad_event}" in str(err)
    assert (err.sr_event_id, err.field) == (bad_event, field)
    kept = s.without(problems)
    assert bad_event not in set(kept.events["sr_event_id"]) | set(kept.markets["sr_event_id"])
    assert kept.rejected == (err,)


def test_a_valid_board_has_no_frame_problems() -> None:
    s = build_snapshot("betpawa", at(0), [event_odds(1, X12, OU25, market(3774, "0", "1.9", "1.9")),
                                          event_odds(2, market(3774, None, "1.8", "2"))])
    assert event_problems(s) == {} and outcome_problems("betpawa", s.markets) == {}
    assert s.without({}) is s
