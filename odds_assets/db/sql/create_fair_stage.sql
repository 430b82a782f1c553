-- Window analytics: the staging table of one window's fair-price changes (COPY target; dropped at commit).
CREATE TEMP TABLE _fair_stage (
    sr_event_id      bigint NOT NULL,
    market_id        integer NOT NULL,
    line_hundredths  smallint NOT NULL,
    outcome          text NOT NULL,
    present          boolean NOT NULL,
    betpawa_odds     numeric,
    fair_probability double precision,
    fair_odds        double precision,
    edge             double precision,
    competitors      text,
    method           text,
    best_odds        numeric,
    best_bookmakers  text,
    market_implied   double precision,
    arbitrage        boolean
) ON COMMIT DROP
