"""``odds history``: each book's price path equals what the engine wrote to market_odds_history
(order, odds, suspended, unavailable); line selection errors; ``--since/--until``; ``--plot`` PNG."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odds_assets.cli import main
from odds_assets.snapshot import decode_outcomes
from odds_assets_tests.factories import at
from odds_assets_tests.test_trader.conftest import OU, SR, X12


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def iso(minutes: float) -> str:
    return at(minutes).isoformat().replace("+00:00", "Z")


def expected_paths(conn, market_id: int, line_h: int) -> dict[tuple[str, str], list[tuple]]:
    """The paths decoded in Python straight from market_odds_history (not through the view): per
    (book, outcome), (captured_at, odds, active, available) in time order; a gone row repeats the
    outcomes of the key's previous row with no odds."""
    rows = conn.execute(
        "SELECT b.name, h.captured_at, h.outcomes FROM market_odds_history h JOIN bookmakers b ON b.id = h.bookmaker "
        "WHERE h.sr_event_id = %s AND h.market_id = %s AND h.line_hundredths = %s ORDER BY h.bookmaker, h.captured_at",
        (SR, market_id, line_h)).fetchall()
    out: dict[tuple[str, str], list[tuple]] = {}
    last: dict[str, tuple] = {}
    for book, ts, enc in rows:
        if enc is None:
            for o in last[book]:
                out[(book, o.name)].append((ts.isoformat().replace("+00:00", "Z"), None, False, False))
            continue
        last[book] = decode_outcomes(enc)
        for o in last[book]:
            out.setdefault((book, o.name), []).append(
                (ts.isoformat().replace("+00:00", "Z"), None if o.odds is None else float(o.odds), o.active, True))
    return out


def got_paths(doc: dict) -> dict[tuple[str, str], list[tuple]]:
    return {(p["bookmaker"], p["outcome"]): [(pt["captured_at"], pt["odds"], pt["active"], pt["available"])
                                             for pt in p["points"]] for p in doc["paths"]}


