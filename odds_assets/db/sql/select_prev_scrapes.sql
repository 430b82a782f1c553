-- For each (event, time), the event's latest complete scrape strictly before that time (the ledger).
SELECT p.sr_event_id, p.before_at, (
    SELECT s.captured_at FROM snapshots s
    WHERE s.bookmaker = %(b)s AND s.captured_at < p.before_at AND s.event_ids @> ARRAY[p.sr_event_id]
    ORDER BY s.captured_at DESC
    LIMIT 1)
FROM unnest(%(ids)s::bigint[], %(ts)s::timestamptz[]) AS p(sr_event_id, before_at)
