"""Trader views: the three books side by side per outcome, and each book's price path from history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Both views are meant to be read for ONE event (`WHERE sr_event_id = …`). They are written so that
# this filter is pushed down to the base tables' unique indexes, which lead with sr_event_id:
# sr_event_id is a GROUP BY key of every aggregation and no window function is used, so PostgreSQL moves
# the qual below them. They are plain views (not materialised): the data changes every scrape.
#
# The books are columns (betpawa, sportybet, bet9ja: the fixed rows of `bookmakers`) because the point of
# the view is to compare them on one line; a fourth book would need a new migration anyway.
UPGRADE = r"""
-- One row per (event, market, line, outcome): each book's price and state side by side.
--   <book>_odds   the price the book shows (also while suspended); NULL when not offered or gone
--   <book>_state  'active' | 'suspended' (listed, not bettable) | 'gone' (market taken down) |
--                 NULL (the book does not list this market/line/outcome)
--   best_odds, best_bookmakers  the highest price among ACTIVE outcomes, and every book quoting it
--   <book>_margin_pct  (sum of 1/odds - 1) * 100 of that book's market/line, only when EVERY outcome
--                 is priced and bettable and the market is available (a partial book has no margin)
--   <book>_last_changed_at  the last change of that book's market/line: last_updated_at, or when the
--                 market went away if it is gone
-- The margin and last change are per market/line and repeated on each of its outcome rows.
CREATE VIEW odds_side_by_side AS
SELECT g.sr_event_id,
       g.market_id,
       g.line,
       g.outcome,
       g.outcome_order,
       g.betpawa_odds,   g.betpawa_state,
       g.sportybet_odds, g.sportybet_state,
       g.bet9ja_odds,    g.bet9ja_state,
       best.odds AS best_odds,
       array_remove(ARRAY[
           CASE WHEN g.betpawa_state = 'active' AND g.betpawa_odds = best.odds THEN 'betpawa' END,
           CASE WHEN g.sportybet_state = 'active' AND g.sportybet_odds = best.odds THEN 'sportybet' END,
           CASE WHEN g.bet9ja_state = 'active' AND g.bet9ja_odds = best.odds THEN 'bet9ja' END
       ], NULL) AS best_bookmakers,
       g.betpawa_margin_pct, g.sportybet_margin_pct, g.bet9ja_margin_pct,
       g.betpawa_last_changed_at, g.sportybet_last_changed_at, g.bet9ja_last_changed_at
