-- Records which events this window scraped completely, before the historical plan reads the ledger.
-- Counts are filled in by upsert_snapshot at the end of the transaction; an unchanged ledger is not
-- rewritten (re-applying a snapshot changes nothing).
INSERT INTO snapshots (bookmaker, captured_at, events, markets, new, changed, unchanged, gone, back,
                       history_rows, historical, write_ms, event_ids)
VALUES (%(b)s, %(t)s, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, %(event_ids)s)
ON CONFLICT ON CONSTRAINT pk_snapshots DO UPDATE SET event_ids = EXCLUDED.event_ids
WHERE snapshots.event_ids IS DISTINCT FROM EXCLUDED.event_ids
