-- What this window IS for the book (its classification against the state before it, the same
-- whatever order windows were applied in). Re-applying the same snapshot rewrites nothing, not even
-- applied_at or write_ms; a re-derivation with another board records its own counts.
INSERT INTO snapshots (bookmaker, captured_at, events, markets, new, changed, unchanged, gone, back,
                       history_rows, historical, write_ms, event_ids)
VALUES (%(b)s, %(t)s, %(events)s, %(markets)s, %(new)s, %(changed)s, %(unchanged)s, %(gone)s, %(back)s,
        %(history_rows)s, %(historical)s, %(write_ms)s, %(event_ids)s)
ON CONFLICT ON CONSTRAINT pk_snapshots DO UPDATE SET
    events = EXCLUDED.events, markets = EXCLUDED.markets, new = EXCLUDED.new, changed = EXCLUDED.changed,
    unchanged = EXCLUDED.unchanged, gone = EXCLUDED.gone, back = EXCLUDED.back,
    history_rows = EXCLUDED.history_rows, historical = EXCLUDED.historical,
    applied_at = now(), write_ms = EXCLUDED.write_ms, event_ids = EXCLUDED.event_ids
WHERE (snapshots.events, snapshots.markets, snapshots.new, snapshots.changed, snapshots.unchanged,
       snapshots.gone, snapshots.back, snapshots.history_rows)
      IS DISTINCT FROM
      (EXCLUDED.events, EXCLUDED.markets, EXCLUDED.new, EXCLUDED.changed, EXCLUDED.unchanged,
       EXCLUDED.gone, EXCLUDED.back, EXCLUDED.history_rows)
