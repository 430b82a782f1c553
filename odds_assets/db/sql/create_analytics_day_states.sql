-- Daily analytics: the market states observed on the day [d0, d1) (odds_assets.analytics.daily), one row
-- each: every available history row of the day (written at a complete scrape, so seen then), and the
-- state in force at d0 when available and seen again by a complete scrape of its event on the day before
-- the key's next row (observed_at = the book's first complete scrape of the event on the day, found in the
-- ledger snapshots.event_ids; only events kicking off at or after d0 can be scraped pre-match on the day).
-- A temporary table dropped at commit.
CREATE TEMP TABLE analytics_day_states ON COMMIT DROP AS
SELECT h.bookmaker, h.sr_event_id, h.market_id, h.line_hundredths, h.captured_at AS observed_at, h.outcomes
FROM market_odds_history h
WHERE h.captured_at >= %(d0)s AND h.captured_at < %(d1)s AND h.outcomes IS NOT NULL
UNION ALL
SELECT c.bookmaker, c.sr_event_id, c.market_id, p.line_hundredths, f.first_at, p.outcomes
FROM (SELECT DISTINCT c.bookmaker, c.sr_event_id
      FROM market_odds_current c JOIN events e ON e.sr_event_id = c.sr_event_id AND e.kickoff >= %(d0)s
      WHERE c.first_seen_at < %(d0)s) AS be
CROSS JOIN LATERAL (
    SELECT min(s.captured_at) AS first_at FROM snapshots s
    WHERE s.bookmaker = be.bookmaker AND s.captured_at >= %(d0)s AND s.captured_at < %(d1)s
      AND s.event_ids @> ARRAY[be.sr_event_id]) AS f
JOIN market_odds_current c
  ON c.sr_event_id = be.sr_event_id AND c.bookmaker = be.bookmaker AND c.first_seen_at < %(d0)s
CROSS JOIN LATERAL (
    SELECT h.line_hundredths, h.outcomes FROM market_odds_history h
    WHERE h.sr_event_id = c.sr_event_id AND h.market_id = c.market_id AND h.bookmaker = c.bookmaker
      AND h.line_hundredths = odds_line_hundredths(c.line) AND h.captured_at < %(d0)s
    ORDER BY h.captured_at DESC
    LIMIT 1) AS p
WHERE f.first_at IS NOT NULL AND p.outcomes IS NOT NULL
  AND NOT EXISTS (
    SELECT FROM market_odds_history n
    WHERE n.sr_event_id = c.sr_event_id AND n.market_id = c.market_id AND n.bookmaker = c.bookmaker
      AND n.line_hundredths = p.line_hundredths AND n.captured_at >= %(d0)s AND n.captured_at <= f.first_at)
