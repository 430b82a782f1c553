-- Staging for the changed markets of one snapshot (dropped at commit).
CREATE TEMP TABLE _odds_stage (
    sr_event_id          bigint NOT NULL,
    market_id            integer NOT NULL,
    line                 numeric,
    outcomes             text NOT NULL,
    kind                 "char" NOT NULL,
    to_current           boolean NOT NULL,
    missing_from_current boolean NOT NULL
) ON COMMIT DROP
