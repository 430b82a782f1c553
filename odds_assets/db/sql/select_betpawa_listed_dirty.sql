-- Window analytics: the instances in _window_dirty that BetPawa listed (available) as of %(end)s, for events
-- kicking off after %(start)s (its latest history row before %(end)s has outcomes).
SELECT d.sr_event_id, d.market_id, d.line_hundredths
FROM _window_dirty d
JOIN events e ON e.sr_event_id = d.sr_event_id AND e.kickoff > %(start)s
WHERE (SELECT h.outcomes IS NOT NULL FROM market_odds_history h
       WHERE h.sr_event_id = d.sr_event_id AND h.market_id = d.market_id AND h.bookmaker = %(bookmaker)s
         AND h.line_hundredths = d.line_hundredths AND h.captured_at < %(end)s
       ORDER BY h.captured_at DESC LIMIT 1)
