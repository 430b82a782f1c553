-- Window analytics: the stored fair-price state just before window %(w)s: fair_prices_current, except
-- for keys with a fair_prices_history row at or after %(w)s, which read their latest row before it
-- (absent when there is none or it says the row stopped existing). Cheap when %(w)s is the newest window.
WITH later AS MATERIALIZED (
    SELECT DISTINCT sr_event_id, market_id, line_hundredths, outcome
    FROM fair_prices_history WHERE window_start >= %(w)s
)
SELECT c.sr_event_id, c.market_id, c.line_hundredths, c.outcome, c.betpawa_odds, c.fair_probability,
       c.fair_odds, c.edge, c.competitors, c.method, c.best_odds, c.best_bookmakers, c.market_implied, c.arbitrage
FROM fair_prices_current c
WHERE NOT EXISTS (SELECT 1 FROM later l
                  WHERE l.sr_event_id = c.sr_event_id AND l.market_id = c.market_id
                    AND l.line_hundredths = c.line_hundredths AND l.outcome = c.outcome)
UNION ALL
SELECT p.sr_event_id, p.market_id, p.line_hundredths, p.outcome, p.betpawa_odds, p.fair_probability,
       p.fair_odds, p.edge, p.competitors, p.method, p.best_odds, p.best_bookmakers, p.market_implied, p.arbitrage
FROM later l
JOIN LATERAL (
    SELECT h.* FROM fair_prices_history h
    WHERE h.sr_event_id = l.sr_event_id AND h.market_id = l.market_id AND h.line_hundredths = l.line_hundredths
      AND h.outcome = l.outcome AND h.window_start < %(w)s
    ORDER BY h.window_start DESC LIMIT 1) AS p ON p.present
