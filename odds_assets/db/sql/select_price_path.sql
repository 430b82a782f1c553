-- The trader's view: every book's changes of one market line of one match (odds_price_path, migration
-- 0002), optionally between two times (on the partition key, so only those days' partitions are read).
SELECT bookmaker, line, outcome, captured_at, odds, active, available
FROM odds_price_path
WHERE sr_event_id = %(sr)s AND market_id = %(market)s AND line_hundredths = %(lh)s
  AND (%(since)s::timestamptz IS NULL OR captured_at >= %(since)s::timestamptz)
  AND (%(until)s::timestamptz IS NULL OR captured_at <= %(until)s::timestamptz)
ORDER BY array_position(ARRAY['betpawa', 'sportybet', 'bet9ja'], bookmaker), outcome_order, outcome, captured_at
