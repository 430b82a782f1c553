-- Window analytics: fresh statistics after a whole-board window wrote its rows (the first window writes
-- every row: until autovacuum's analyse, the planner would plan the next windows' joins on an empty table).
ANALYZE fair_prices_current, fair_prices_history, exposure_episodes
