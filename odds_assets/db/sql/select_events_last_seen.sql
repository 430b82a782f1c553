-- The first and latest complete scrape of each of the given events at this book: an event scraped
-- completely after the snapshot's time makes the snapshot historical for it (a late window, a backfill
-- or a re-derivation).
SELECT sr_event_id, first_seen_at, last_seen_at
FROM bookmaker_events
WHERE bookmaker = %(b)s AND sr_event_id = ANY(%(ids)s)
