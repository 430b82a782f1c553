-- Change-only history of a book's names for its live events: a version at the first complete scrape
-- and whenever a scrape reads them differently from the latest (bookmaker_events, before its upsert).
INSERT INTO bookmaker_event_history (bookmaker, sr_event_id, captured_at, bookmaker_event_id, home, away,
                                     kickoff, competition, country)
SELECT %(b)s, s.sr_event_id, %(t)s, s.bookmaker_event_id, s.home, s.away, s.kickoff, s.competition, s.country
FROM _odds_event_stage s
LEFT JOIN bookmaker_events be ON be.bookmaker = %(b)s AND be.sr_event_id = s.sr_event_id
WHERE s.live
  AND (be.sr_event_id IS NULL
       OR (be.bookmaker_event_id, be.home, be.away, be.kickoff, be.competition, be.country)
          IS DISTINCT FROM (s.bookmaker_event_id, s.home, s.away, s.kickoff, s.competition, s.country))
