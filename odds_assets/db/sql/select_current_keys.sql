-- Keys current holds for historical events (a backfill may find keys current never saw).
SELECT sr_event_id, market_id, coalesce(line::text, '~')
FROM market_odds_current
WHERE bookmaker = %(b)s AND sr_event_id = ANY(%(ids)s)
