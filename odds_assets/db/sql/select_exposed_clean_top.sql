-- Window analytics: the five most severe of select_exposed_clean_summary's outcomes (severity: the edge
-- for kind edge, 1 - best implied for arb; ties by key, text compared by code point as Python does).
SELECT x.sr_event_id, x.market_id, x.line_hundredths, x.outcome, x.kind, extract(epoch FROM x.started_at)::float8,
       c.edge, c.market_implied, c.betpawa_odds, c.fair_odds,
       CASE WHEN x.kind = 'edge' THEN c.edge ELSE 1::float8 - c.market_implied END AS severity
FROM exposure_episodes x
JOIN fair_prices_current c ON c.sr_event_id = x.sr_event_id AND c.market_id = x.market_id
 AND c.line_hundredths = x.line_hundredths AND c.outcome = x.outcome
WHERE x.started_at <= %(w)s AND (x.ended_at IS NULL OR x.ended_at > %(w)s)
  AND NOT EXISTS (SELECT 1 FROM _window_dirty d WHERE d.sr_event_id = x.sr_event_id AND d.market_id = x.market_id
                  AND d.line_hundredths = x.line_hundredths)
ORDER BY severity DESC, x.sr_event_id, x.market_id, x.line_hundredths, x.outcome COLLATE "C", x.kind COLLATE "C"
LIMIT 5