FROM (
    SELECT p.sr_event_id,
           p.market_id,
           p.line,
           p.outcome,
           -- the books list outcomes in BetPawa's catalogue order: take the first listing book's order
           (array_agg(p.ord ORDER BY p.bookmaker))[1] AS outcome_order,
           max(p.odds)  FILTER (WHERE p.bookmaker = 1) AS betpawa_odds,
           max(p.state) FILTER (WHERE p.bookmaker = 1) AS betpawa_state,
           max(p.odds)  FILTER (WHERE p.bookmaker = 2) AS sportybet_odds,
           max(p.state) FILTER (WHERE p.bookmaker = 2) AS sportybet_state,
           max(p.odds)  FILTER (WHERE p.bookmaker = 3) AS bet9ja_odds,
           max(p.state) FILTER (WHERE p.bookmaker = 3) AS bet9ja_state,
           max(p.margin_pct) FILTER (WHERE p.bookmaker = 1) AS betpawa_margin_pct,
           max(p.margin_pct) FILTER (WHERE p.bookmaker = 2) AS sportybet_margin_pct,
           max(p.margin_pct) FILTER (WHERE p.bookmaker = 3) AS bet9ja_margin_pct,
           max(p.last_changed_at) FILTER (WHERE p.bookmaker = 1) AS betpawa_last_changed_at,
           max(p.last_changed_at) FILTER (WHERE p.bookmaker = 2) AS sportybet_last_changed_at,
           max(p.last_changed_at) FILTER (WHERE p.bookmaker = 3) AS bet9ja_last_changed_at
    FROM (
        -- one row per (event, book, market, line, outcome) of current
        SELECT c.sr_event_id, c.bookmaker, c.market_id, c.line,
               o.value ->> 'name' AS outcome,
               o.ord,
               CASE WHEN c.unavailable_at IS NULL THEN (o.value ->> 'odds')::numeric END AS odds,
               CASE WHEN c.unavailable_at IS NOT NULL THEN 'gone'
                    WHEN (o.value ->> 'active')::boolean THEN 'active'
                    ELSE 'suspended' END AS state,
               mg.margin_pct,
               greatest(c.last_updated_at, c.unavailable_at) AS last_changed_at
        FROM market_odds_current c
        CROSS JOIN LATERAL (SELECT odds_outcomes_jsonb(c.outcomes) AS outcomes) AS j
        -- an aggregating lateral (not a scalar sub-select) so the margin is computed once per market
        -- row, not once per outcome row and book column
        CROSS JOIN LATERAL (
            SELECT CASE WHEN c.unavailable_at IS NULL
                             AND bool_and((m ->> 'active')::boolean AND m ->> 'odds' IS NOT NULL)
                        THEN round((sum(1 / (m ->> 'odds')::numeric) - 1) * 100, 4) END AS margin_pct
            FROM jsonb_array_elements(j.outcomes) AS m
        ) AS mg
        CROSS JOIN LATERAL jsonb_array_elements(j.outcomes) WITH ORDINALITY AS o(value, ord)
    ) AS p
    GROUP BY p.sr_event_id, p.market_id, p.line, p.outcome
) AS g
CROSS JOIN LATERAL (
    SELECT greatest(CASE WHEN g.betpawa_state = 'active' THEN g.betpawa_odds END,
                    CASE WHEN g.sportybet_state = 'active' THEN g.sportybet_odds END,
                    CASE WHEN g.bet9ja_state = 'active' THEN g.bet9ja_odds END) AS odds
) AS best;

-- One row per (event, book, market, line, outcome, captured_at) of history: the price path.
--   available  false when the market was gone at captured_at (history outcomes NULL); its outcomes are
--              then those of the key's previous row (so each outcome's path shows the gap), with odds
--              NULL; one row with outcome NULL if no earlier row is kept (retention dropped it)
--   active     bettable: available and the outcome active
--   line       numeric (NULL = no line); line_hundredths is the stored key, for index-friendly filters
CREATE VIEW odds_price_path AS
SELECT h.sr_event_id,
       b.name AS bookmaker,
       h.market_id,
       odds_line_from_hundredths(h.line_hundredths) AS line,
       h.line_hundredths,
       h.captured_at,
       o.value ->> 'name' AS outcome,
       o.ord AS outcome_order,
       CASE WHEN h.outcomes IS NOT NULL THEN (o.value ->> 'odds')::numeric END AS odds,
       h.outcomes IS NOT NULL AND coalesce((o.value ->> 'active')::boolean, false) AS active,
       h.outcomes IS NOT NULL AS available
FROM market_odds_history h
JOIN bookmakers b ON b.id = h.bookmaker
-- coalesce evaluates the sub-select only for gone rows: one index probe (the key's latest earlier
-- priced row) on the same unique index
CROSS JOIN LATERAL (
    SELECT coalesce(h.outcomes, (
        SELECT p.outcomes FROM market_odds_history p
        WHERE p.sr_event_id = h.sr_event_id AND p.market_id = h.market_id AND p.bookmaker = h.bookmaker
          AND p.line_hundredths = h.line_hundredths AND p.captured_at < h.captured_at
          AND p.outcomes IS NOT NULL
        ORDER BY p.captured_at DESC
        LIMIT 1)) AS shape
) AS s
LEFT JOIN LATERAL jsonb_array_elements(odds_outcomes_jsonb(s.shape)) WITH ORDINALITY AS o(value, ord) ON true;
"""

DOWNGRADE = r"""
DROP VIEW IF EXISTS odds_price_path;
DROP VIEW IF EXISTS odds_side_by_side;
"""


def upgrade() -> None:
    """Create the trader views (odds_side_by_side, odds_price_path)."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Drop the trader views."""
    op.execute(DOWNGRADE)
