-- Window analytics: the exposure episodes that window %(w)s may continue, close or repeat: open before it
-- (started earlier, not ended before it) or started at it.
SELECT sr_event_id, market_id, line_hundredths, outcome, kind, extract(epoch FROM started_at)::float8,
       extract(epoch FROM ended_at)::float8, extract(epoch FROM peak_at)::float8, peak_edge, peak_betpawa_odds, peak_fair_odds, peak_market_implied, first_mover, extract(epoch FROM first_move_at)::float8,
       betpawa_age_s, sportybet_age_s, bet9ja_age_s, correction_s
FROM exposure_episodes
WHERE started_at <= %(w)s AND (ended_at IS NULL OR ended_at >= %(w)s)
