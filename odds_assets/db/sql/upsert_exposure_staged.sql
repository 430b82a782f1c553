-- Window analytics: exposure episodes the staged window opens, closes or gives a new peak (whole rows).
INSERT INTO exposure_episodes AS x
    (sr_event_id, market_id, line_hundredths, outcome, kind, started_at, ended_at, peak_at, peak_edge,
     peak_betpawa_odds, peak_fair_odds, peak_market_implied, first_mover, first_move_at, betpawa_age_s,
     sportybet_age_s, bet9ja_age_s, correction_s)
SELECT sr_event_id, market_id, line_hundredths, outcome, kind, to_timestamp(started_at), to_timestamp(ended_at),
       to_timestamp(peak_at), peak_edge, peak_betpawa_odds, peak_fair_odds, peak_market_implied, first_mover,
       to_timestamp(first_move_at), betpawa_age_s,
       sportybet_age_s, bet9ja_age_s, correction_s
FROM _exposure_stage WHERE op = 'u'
ORDER BY sr_event_id, market_id, line_hundredths, outcome, kind, started_at
ON CONFLICT ON CONSTRAINT pk_exposure_episodes DO UPDATE SET
    ended_at = EXCLUDED.ended_at, peak_at = EXCLUDED.peak_at, peak_edge = EXCLUDED.peak_edge,
    peak_betpawa_odds = EXCLUDED.peak_betpawa_odds, peak_fair_odds = EXCLUDED.peak_fair_odds,
    peak_market_implied = EXCLUDED.peak_market_implied, first_mover = EXCLUDED.first_mover,
    first_move_at = EXCLUDED.first_move_at, betpawa_age_s = EXCLUDED.betpawa_age_s,
    sportybet_age_s = EXCLUDED.sportybet_age_s, bet9ja_age_s = EXCLUDED.bet9ja_age_s,
    correction_s = EXCLUDED.correction_s
