"""A BRIN index on market_odds_history (captured_at): reading one window's changes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29

An incremental window of the window analytics (``db.analytics_window.window_changes``) reads the history
rows captured in the window, and the whole-board read (``select_outcomes_as_of``) the keys with rows at or
after its end. The only index of the history, the unique key (event, market, book, line, captured_at),
cannot serve a range of captured_at, so both scanned the whole day's partition (millions of rows at
2,000 events a minute). History is appended in captured_at order, so a block-range index fits: a few
pages per partition, negligible to maintain, and the window's rows are read from the block ranges that
hold them.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the BRIN index on the partitioned history (every partition, present and future)."""
    op.execute("CREATE INDEX IF NOT EXISTS ix_market_odds_history_captured_brin "
               "ON market_odds_history USING brin (captured_at)")


def downgrade() -> None:
    """Drop it."""
    op.execute("DROP INDEX IF EXISTS ix_market_odds_history_captured_brin")
