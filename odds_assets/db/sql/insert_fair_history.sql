-- Window analytics: the staged changes as the window's fair-price history rows.
INSERT INTO fair_prices_history
SELECT %(w)s, sr_event_id, market_id, line_hundredths, outcome, present, betpawa_odds, fair_probability, fair_odds,
       edge, competitors, method, best_odds, best_bookmakers, market_implied, arbitrage
FROM _fair_stage
