-- Name versions a late or re-derived window sets ('u') or removes ('d') (dropped at commit).
CREATE TEMP TABLE _odds_event_version_plan (
    sr_event_id        bigint NOT NULL,
    captured_at        timestamptz NOT NULL,
    bookmaker_event_id text,
    home               text,
    away               text,
    kickoff            timestamptz,
    competition        text,
    country            text,
    op                 "char" NOT NULL
) ON COMMIT DROP
