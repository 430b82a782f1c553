-- The trader's view: how each book lists one match, with its first and latest complete scrape.
SELECT b.name AS bookmaker, be.bookmaker_event_id AS event_id, be.first_seen_at, be.last_seen_at
FROM bookmaker_events be JOIN bookmakers b ON b.id = be.bookmaker
WHERE be.sr_event_id = %(sr)s
ORDER BY be.bookmaker
