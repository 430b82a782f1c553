-- Records what applying one snapshot did (re-applying it overwrites the record with the no-op counts).
INSERT INTO snapshots (bookmaker, captured_at, events, markets, new, changed, unchanged, gone, back,
                       history_rows, historical, write_ms)
VALUES (%(b)s, %(t)s, %(events)s, %(markets)s, %(new)s, %(changed)s, %(unchanged)s, %(gone)s, %(back)s,
        %(history_rows)s, %(historical)s, %(write_ms)s)
ON CONFLICT ON CONSTRAINT pk_snapshots DO UPDATE SET
    events = EXCLUDED.events, markets = EXCLUDED.markets, new = EXCLUDED.new, changed = EXCLUDED.changed,
    unchanged = EXCLUDED.unchanged, gone = EXCLUDED.gone, back = EXCLUDED.back,
    history_rows = EXCLUDED.history_rows, historical = EXCLUDED.historical,
    applied_at = now(), write_ms = EXCLUDED.write_ms
