-- Canonical events: BetPawa (id 1, the reference book) names win; another book only fills a gap.
-- Rows are rewritten only when something actually differs.
INSERT INTO events AS e (sr_event_id, home, away, kickoff, competition, country, source_bookmaker, first_seen_at)
SELECT s.sr_event_id, s.home, s.away, s.kickoff, s.competition, s.country, %(b)s, %(t)s
FROM _odds_event_stage s
ON CONFLICT (sr_event_id) DO UPDATE SET
    home = EXCLUDED.home, away = EXCLUDED.away, kickoff = EXCLUDED.kickoff,
    competition = EXCLUDED.competition, country = EXCLUDED.country,
    source_bookmaker = EXCLUDED.source_bookmaker,
    first_seen_at = least(e.first_seen_at, EXCLUDED.first_seen_at)
WHERE (EXCLUDED.source_bookmaker <= e.source_bookmaker
       AND (e.home, e.away, e.kickoff, e.competition, e.country, e.source_bookmaker)
           IS DISTINCT FROM (EXCLUDED.home, EXCLUDED.away, EXCLUDED.kickoff, EXCLUDED.competition,
                             EXCLUDED.country, EXCLUDED.source_bookmaker))
   OR EXCLUDED.first_seen_at < e.first_seen_at
