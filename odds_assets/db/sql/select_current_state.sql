-- Current state of the book's markets for the snapshot's live events ("~" stands for no line).
SELECT sr_event_id, market_id, coalesce(line::text, '~'), outcomes, unavailable_at IS NULL
FROM market_odds_current
WHERE bookmaker = %(b)s AND sr_event_id = ANY(%(ids)s)
