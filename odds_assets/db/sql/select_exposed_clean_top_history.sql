-- Window analytics (fair values as of the window from fair_prices_history, for a window older than the
-- newest computed fair_prices window): the five most severe of select_exposed_clean_summary's outcomes (severity: the edge
-- for kind edge, 1 - best implied for arb; ties by key, text compared by code point as Python does).
SELECT x.sr_event_id, x.market_id, x.line_hundredths, x.outcome, x.kind, extract(epoch FROM x.started_at)::float8,
       c.edge, c.market_implied, c.betpawa_odds, c.fair_odds,
       CASE WHEN x.kind = 'edge' THEN c.edge ELSE 1::float8 - c.market_implied END AS severity
FROM exposure_episodes x
JOIN LATERAL (
    SELECT h.edge, h.market_implied, h.betpawa_odds, h.fair_odds FROM fair_prices_history h
    WHERE h.sr_event_id = x.sr_event_id AND h.market_id = x.market_id AND h.line_hundredths = x.line_hundredths
      AND h.outcome = x.outcome AND h.window_start <= %(w)s
    ORDER BY h.window_start DESC LIMIT 1) AS c ON true
WHERE x.started_at <= %(w)s AND (x.ended_at IS NULL OR x.ended_at > %(w)s)
  AND NOT EXISTS (SELECT 1 FROM _window_dirty d WHERE d.sr_event_id = x.sr_event_id AND d.market_id = x.market_id
                  AND d.line_hundredths = x.line_hundredths)
ORDER BY severity DESC, x.sr_event_id, x.market_id, x.line_hundredths, x.outcome COLLATE "C", x.kind COLLATE "C"
LIMIT 5
