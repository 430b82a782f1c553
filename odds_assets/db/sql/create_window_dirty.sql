-- Window analytics: the event x market x line instances an incremental window recomputes (session temp
-- table, emptied and refilled per window; read by the *_dirty statements).
CREATE TEMP TABLE IF NOT EXISTS _window_dirty (
    sr_event_id     bigint NOT NULL,
    market_id       integer NOT NULL,
    line_hundredths smallint NOT NULL,
    PRIMARY KEY (sr_event_id, market_id, line_hundredths)
)
