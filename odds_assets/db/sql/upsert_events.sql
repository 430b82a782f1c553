-- Canonical events: the names and kick-off of the lowest-id book that lists the match (BetPawa, the
-- reference book, first), from that book's LATEST complete scrape (rows with latest = false never
-- supply names). Only rows that differ are touched, in sr_event_id order: two books writing shared
-- events then lock them in one global order and never deadlock.
INSERT INTO events AS e (sr_event_id, home, away, kickoff, competition, country, source_bookmaker, first_seen_at)
SELECT s.sr_event_id, s.home, s.away, s.kickoff, s.competition, s.country,
       CASE WHEN s.latest THEN %(b)s ELSE 32767 END,  -- an older scrape never supplies names
       %(t)s
FROM _odds_event_stage s
LEFT JOIN events cur ON cur.sr_event_id = s.sr_event_id
WHERE %(t)s < cur.first_seen_at
   OR (s.latest
       AND (cur.sr_event_id IS NULL
            OR %(b)s < cur.source_bookmaker
            OR (%(b)s = cur.source_bookmaker
                AND (cur.home, cur.away, cur.kickoff, cur.competition, cur.country)
                    IS DISTINCT FROM (s.home, s.away, s.kickoff, s.competition, s.country))))
ORDER BY s.sr_event_id
ON CONFLICT (sr_event_id) DO UPDATE SET
    home             = CASE WHEN EXCLUDED.source_bookmaker <= e.source_bookmaker THEN EXCLUDED.home ELSE e.home END,
    away             = CASE WHEN EXCLUDED.source_bookmaker <= e.source_bookmaker THEN EXCLUDED.away ELSE e.away END,
    kickoff          = CASE WHEN EXCLUDED.source_bookmaker <= e.source_bookmaker
                            THEN EXCLUDED.kickoff ELSE e.kickoff END,
    competition      = CASE WHEN EXCLUDED.source_bookmaker <= e.source_bookmaker
                            THEN EXCLUDED.competition ELSE e.competition END,
    country          = CASE WHEN EXCLUDED.source_bookmaker <= e.source_bookmaker
                            THEN EXCLUDED.country ELSE e.country END,
    source_bookmaker = least(e.source_bookmaker, EXCLUDED.source_bookmaker),
    first_seen_at    = least(e.first_seen_at, EXCLUDED.first_seen_at)
