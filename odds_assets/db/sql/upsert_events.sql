-- Canonical events: the names and kick-off of the lowest-id book that lists the match (BetPawa, the
-- reference book, first), from that book's LATEST complete scrape (rows with latest = false never
-- supply names). Only rows that differ are touched, in sr_event_id order: two books writing shared
-- events then lock them in one global order and never deadlock. A writer that will derive events again
-- from the per-book rows (a late or re-derived window: lock_all) passes every row here instead — and
-- the rows of events its new board no longer lists (removed_ids) as no-op updates — so this single
-- ordered pass takes ALL its events locks (an insert cannot be locked by SELECT … FOR UPDATE, so the
-- lock comes from the upsert itself) and its later derivation sees what other books committed first.
INSERT INTO events AS e (sr_event_id, home, away, kickoff, competition, country, source_bookmaker, first_seen_at)
SELECT s.sr_event_id, s.home, s.away, s.kickoff, s.competition, s.country, s.source_bookmaker, s.first_seen_at
FROM (
    SELECT st.sr_event_id, st.home, st.away, st.kickoff, st.competition, st.country,
           CASE WHEN st.latest THEN %(b)s ELSE 32767 END AS source_bookmaker,  -- older scrape: no names
           %(t)s::timestamptz AS first_seen_at, st.latest
    FROM _odds_event_stage st
    UNION ALL
    SELECT r.sr_event_id, r.home, r.away, r.kickoff, r.competition, r.country, 32767, 'infinity', false
    FROM events r
    WHERE %(lock_all)s AND r.sr_event_id = ANY(%(removed_ids)s)
) AS s
LEFT JOIN events cur ON cur.sr_event_id = s.sr_event_id
WHERE %(lock_all)s
   OR s.first_seen_at < cur.first_seen_at
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
