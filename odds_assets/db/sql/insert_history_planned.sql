-- Inserts the history rows the plan sets (after delete_history_planned removed any old version).
INSERT INTO market_odds_history (captured_at, sr_event_id, market_id, bookmaker, line_hundredths, outcomes)
SELECT p.captured_at, p.sr_event_id, p.market_id, %(b)s, p.line_hundredths, p.outcomes
FROM _odds_plan p
WHERE p.op = 'u'
