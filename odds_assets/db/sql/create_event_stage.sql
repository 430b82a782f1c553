-- Staging for the events scraped completely in one snapshot (dropped at commit).
CREATE TEMP TABLE _odds_event_stage (
    sr_event_id        bigint NOT NULL,
    bookmaker_event_id text NOT NULL,
    home               text NOT NULL,
    away               text NOT NULL,
    kickoff            timestamptz NOT NULL,
    competition        text,
    country            text
) ON COMMIT DROP
