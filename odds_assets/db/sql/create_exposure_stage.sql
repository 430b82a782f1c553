-- Window analytics: the staging table of one window's exposure episode writes (op: 'u' upsert, 'd' delete;
-- times as epoch seconds, converted on the way out).
CREATE TEMP TABLE _exposure_stage (
    op                  char(1) NOT NULL,
    sr_event_id         bigint NOT NULL,
    market_id           integer NOT NULL,
    line_hundredths     smallint NOT NULL,
    outcome             text NOT NULL,
    kind                text NOT NULL,
    started_at          double precision NOT NULL,
    ended_at            double precision,
    peak_at             double precision,
    peak_edge           double precision,
    peak_betpawa_odds   numeric,
    peak_fair_odds      double precision,
    peak_market_implied double precision,
    first_mover         text,
    first_move_at       double precision,
    betpawa_age_s       double precision,
    sportybet_age_s     double precision,
    bet9ja_age_s        double precision,
    correction_s        double precision
) ON COMMIT DROP
