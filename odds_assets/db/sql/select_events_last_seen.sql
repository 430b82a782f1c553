-- The last complete scrape of each of the snapshot's events at this book: decides which are historical.
SELECT sr_event_id, last_seen_at
FROM bookmaker_events
WHERE bookmaker = %(b)s AND sr_event_id = ANY(%(ids)s)
