"""The engine's two steps: ``plan_snapshot`` reads and classifies without writing (a rolled-back plan
leaves the database as it was), ``write_plan`` writes it, and the two in one transaction are
``apply_snapshot``; planning outside a transaction is refused (its locks would be gone at once)."""

from __future__ import annotations

import pytest

from odds_assets.db.engine import apply_snapshot, plan_snapshot, write_plan
from odds_assets_tests.factories import event_odds, market, snap, table_dump

X12 = market(3743, None, "2.40", "3.30", "3.00")
X12_MOVED = market(3743, None, "2.50", "3.30", "2.90")
OU25 = market(5000, "2.5", "1.95", "1.85")


class _Rollback(Exception):
    pass


def test_a_plan_writes_nothing(odds_conn) -> None:
    apply_snapshot(odds_conn, snap(0, event_odds(1, X12, OU25)))
    before = table_dump(odds_conn)
    with pytest.raises(_Rollback), odds_conn.transaction():
        plan = plan_snapshot(odds_conn, snap(5, event_odds(1, X12_MOVED), event_odds(2, X12)))
        assert table_dump(odds_conn) == before
        raise _Rollback
    assert plan.counts == {"new": 1, "changed": 1, "unchanged": 0, "gone": 1, "back": 0}
    assert sorted(plan.stage["kind"]) == ["c", "g", "n"] and plan.event_ids == [1, 2]
    assert plan.history is None and not plan.historical and not plan.removed  # all live
    assert table_dump(odds_conn) == before


def test_plan_then_write_is_apply(odds_conn) -> None:
    apply_snapshot(odds_conn, snap(0, event_odds(1, X12, OU25)))
    apply_snapshot(odds_conn, snap(10, event_odds(1, X12, OU25)))
    with odds_conn.transaction():
        plan = plan_snapshot(odds_conn, snap(5, event_odds(1, X12_MOVED)))  # a late window
        assert plan.historical == {1} and plan.history is not None
        result = write_plan(odds_conn, plan)
    assert (result.changed, result.gone, result.historical_events) == (1, 1, 1)
    assert result.history_rows == plan.history.written == 4  # at 5: changed, gone; at 10: back to before
    assert result.timings_ms["total"] > 0


def test_planning_outside_a_transaction_is_refused(odds_conn) -> None:
    with pytest.raises(RuntimeError, match="inside a transaction"):
        plan_snapshot(odds_conn, snap(0, event_odds(1, X12)))
    assert table_dump(odds_conn)["snapshots"] == []
