-- The per-book names of the given events from their name version as of the latest complete scrape.
UPDATE bookmaker_events be
SET bookmaker_event_id = v.bookmaker_event_id, home = v.home, away = v.away, kickoff = v.kickoff,
    competition = v.competition, country = v.country
FROM bookmaker_events b2
CROSS JOIN LATERAL (
    SELECT * FROM bookmaker_event_history h
    WHERE h.bookmaker = b2.bookmaker AND h.sr_event_id = b2.sr_event_id AND h.captured_at <= b2.last_seen_at
    ORDER BY h.captured_at DESC LIMIT 1) AS v
WHERE b2.bookmaker = %(b)s AND b2.sr_event_id = ANY(%(ids)s)
  AND be.bookmaker = b2.bookmaker AND be.sr_event_id = b2.sr_event_id
  AND (be.bookmaker_event_id, be.home, be.away, be.kickoff, be.competition, be.country)
      IS DISTINCT FROM (v.bookmaker_event_id, v.home, v.away, v.kickoff, v.competition, v.country)
