-- The demo's progress line: per book, the latest window written, how many windows, how many current rows.
SELECT b.name AS bookmaker, max(s.captured_at) AS last_captured_at, count(s.*) AS windows,
       (SELECT count(*) FROM market_odds_current c WHERE c.bookmaker = b.id) AS current_rows
FROM bookmakers b LEFT JOIN snapshots s ON s.bookmaker = b.id
GROUP BY b.id, b.name
ORDER BY b.id
