-- Events a re-derived window no longer scraped completely: their first / latest complete scrape moves
-- to the ledger's next / previous one (given); an event left with no complete scrape at all is removed.
UPDATE bookmaker_events be
SET first_seen_at = r.first_seen_at, last_seen_at = r.last_seen_at
FROM unnest(%(ids)s::bigint[], %(firsts)s::timestamptz[], %(lasts)s::timestamptz[])
     AS r(sr_event_id, first_seen_at, last_seen_at)
WHERE be.bookmaker = %(b)s AND be.sr_event_id = r.sr_event_id AND r.last_seen_at IS NOT NULL
  AND (be.first_seen_at, be.last_seen_at) IS DISTINCT FROM (r.first_seen_at, r.last_seen_at)
