"""odds_assets.markets.coverage: on the real captures, ≥ 95 % of the competitor instances that have a
BetPawa twin are mapped, and the all-instances share is reported."""

from __future__ import annotations

from pathlib import Path

from odds_assets.clients import parse_event_detailed
from odds_assets.markets.coverage import coverage, format_table
from odds_assets.models import BOOKMAKERS

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "real"


def test_real_capture_coverage() -> None:
    parsed = {b: [parse_event_detailed(b, (REAL / f"{b}_event_sr68995116.json").read_bytes())] for b in BOOKMAKERS}
    rows = coverage(parsed)
    for book in ("sportybet", "bet9ja"):
        row = rows[book]
        assert row.matched_events == 1
        assert row.twinnable >= 90 and row.twin_share is not None and row.twin_share >= 0.95, row
        assert row.all_share is not None and 0.4 <= row.all_share <= 0.7, row
    assert rows["sportybet"].betpawa_share is not None and rows["sportybet"].betpawa_share >= 0.95
    table = format_table(rows)
    assert table.splitlines()[0].split()[0] == "bookmaker" and len(table.splitlines()) == 4
