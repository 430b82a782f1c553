-- For each event, its next complete scrape after the snapshot's time (from the ledger), if any; the
-- search stops at the event's latest complete scrape.
SELECT e.sr_event_id, n.captured_at
FROM unnest(%(ids)s::bigint[], %(lasts)s::timestamptz[]) AS e(sr_event_id, last_seen_at)
LEFT JOIN LATERAL (
    SELECT s.captured_at FROM snapshots s
    WHERE s.bookmaker = %(b)s AND s.captured_at > %(t)s AND s.captured_at <= e.last_seen_at
      AND s.event_ids @> ARRAY[e.sr_event_id]
    ORDER BY s.captured_at
    LIMIT 1) AS n ON true