def test_1x2_paths_equal_the_history_applied(board, capsys):
    code, out, _ = run(capsys, "history", str(SR), "--market", "1x2_ft", "--json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["market_id"], doc["market"], doc["line"]) == (X12, "1x2_ft", None)
    paths = got_paths(doc)
    assert paths == expected_paths(board.conn, X12, -32768)
    # and, spelled out: only changes (sportybet's unchanged t6 scrape adds nothing), suspended X at t5
    assert paths[("betpawa", "1")] == [(iso(0), 2.4, True, True), (iso(5), 2.5, True, True)]
    assert paths[("betpawa", "X")] == [(iso(0), 3.3, True, True), (iso(5), 3.3, False, True)]
    assert paths[("sportybet", "2")] == [(iso(1), 3.1, True, True)]
    assert paths[("bet9ja", "1")] == [(iso(2), 2.35, True, True), (iso(8), 2.45, True, True)]
    # books in fixed order, outcomes in the book's order
    assert [k for k in paths] == [(b, o) for b in ("betpawa", "sportybet", "bet9ja") for o in ("1", "X", "2")]


def test_gone_market_shows_unavailable_points(board, capsys):
    code, out, _ = run(capsys, "history", str(SR), "--market", "over_under_ft", "--line", "2.5", "--json")
    assert code == 0
    paths = got_paths(json.loads(out))
    assert paths == expected_paths(board.conn, OU, 250)
    assert paths[("sportybet", "Over")] == [(iso(1), 1.9, True, True), (iso(6), None, False, False)]
    assert not any(b == "bet9ja" for b, _ in paths)  # bet9ja never offered it


def test_table_reads_down_each_books_changes(board, capsys):
    code, out, _ = run(capsys, "history", str(SR), "--market", "5000", "--line", "2.50")
    assert code == 0
    assert out.splitlines()[0] == f"Home {SR} v Away {SR} · SR {SR} · over_under_ft (5000) · line 2.5"
    rows = [line.split() for line in out.splitlines()]
    sb = rows.index(["sportybet", "(event", f"sp{SR})"])
    assert rows[sb + 1] == ["captured_at", "(UTC)", "Over", "Under"]
    assert rows[sb + 2] == ["2026-11-24", "12:01:00", "1.90", "1.90"]
    assert rows[sb + 3] == ["2026-11-24", "12:06:00", "gone", "gone"]
    b9 = rows.index(["bet9ja", "(event", f"be{SR})"])
    assert rows[b9 + 1] == ["—", "no", "changes", "recorded"]

    code, out, _ = run(capsys, "history", str(SR), "--market", "1x2_ft")
    rows = [line.split() for line in out.splitlines()]
    assert ["2026-11-24", "12:05:00", "2.50", "3.30*", "2.90"] in rows  # suspended marked


def test_line_is_required_when_the_market_has_several(board, capsys):
    code, out, err = run(capsys, "history", str(SR), "--market", "over_under_ft")
    assert code == 2 and out == ""
    assert "several lines" in err and "1.5, 2.5" in err and "--line" in err
    # handicap: no line, -0.5 and 0 are three different lines
    code, _, err = run(capsys, "history", str(SR), "--market", "3774")
    assert code == 2 and "none, -0.5, 0" in err
    code, out, _ = run(capsys, "history", str(SR), "--market", "3774", "--line", "0", "--json")
    assert code == 0
    assert got_paths(json.loads(out)) == {("betpawa", "1"): [(iso(0), 1.9, True, True)],
                                          ("betpawa", "2"): [(iso(0), 1.9, True, True)]}
    code, out, _ = run(capsys, "history", str(SR), "--market", "3774", "--line", "none", "--json")
    assert got_paths(json.loads(out))[("betpawa", "1")] == [(iso(0), 1.8, True, True)]


def test_unknown_line_lists_the_lines_and_unknown_event_or_market_exit_2(board, capsys):
    code, _, err = run(capsys, "history", str(SR), "--market", "over_under_ft", "--line", "3")
    assert code == 2 and "no line 3" in err and "lines: 1.5, 2.5" in err
    code, _, err = run(capsys, "history", "424242", "--market", "1x2_ft")
    assert code == 2 and "unknown event" in err
    code, _, err = run(capsys, "history", str(SR), "--market", "btts_ft")
    assert code == 2 and "no history for btts_ft (3795)" in err
    code, _, err = run(capsys, "history", str(SR), "--market", "1x2_ft", "--line", "abc")
    assert code == 2 and "invalid line" in err


def test_since_until_bound_the_path(board, capsys):
    code, out, _ = run(capsys, "history", str(SR), "--market", "1x2_ft", "--since", "2026-11-24T12:01:00Z",
                       "--until", "2026-11-24 12:05", "--json")  # naive --until reads as UTC
    assert code == 0
    doc = json.loads(out)
    assert (doc["since"], doc["until"]) == (iso(1), iso(5))
    times = {b: sorted({pt[0] for (book, _), pts in got_paths(doc).items() if book == b for pt in pts})
             for b in ("betpawa", "sportybet", "bet9ja")}
    assert times == {"betpawa": [iso(5)], "sportybet": [iso(1)], "bet9ja": [iso(2)]}


def test_plot_writes_a_png(board, capsys, tmp_path: Path):
    png = tmp_path / "path.png"
    code, _, err = run(capsys, "history", str(SR), "--market", "1x2_ft", "--plot", str(png))
    assert code == 0 and str(png) in err
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # three subplots with lines, not an empty canvas
    # the gone market path also draws (a gap, not an error)
    png2 = tmp_path / "ou.png"
    assert main(["history", str(SR), "--market", "5000", "--line", "2.5", "--plot", str(png2)]) == 0
    assert png2.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
