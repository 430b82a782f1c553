-- History rows a late or re-derived window sets ('u': insert or replace) or removes ('d'), and the
-- market keys whose current row is derived again from history afterwards (dropped at commit).
CREATE TEMP TABLE _odds_plan (
    sr_event_id     bigint NOT NULL,
    market_id       integer NOT NULL,
    line_hundredths smallint NOT NULL,
    captured_at     timestamptz,
    outcomes        text,
    op              "char" NOT NULL
) ON COMMIT DROP
