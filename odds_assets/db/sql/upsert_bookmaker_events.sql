-- Per-book events: last_seen_at (the latest complete scrape) moves forward only, first_seen_at back
-- only; names and ids follow the latest scrape. Rows that need no change are skipped, in sr_event_id
-- order.
INSERT INTO bookmaker_events AS be
    (sr_event_id, bookmaker, bookmaker_event_id, home, away, kickoff, competition, country,
     first_seen_at, last_seen_at)
SELECT s.sr_event_id, %(b)s, s.bookmaker_event_id, s.home, s.away, s.kickoff, s.competition, s.country,
       %(t)s, %(t)s
FROM _odds_event_stage s
ORDER BY s.sr_event_id
ON CONFLICT ON CONSTRAINT pk_bookmaker_events DO UPDATE SET
    bookmaker_event_id = CASE WHEN EXCLUDED.last_seen_at >= be.last_seen_at
                              THEN EXCLUDED.bookmaker_event_id ELSE be.bookmaker_event_id END,
    home        = CASE WHEN EXCLUDED.last_seen_at >= be.last_seen_at THEN EXCLUDED.home ELSE be.home END,
    away        = CASE WHEN EXCLUDED.last_seen_at >= be.last_seen_at THEN EXCLUDED.away ELSE be.away END,
    kickoff     = CASE WHEN EXCLUDED.last_seen_at >= be.last_seen_at THEN EXCLUDED.kickoff ELSE be.kickoff END,
    competition = CASE WHEN EXCLUDED.last_seen_at >= be.last_seen_at
                       THEN EXCLUDED.competition ELSE be.competition END,
    country     = CASE WHEN EXCLUDED.last_seen_at >= be.last_seen_at THEN EXCLUDED.country ELSE be.country END,
    first_seen_at = least(be.first_seen_at, EXCLUDED.first_seen_at),
    last_seen_at  = greatest(be.last_seen_at, EXCLUDED.last_seen_at)
WHERE EXCLUDED.first_seen_at < be.first_seen_at
   OR (EXCLUDED.last_seen_at >= be.last_seen_at
       AND (be.last_seen_at, be.bookmaker_event_id, be.home, be.away, be.kickoff, be.competition, be.country)
           IS DISTINCT FROM (EXCLUDED.last_seen_at, EXCLUDED.bookmaker_event_id, EXCLUDED.home, EXCLUDED.away,
                             EXCLUDED.kickoff, EXCLUDED.competition, EXCLUDED.country))
