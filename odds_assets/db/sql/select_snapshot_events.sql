-- The events an earlier version of this window scraped completely (the ledger), if it was applied.
SELECT event_ids FROM snapshots WHERE bookmaker = %(b)s AND captured_at = %(t)s
