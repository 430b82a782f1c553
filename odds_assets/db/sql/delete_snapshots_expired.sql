-- Retention: the ledger of complete event scrapes goes with the history it explains (same day boundary).
DELETE FROM snapshots WHERE captured_at < %(horizon)s
