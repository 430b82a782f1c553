"""``odds show``: the books side by side (table and JSON) against the board applied by the engine.

Expected margins are computed here from the odds, independently of the SQL view.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from odds_assets.cli import main
from odds_assets_tests.factories import at
from odds_assets_tests.test_trader.conftest import SR


def margin_pct(*odds: str) -> Decimal:
    """Overround − 1 in percent: Σ 1/odds − 1."""
    return (sum((Decimal(1) / Decimal(o) for o in odds), Decimal(0)) - 1) * 100


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def block(text: str, title: str) -> list[list[str]]:
    """The whitespace-split rows of one market block (after its title line, up to the blank line)."""
    lines = text.splitlines()
    start = lines.index(title) + 1
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        rows.append(line.split())
    return rows


def test_table_has_each_books_odds_best_price_margin_and_last_change(board, capsys):
    code, out, _ = run(capsys, "show", str(SR))
    assert code == 0
    assert out.startswith(f"Home {SR} v Away {SR}\n")
    assert "kick-off 2026-11-25 12:00 UTC · League · Land" in out
    header = {r[0]: r[1:] for r in (line.split() for line in out.splitlines()[3:7])}
    assert header["betpawa"] == [f"be{SR}", "2026-11-24", "12:05"]
    assert header["sportybet"] == [f"sp{SR}", "2026-11-24", "12:06"]
    assert header["bet9ja"] == [f"be{SR}", "2026-11-24", "12:08"]

    rows = block(out, "1x2_ft (3743)")
    assert rows[0] == ["line", "outcome", "betpawa", "sportybet", "bet9ja", "best"]
    assert rows[1] == ["1", "2.50", "2.45", "2.45", "2.50", "betpawa"]
    assert rows[2] == ["X", "3.30*", "3.20", "3.40", "3.40", "bet9ja"]  # betpawa's X is suspended
    assert rows[3] == ["2", "2.90", "3.10", "3.10", "3.10", "sportybet,bet9ja"]  # a tie names both
    sb = margin_pct("2.45", "3.20", "3.10")
    b9 = margin_pct("2.45", "3.40", "3.10")
    assert rows[4] == ["margin", "—", f"{sb:.2f}%", f"{b9:.2f}%"]  # no margin over a suspended outcome
    assert rows[5] == ["changed", "2026-11-24", "12:05", "2026-11-24", "12:01", "2026-11-24", "12:08"]

    ou = block(out, "over_under_ft (5000)")
    assert ou[1:5] == [
        ["1.5", "Over", "gone", "—", "—", "—"],
        ["Under", "gone", "—", "—", "—"],
        ["margin", "—", "—", "—"],
        ["changed", "2026-11-24", "12:05", "—", "—"],  # gone at t5
    ]
    assert ou[5:9] == [
        ["2.5", "Over", "1.95", "gone", "—", "1.95", "betpawa"],  # sportybet took it down, bet9ja never had it
        ["Under", "1.85", "gone", "—", "1.85", "betpawa"],
        ["margin", f"{margin_pct('1.95', '1.85'):.2f}%", "—", "—"],
        ["changed", "2026-11-24", "12:00", "2026-11-24", "12:06", "—"],
    ]
    # markets in catalogue order, the other event never shows
    assert out.index("1x2_ft (3743)") < out.index("over_under_ft (5000)")
    assert "1.50" not in out and "6.00" not in out


def test_market_filter_by_name_or_id(board, capsys):
    for arg in ("over_under_ft", "5000"):
        code, out, _ = run(capsys, "show", str(SR), "--market", arg)
        assert code == 0
        assert "over_under_ft (5000)" in out and "1x2_ft" not in out
    code, _, err = run(capsys, "show", str(SR), "--market", "no_such_market")
    assert code == 2 and "unknown market 'no_such_market'" in err


def test_json_has_the_same_data(board, capsys):
    code, out, _ = run(capsys, "show", str(SR), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["event"] == {"sr_event_id": SR, "home": f"Home {SR}", "away": f"Away {SR}",
                            "kickoff": "2026-11-25T12:00:00Z", "competition": "League", "country": "Land",
                            "started_at": None, "off_board_since": None}
    assert doc["books"]["sportybet"] == {"event_id": f"sp{SR}", "first_seen_at": "2026-11-24T12:01:00Z",
                                         "last_confirmed_at": "2026-11-24T12:06:00Z", "withdrawn_at": None,
                                         "off_board_since": None}
    assert [(m["market_id"], m["name"]) for m in doc["markets"]] == [  # catalogue order
        (3743, "1x2_ft"), (5000, "over_under_ft"), (3774, "2way_handicap_ft")]
    x12 = doc["markets"][0]
    assert x12["market_id"] == 3743 and x12["name"] == "1x2_ft"
    (line,) = x12["lines"]
    assert line["line"] is None
    assert [o["outcome"] for o in line["outcomes"]] == ["1", "X", "2"]
    x = line["outcomes"][1]
    assert x["books"] == {"betpawa": {"odds": 3.3, "state": "suspended"},
                          "sportybet": {"odds": 3.2, "state": "active"},
                          "bet9ja": {"odds": 3.4, "state": "active"}}
    assert (x["best_odds"], x["best_bookmakers"]) == (3.4, ["bet9ja"])
    assert line["outcomes"][2]["best_bookmakers"] == ["sportybet", "bet9ja"]
    assert line["margin_pct"]["betpawa"] is None
    assert line["margin_pct"]["sportybet"] == pytest.approx(float(margin_pct("2.45", "3.20", "3.10")), abs=1e-4)
    assert line["margin_pct"]["bet9ja"] == pytest.approx(float(margin_pct("2.45", "3.40", "3.10")), abs=1e-4)
    assert line["last_changed_at"] == {"betpawa": at(5).isoformat().replace("+00:00", "Z"),
                                       "sportybet": "2026-11-24T12:01:00Z", "bet9ja": "2026-11-24T12:08:00Z"}
    ou = next(m for m in doc["markets"] if m["market_id"] == 5000)
    assert [ln["line"] for ln in ou["lines"]] == [1.5, 2.5]
    over = ou["lines"][1]["outcomes"][0]
    assert over["books"] == {"betpawa": {"odds": 1.95, "state": "active"},
                             "sportybet": {"odds": None, "state": "gone"},
                             "bet9ja": {"odds": None, "state": None}}


def test_handicap_line_zero_and_no_line_are_separate_rows(board, capsys):
    code, out, _ = run(capsys, "show", str(SR), "--market", "3774", "--json")
    assert code == 0
    (ah,) = json.loads(out)["markets"]
    assert [ln["line"] for ln in ah["lines"]] == [None, -0.5, 0.0]


def test_unknown_event_exits_2_with_a_clear_message(board, capsys):
    code, out, err = run(capsys, "show", "999999")
    assert code == 2
    assert out == ""
    assert "unknown event" in err and "999999" in err


def test_event_without_markets_for_a_filter_says_so(board, capsys):
    code, out, _ = run(capsys, "show", str(SR), "--market", "btts_ft")
    assert code == 0
    assert "no current market 3795 for this event" in out
