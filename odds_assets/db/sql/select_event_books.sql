-- The trader's view: how each book lists one match, with its first and latest complete scrape, and
-- unlisted_at: the book's first written window after that latest complete scrape (NULL: none yet), i.e.
-- the first scrape of the book that no longer read the match (pk_snapshots answers it with one index probe).
SELECT b.name AS bookmaker, be.bookmaker_event_id AS event_id, be.first_seen_at, be.last_seen_at,
       (SELECT min(s.captured_at) FROM snapshots s
        WHERE s.bookmaker = be.bookmaker AND s.captured_at > be.last_seen_at) AS unlisted_at
FROM bookmaker_events be JOIN bookmakers b ON b.id = be.bookmaker
WHERE be.sr_event_id = %(sr)s
ORDER BY be.bookmaker
