-- Window analytics (fair values as of the window from fair_prices_history, for a window older than the
-- newest computed fair_prices window): the outcomes exposed during window %(w)s (episodes started at or before it, not ended
-- by it) outside _window_dirty, valued from fair_prices_current (which holds them as of the window: they
-- did not change since the previous window): how many per kind, and the largest edge.
SELECT count(*) FILTER (WHERE x.kind = 'edge'), count(*) FILTER (WHERE x.kind = 'arb'), max(c.edge)
FROM exposure_episodes x
JOIN LATERAL (
    SELECT h.edge, h.market_implied, h.betpawa_odds, h.fair_odds FROM fair_prices_history h
    WHERE h.sr_event_id = x.sr_event_id AND h.market_id = x.market_id AND h.line_hundredths = x.line_hundredths
      AND h.outcome = x.outcome AND h.window_start <= %(w)s
    ORDER BY h.window_start DESC LIMIT 1) AS c ON true
WHERE x.started_at <= %(w)s AND (x.ended_at IS NULL OR x.ended_at > %(w)s)
  AND NOT EXISTS (SELECT 1 FROM _window_dirty d WHERE d.sr_event_id = x.sr_event_id AND d.market_id = x.market_id
                  AND d.line_hundredths = x.line_hundredths)
