-- Current state of the book's markets for the given events, as four arrays (one round trip):
-- event, market key (odds_market_key: db/keys.py), encoded outcomes, available.
SELECT array_agg(sr_event_id),
       array_agg(odds_market_key(market_id, odds_line_hundredths(line))),
       array_agg(outcomes),
       array_agg(unavailable_at IS NULL)
FROM market_odds_current
WHERE bookmaker = %(b)s AND sr_event_id = ANY(%(ids)s)
