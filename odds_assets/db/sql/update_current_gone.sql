-- Markets absent from an event that was scraped completely: unavailable from now. Their last
-- confirmation is the event's previous complete scrape.
UPDATE market_odds_current c
SET unavailable_at = %(t)s,
    confirmed_at   = greatest(c.confirmed_at, be.last_seen_at)
FROM _odds_stage s
LEFT JOIN bookmaker_events be ON be.sr_event_id = s.sr_event_id AND be.bookmaker = %(b)s
WHERE s.kind = 'g'
  AND c.sr_event_id = s.sr_event_id AND c.bookmaker = %(b)s AND c.market_id = s.market_id
  AND c.line IS NOT DISTINCT FROM s.line
  AND c.unavailable_at IS NULL
  AND greatest(c.last_updated_at, c.confirmed_at) < %(t)s
