-- Daily analytics: each book's written windows between two times (µs since the epoch), for "the book's
-- next and previous window" of the lead-lag report.
SELECT bookmaker, array_agg((extract(epoch FROM captured_at) * 1000000)::bigint ORDER BY captured_at)
FROM snapshots WHERE captured_at >= %(from)s AND captured_at < %(to)s
GROUP BY bookmaker
