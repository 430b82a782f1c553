"""Started and withdrawn events: ``odds show`` never prints prices that are no longer live as if they were.

The rule (``board_state``) against hand-set times, then the command (table and JSON) against the board
of ``conftest`` written by the engine: SR 7 once its kick-off has passed, SR 7 after sportybet stopped
listing it, and SR 8, which betpawa (its only book) stopped listing at t5. Expected prices, best prices
and times are written out here from the scenario, not read from the product.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from odds_assets.db.engine import apply_snapshot
from odds_assets.trader.data import board_state
from odds_assets_tests.factories import T0, at, event_odds, market, snap
from odds_assets_tests.test_trader.conftest import OTHER_SR, SR, X12, set_clock
from odds_assets_tests.test_trader.test_show import block, run

KICKOFF = T0 + timedelta(days=1)  # factories.event_odds


# -- the rule -----------------------------------------------------------------------------------------

def test_rule_live_event_is_on_the_board():
    state = board_state(KICKOFF, {"betpawa": None, "bet9ja": None}, KICKOFF - timedelta(minutes=1))
    assert (state.started_at, state.since, dict(state.withdrawn_at), dict(state.books_off)) == (None, None, {}, {})
    assert state.book_off_since("betpawa") is None


def test_rule_kick_off_takes_every_book_off_at_the_kick_off():
    now = KICKOFF + timedelta(minutes=20)
    state = board_state(KICKOFF, {"betpawa": None, "sportybet": KICKOFF + timedelta(minutes=5)}, now)
    assert state.started_at == KICKOFF and state.since == KICKOFF
    assert dict(state.withdrawn_at) == {"sportybet": KICKOFF + timedelta(minutes=5)}
    assert dict(state.books_off) == {"betpawa": KICKOFF, "sportybet": KICKOFF}  # whichever came first
    assert state.book_off_since("bet9ja") is None  # not listed at all


def test_rule_one_book_withdrawn_leaves_the_event_on_the_board():
    now = at(30)
    state = board_state(KICKOFF, {"betpawa": None, "sportybet": at(9)}, now)
    assert state.started_at is None and state.since is None
    assert dict(state.books_off) == {"sportybet": at(9)}


def test_rule_every_book_withdrawn_takes_the_event_off_at_the_last_withdrawal():
    state = board_state(KICKOFF, {"betpawa": at(5), "sportybet": at(9)}, at(30))
    assert state.since == at(9) and state.started_at is None
    # postponed: every book withdrew before the kick-off, which then passed: off since the withdrawals
    later = board_state(KICKOFF, {"betpawa": at(5), "sportybet": at(9)}, KICKOFF + timedelta(hours=1))
    assert later.since == at(9) and later.started_at == KICKOFF
    assert dict(later.books_off) == {"betpawa": at(5), "sportybet": at(9)}


def test_rule_a_window_after_now_does_not_count():
    state = board_state(KICKOFF, {"betpawa": at(5)}, at(4))
    assert state.since is None and not state.withdrawn_at


# -- odds show ----------------------------------------------------------------------------------------

def test_started_event_says_so_and_marks_every_column_off(board, capsys, monkeypatch):
    set_clock(monkeypatch, KICKOFF + timedelta(minutes=20))
    code, out, _ = run(capsys, "show", str(SR))
    assert code == 0
    lines = out.splitlines()
    assert lines[2] == ("started 2026-11-25 12:00 UTC — prices below are the last pre-match prices, not live")
    rows = block(out, "1x2_ft (3743)")
    assert rows[0] == ["line", "outcome", "betpawa", "(off)", "sportybet", "(off)", "bet9ja", "(off)", "best"]
    # every price bracketed (the last pre-match ones); best over them all, since none is live
    assert rows[1] == ["1", "(2.50)", "(2.45)", "(2.45)", "2.50", "betpawa"]
    assert rows[2] == ["X", "(3.30*)", "(3.20)", "(3.40)", "3.40", "bet9ja"]
    ou = block(out, "over_under_ft (5000)")
    assert ou[5] == ["2.5", "Over", "(1.95)", "gone", "—", "1.95", "betpawa"]  # no price: nothing to bracket
    assert "the book no longer has the event on its board" in out

    code, out, _ = run(capsys, "show", str(SR), "--json")
    doc = json.loads(out)
    assert (doc["event"]["started_at"], doc["event"]["off_board_since"]) == ("2026-11-25T12:00:00Z",) * 2
    for book in ("betpawa", "sportybet", "bet9ja"):
        assert doc["books"][book]["off_board_since"] == "2026-11-25T12:00:00Z"
        assert doc["books"][book]["withdrawn_at"] is None


def test_kick_off_not_yet_passed_prints_no_status(board, capsys, monkeypatch):
    set_clock(monkeypatch, KICKOFF - timedelta(minutes=1))
    _, out, _ = run(capsys, "show", str(SR))
    assert "started" not in out and "(off)" not in out and "(2." not in out


def test_withdrawn_book_is_named_with_its_time_and_left_out_of_best(board, capsys):
    # sportybet's t9 window lists only SR 8: SR 7 is no longer on its board
    sb = "sportybet"
    apply_snapshot(board.conn, snap(9, event_odds(OTHER_SR, market(X12, None, "1.60", "3.90", "5.50"),
                                                  bookmaker=sb), bookmaker=sb))
    code, out, _ = run(capsys, "show", str(SR))
    assert code == 0
    assert "started" not in out and "off the board since" not in out  # the other books still list it
    header = {r[0]: r[1:] for r in (line.split() for line in out.splitlines()[3:7])}
    assert header["sportybet"] == [f"sp{SR}", "2026-11-24", "12:06", "withdrawn", "at", "2026-11-24", "12:09", "UTC"]
    assert header["betpawa"] == [f"be{SR}", "2026-11-24", "12:05"]
    rows = block(out, "1x2_ft (3743)")
    assert rows[0] == ["line", "outcome", "betpawa", "sportybet", "(off)", "bet9ja", "best"]
    # quotes at t10: betpawa 2.50 / 3.30 suspended / 2.90, sportybet 2.45/3.20/3.10 (off), bet9ja 2.45/3.40/3.10
    assert rows[1] == ["1", "2.50", "(2.45)", "2.45", "2.50", "betpawa"]
    assert rows[2] == ["X", "3.30*", "(3.20)", "3.40", "3.40", "bet9ja"]
    assert rows[3] == ["2", "2.90", "(3.10)", "3.10", "3.10", "bet9ja"]  # was a tie with sportybet

    _, out, _ = run(capsys, "show", str(SR), "--json")
    doc = json.loads(out)
    assert doc["books"]["sportybet"]["withdrawn_at"] == "2026-11-24T12:09:00Z"
    assert doc["books"]["sportybet"]["off_board_since"] == "2026-11-24T12:09:00Z"
    assert doc["books"]["betpawa"]["off_board_since"] is None
    assert doc["event"]["off_board_since"] is None
    two = doc["markets"][0]["lines"][0]["outcomes"][2]
    assert (two["outcome"], two["best_odds"], two["best_bookmakers"]) == ("2", 3.1, ["bet9ja"])
    assert two["books"]["sportybet"] == {"odds": 3.1, "state": "active"}  # its last price, still shown


def test_event_no_book_lists_any_more_is_off_the_board_since_the_withdrawal(board, capsys):
    code, out, _ = run(capsys, "show", str(OTHER_SR))
    assert code == 0
    lines = out.splitlines()
    assert lines[2] == ("off the board since 2026-11-24 12:05 UTC: no book lists it any more — "
                        "prices below are the last prices, not live")
    assert lines[5].split() == ["betpawa", f"be{OTHER_SR}", "2026-11-24", "12:00", "withdrawn", "at",
                                "2026-11-24", "12:05", "UTC"]
    rows = block(out, "1x2_ft (3743)")
    assert rows[1] == ["1", "(1.50)", "—", "—", "1.50", "betpawa"]

    _, out, _ = run(capsys, "show", str(OTHER_SR), "--json")
    doc = json.loads(out)
    assert doc["event"]["off_board_since"] == "2026-11-24T12:05:00Z" and doc["event"]["started_at"] is None
    assert doc["books"]["betpawa"]["withdrawn_at"] == "2026-11-24T12:05:00Z"
    assert doc["books"]["sportybet"] is None


@pytest.mark.parametrize("minutes", [4, 5])
def test_the_withdrawal_counts_from_the_first_window_without_the_event(board, capsys, monkeypatch, minutes):
    set_clock(monkeypatch, at(minutes))
    _, out, _ = run(capsys, "show", str(OTHER_SR))
    assert ("withdrawn at 2026-11-24 12:05 UTC" in out) == (minutes >= 5)
