-- The demo's progress line: how many rows history holds, all books.
SELECT count(*) AS history_rows FROM market_odds_history
