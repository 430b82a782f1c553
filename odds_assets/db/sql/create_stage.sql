-- Staging for the changed markets of one snapshot's live events (dropped at commit).
CREATE TEMP TABLE _odds_stage (
    sr_event_id          bigint NOT NULL,
    market_id            integer NOT NULL,
    line                 numeric,
    outcomes             text NOT NULL,
    kind                 "char" NOT NULL
) ON COMMIT DROP
