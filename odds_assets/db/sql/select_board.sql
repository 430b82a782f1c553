-- The traders' board: every event kicking off after %(since)s as each book lists it (its latest complete
-- scrape), with that book's current rows of the board's key markets (none when the book does not offer
-- one). Read once per written window (odds_assets.web.board caches it); each key market is one probe of
-- market_odds_current's unique index (sr_event_id, bookmaker, market_id, line).
SELECT e.sr_event_id, e.home, e.away, e.kickoff, e.competition, e.country,
       b.name AS bookmaker, be.last_seen_at,
       c.market_id, c.line, c.outcomes, c.unavailable_at
FROM events e
JOIN bookmaker_events be ON be.sr_event_id = e.sr_event_id
JOIN bookmakers b ON b.id = be.bookmaker
LEFT JOIN LATERAL (
    SELECT c.market_id, c.line, c.outcomes, c.unavailable_at
    FROM unnest(%(markets)s::integer[], %(lines)s::numeric[]) AS k(market_id, line)
    JOIN market_odds_current c
      ON c.sr_event_id = be.sr_event_id AND c.bookmaker = be.bookmaker AND c.market_id = k.market_id
     AND c.line IS NOT DISTINCT FROM k.line
) c ON true
WHERE e.kickoff > %(since)s
ORDER BY e.kickoff, e.sr_event_id, be.bookmaker
