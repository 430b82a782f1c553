-- Window analytics: select_exposure_episodes_at restricted to the instances in _window_dirty (each
-- instance's episodes looked up by the primary key's prefix: the cost follows the set, not the table).
SELECT x.sr_event_id, x.market_id, x.line_hundredths, x.outcome, x.kind, extract(epoch FROM x.started_at)::float8,
       extract(epoch FROM x.ended_at)::float8, extract(epoch FROM x.peak_at)::float8, x.peak_edge,
       x.peak_betpawa_odds, x.peak_fair_odds, x.peak_market_implied, x.first_mover,
       extract(epoch FROM x.first_move_at)::float8, x.betpawa_age_s, x.sportybet_age_s, x.bet9ja_age_s, x.correction_s
FROM _window_dirty d
CROSS JOIN LATERAL (
    SELECT * FROM exposure_episodes e
    WHERE e.sr_event_id = d.sr_event_id AND e.market_id = d.market_id AND e.line_hundredths = d.line_hundredths
      AND e.started_at <= %(w)s AND (e.ended_at IS NULL OR e.ended_at >= %(w)s)) AS x
