-- Window analytics: fair_prices_current rows whose values the staged window changed (the newest window only).
INSERT INTO fair_prices_current AS c
    (sr_event_id, market_id, line_hundredths, outcome, changed_at, betpawa_odds, fair_probability, fair_odds, edge,
     competitors, method, best_odds, best_bookmakers, market_implied, arbitrage)
SELECT sr_event_id, market_id, line_hundredths, outcome, %(w)s, betpawa_odds, fair_probability, fair_odds, edge,
       competitors, method, best_odds, best_bookmakers, market_implied, arbitrage
FROM _fair_stage WHERE present
ORDER BY sr_event_id, market_id, line_hundredths, outcome
ON CONFLICT ON CONSTRAINT pk_fair_prices_current DO UPDATE SET
    changed_at = EXCLUDED.changed_at, betpawa_odds = EXCLUDED.betpawa_odds,
    fair_probability = EXCLUDED.fair_probability, fair_odds = EXCLUDED.fair_odds, edge = EXCLUDED.edge,
    competitors = EXCLUDED.competitors, method = EXCLUDED.method, best_odds = EXCLUDED.best_odds,
    best_bookmakers = EXCLUDED.best_bookmakers, market_implied = EXCLUDED.market_implied,
    arbitrage = EXCLUDED.arbitrage
