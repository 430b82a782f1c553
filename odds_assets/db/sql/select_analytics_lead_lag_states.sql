-- Daily analytics, lead-lag: the history rows of the day [d0, d1) and, for each instance with one, its
-- state before d0; captured_at as µs since the epoch; ordered by instance, then time.
SELECT bookmaker, sr_event_id, market_id, line_hundredths, t, outcomes FROM (
    SELECT h.bookmaker, h.sr_event_id, h.market_id, h.line_hundredths,
           (extract(epoch FROM h.captured_at) * 1000000)::bigint AS t, h.outcomes
    FROM market_odds_history h
    WHERE h.captured_at >= %(d0)s AND h.captured_at < %(d1)s
    UNION ALL
    SELECT k.bookmaker, k.sr_event_id, k.market_id, k.line_hundredths,
           (extract(epoch FROM p.captured_at) * 1000000)::bigint, p.outcomes
    FROM (SELECT DISTINCT bookmaker, sr_event_id, market_id, line_hundredths FROM market_odds_history
          WHERE captured_at >= %(d0)s AND captured_at < %(d1)s) AS k
    CROSS JOIN LATERAL (
        SELECT h.captured_at, h.outcomes FROM market_odds_history h
        WHERE h.sr_event_id = k.sr_event_id AND h.market_id = k.market_id AND h.bookmaker = k.bookmaker
          AND h.line_hundredths = k.line_hundredths AND h.captured_at < %(d0)s
        ORDER BY h.captured_at DESC
        LIMIT 1) AS p
) AS s
ORDER BY sr_event_id, market_id, bookmaker, line_hundredths, t
