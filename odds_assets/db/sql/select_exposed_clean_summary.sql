-- Window analytics: the outcomes exposed during window %(w)s (episodes started at or before it, not ended
-- by it) outside _window_dirty, valued from fair_prices_current (which holds them as of the window: they
-- did not change since the previous window): how many per kind, and the largest edge.
SELECT count(*) FILTER (WHERE x.kind = 'edge'), count(*) FILTER (WHERE x.kind = 'arb'), max(c.edge)
FROM exposure_episodes x
JOIN fair_prices_current c ON c.sr_event_id = x.sr_event_id AND c.market_id = x.market_id
 AND c.line_hundredths = x.line_hundredths AND c.outcome = x.outcome
WHERE x.started_at <= %(w)s AND (x.ended_at IS NULL OR x.ended_at > %(w)s)
  AND NOT EXISTS (SELECT 1 FROM _window_dirty d WHERE d.sr_event_id = x.sr_event_id AND d.market_id = x.market_id
                  AND d.line_hundredths = x.line_hundredths)
