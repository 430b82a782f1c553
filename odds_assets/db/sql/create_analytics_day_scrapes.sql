-- Daily analytics: each book's complete scrapes of each event on the day [d0, d1) (the engine's ledger,
-- snapshots.event_ids): the first and the last; a temporary table dropped at the end of the transaction.
CREATE TEMP TABLE analytics_day_scrapes ON COMMIT DROP AS
SELECT s.bookmaker, e.sr_event_id, min(s.captured_at) AS first_at, max(s.captured_at) AS last_at
FROM snapshots s CROSS JOIN LATERAL unnest(s.event_ids) AS e(sr_event_id)
WHERE s.captured_at >= %(d0)s AND s.captured_at < %(d1)s
GROUP BY s.bookmaker, e.sr_event_id
