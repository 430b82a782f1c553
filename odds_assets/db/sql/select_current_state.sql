-- Current state of the book's markets for the given events, as four arrays (one round trip):
-- event, key = market_id << 17 | (line hundredths + 65536), encoded outcomes, available.
SELECT array_agg(sr_event_id),
       array_agg((market_id::bigint << 17) + (odds_line_hundredths(line) + 65536)),
       array_agg(outcomes),
       array_agg(unavailable_at IS NULL)
FROM market_odds_current
WHERE bookmaker = %(b)s AND sr_event_id = ANY(%(ids)s)
