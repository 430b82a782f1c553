-- Window analytics: the stored fair-price rows (fair_prices_current) of the instances in _window_dirty:
-- the state just before an incremental window (the successor of the newest computed one, so no history
-- row at or after it exists).
SELECT c.sr_event_id, c.market_id, c.line_hundredths, c.outcome, c.betpawa_odds, c.fair_probability,
       c.fair_odds, c.edge, c.competitors, c.method, c.best_odds, c.best_bookmakers, c.market_implied, c.arbitrage
FROM _window_dirty d
JOIN fair_prices_current c ON c.sr_event_id = d.sr_event_id AND c.market_id = d.market_id
 AND c.line_hundredths = d.line_hundredths
