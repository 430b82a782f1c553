-- Events of this book left with no complete scrape at all after a re-derivation.
DELETE FROM bookmaker_events WHERE bookmaker = %(b)s AND sr_event_id = ANY(%(ids)s)
