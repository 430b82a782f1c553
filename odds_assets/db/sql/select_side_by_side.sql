-- The trader's view: one match's current odds per market, line and outcome, the books side by side
-- (odds_side_by_side, migration 0002); all markets when market is NULL.
SELECT market_id, line, outcome,
       betpawa_odds, betpawa_state, sportybet_odds, sportybet_state, bet9ja_odds, bet9ja_state,
       best_odds, best_bookmakers,
       betpawa_margin_pct, sportybet_margin_pct, bet9ja_margin_pct,
       betpawa_last_changed_at, sportybet_last_changed_at, bet9ja_last_changed_at
FROM odds_side_by_side
WHERE sr_event_id = %(sr)s AND (%(market)s::integer IS NULL OR market_id = %(market)s::integer)
ORDER BY market_id, line NULLS FIRST, outcome_order, outcome
