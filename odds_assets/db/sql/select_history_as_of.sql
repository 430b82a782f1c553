-- State of each market as of the snapshot time, from history: the latest row at or before it.
SELECT DISTINCT ON (sr_event_id, market_id, line)
       sr_event_id, market_id, coalesce(line::text, '~'), coalesce(outcomes, ''), outcomes IS NOT NULL
FROM market_odds_history
WHERE bookmaker = %(b)s AND sr_event_id = ANY(%(ids)s) AND captured_at <= %(t)s
ORDER BY sr_event_id, market_id, line, captured_at DESC
