-- The existing partitions of market_odds_history (daily: market_odds_history_pYYYYMMDD).
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'market_odds_history'::regclass
