-- The traders' board: every event kicking off after %(since)s as each book lists it (its latest complete
-- scrape), with that book's current rows of the board's key markets as arrays in the order given
-- (outcomes NULL: the book does not offer that market; gone: it took it down). Read once per written
-- window (odds_assets.web.board caches it). The innermost LATERAL makes each key market one probe of
-- market_odds_current's unique index on (sr_event_id, bookmaker, market_id), not a read of all of the
-- event's markets at that book (which the planner picks when that subquery is pulled up into a join).
-- unlisted_at: as in select_event_books.sql, the book's first written window after its latest complete
-- scrape of the event (NULL: it still lists it); probed only when the book has written a later window.
WITH latest AS (
    SELECT b.id, b.name, (SELECT max(s.captured_at) FROM snapshots s WHERE s.bookmaker = b.id) AS at
    FROM bookmakers b
)
SELECT e.sr_event_id, e.home, e.away, e.kickoff, e.competition, e.country,
       b.name AS bookmaker, be.last_seen_at,
       CASE WHEN be.last_seen_at < b.at THEN
           (SELECT min(s.captured_at) FROM snapshots s
            WHERE s.bookmaker = be.bookmaker AND s.captured_at > be.last_seen_at) END AS unlisted_at,
       m.outcomes, m.gone
FROM events e
JOIN bookmaker_events be ON be.sr_event_id = e.sr_event_id
JOIN latest b ON b.id = be.bookmaker
CROSS JOIN LATERAL (
    SELECT array_agg(c.outcomes ORDER BY k.ord) AS outcomes, array_agg(coalesce(c.gone, false) ORDER BY k.ord) AS gone
    FROM unnest(%(markets)s::integer[], %(lines)s::numeric[]) WITH ORDINALITY AS k(market_id, line, ord)
    LEFT JOIN LATERAL (
        SELECT c.outcomes, c.unavailable_at IS NOT NULL AS gone
        FROM market_odds_current c
        WHERE c.sr_event_id = be.sr_event_id AND c.bookmaker = be.bookmaker AND c.market_id = k.market_id
          AND c.line IS NOT DISTINCT FROM k.line
        LIMIT 1  -- the key is unique; the LIMIT also keeps this a probe per key market (not pulled up)
    ) c ON true
) m
WHERE e.kickoff > %(since)s
ORDER BY e.kickoff, e.sr_event_id, be.bookmaker
