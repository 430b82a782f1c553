-- Staging for the events scraped completely in one snapshot (dropped at commit); latest = this
-- snapshot is the book's latest complete scrape of the event, live = after it (the cheap path).
CREATE TEMP TABLE _odds_event_stage (
    sr_event_id        bigint NOT NULL,
    bookmaker_event_id text NOT NULL,
    home               text NOT NULL,
    away               text NOT NULL,
    kickoff            timestamptz NOT NULL,
    competition        text,
    country            text,
    latest             boolean NOT NULL,
    live               boolean NOT NULL
) ON COMMIT DROP
