-- Removes the history rows the plan says must not exist (or will be replaced).
DELETE FROM market_odds_history h
USING _odds_plan p
WHERE p.op IN ('d', 'u') AND h.bookmaker = %(b)s AND h.sr_event_id = p.sr_event_id
  AND h.market_id = p.market_id AND h.line_hundredths = p.line_hundredths AND h.captured_at = p.captured_at
