-- Freshness: each book's latest written window (snapshots, one row per applied window), when it was
-- written and how long ago by the database's clock; NULLs for a book with no window yet.
SELECT b.name AS bookmaker, s.captured_at, s.applied_at,
       extract(epoch FROM statement_timestamp() - s.applied_at)::float8 AS age_s
FROM bookmakers b
LEFT JOIN LATERAL (
    SELECT captured_at, applied_at FROM snapshots WHERE bookmaker = b.id ORDER BY captured_at DESC LIMIT 1
) s ON true
ORDER BY b.id
