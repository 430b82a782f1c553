-- Canonical events of the given ids derived again from the per-book rows (after a re-derivation moved
-- or removed a book's scrapes): names of the lowest-id book that lists the match, first_seen_at the
-- earliest of any book. Only rows that differ are written, in sr_event_id order.
UPDATE events e
SET home = src.home, away = src.away, kickoff = src.kickoff, competition = src.competition,
    country = src.country, source_bookmaker = src.bookmaker, first_seen_at = src.first_seen_at
FROM (
    SELECT DISTINCT ON (be.sr_event_id) be.sr_event_id, be.bookmaker, be.home, be.away, be.kickoff,
           be.competition, be.country,
           min(be.first_seen_at) OVER (PARTITION BY be.sr_event_id) AS first_seen_at
    FROM bookmaker_events be
    WHERE be.sr_event_id = ANY(%(ids)s)
    ORDER BY be.sr_event_id, be.bookmaker
) AS src
WHERE e.sr_event_id = src.sr_event_id
  AND (e.home, e.away, e.kickoff, e.competition, e.country, e.source_bookmaker, e.first_seen_at)
      IS DISTINCT FROM (src.home, src.away, src.kickoff, src.competition, src.country, src.bookmaker,
                        src.first_seen_at)
