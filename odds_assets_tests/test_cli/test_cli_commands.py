"""odds_assets.cli.parse_cmd and coverage_cmd (thin wrappers over odds_assets.clients, run on the real
captures the client tests read): output shape, exact keys, book detection, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odds_assets.cli import main
from odds_assets.cli.coverage_cmd import detect_bookmaker
from odds_assets_tests.test_clients.conftest import REAL, capture


def test_parse_prints_one_object_per_outcome(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "--bookmaker", "betpawa", str(REAL / "betpawa_event_sr68995116.json")]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and all(set(r) == {"bookmaker", "sr_event_id", "market_id", "line", "outcome", "odds", "active"}
                        for r in rows)
    first = rows[0]
    assert first == {"bookmaker": "betpawa", "sr_event_id": 68995116, "market_id": 3743, "line": None,
                     "outcome": "1", "odds": "2.41", "active": True}
    assert {"market_id": 5000, "line": "2.5", "outcome": "Over", "odds": "1.98"}.items() <= next(
        r for r in rows if r["market_id"] == 5000 and r["line"] == "2.5").items()


def test_parse_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"R":"E"}')
    assert main(["parse", "--bookmaker", "bet9ja", str(bad)]) == 1
    assert "R 'E'" in capsys.readouterr().err


def test_parse_refuses_another_sport(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(capture("sportybet"))
    doc["data"]["sport"] = dict(doc["data"]["sport"], id="sr:sport:2", name="Basketball")
    other = tmp_path / "basketball.json"
    other.write_text(json.dumps(doc))
    assert main(["parse", "--bookmaker", "sportybet", str(other)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # no football rows for a basketball event
    assert "sportybet event sr:match:68995116" in captured.err and "'sr:sport:2' (Basketball)" in captured.err


def test_coverage_table(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(REAL / f"{b}_event_sr68995116.json") for b in ("sportybet", "betpawa", "bet9ja")]
    assert main(["coverage", *files]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["bookmaker", "betpawa", "sportybet", "bet9ja"]


def test_detect_by_content(tmp_path: Path) -> None:
    for book in ("betpawa", "sportybet", "bet9ja"):
        assert detect_bookmaker(tmp_path / "event.json", capture(book)) == book
    assert detect_bookmaker(tmp_path / "event.json", b"<html>") is None
