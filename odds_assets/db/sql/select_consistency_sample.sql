-- The current/history consistency check: a random sample of the book's current rows, each with the
-- latest history row of its key (none when retention dropped that key's partitions).
WITH s AS (
    SELECT sr_event_id, bookmaker, market_id, line, outcomes, unavailable_at, last_updated_at
    FROM market_odds_current WHERE bookmaker = %(b)s ORDER BY random() LIMIT %(n)s)
SELECT s.sr_event_id, s.market_id, s.line::text, s.outcomes, s.unavailable_at IS NULL AS available,
       s.last_updated_at, h.outcomes AS h_outcomes, h.captured_at AS h_captured_at
FROM s LEFT JOIN LATERAL (
    SELECT outcomes, captured_at FROM market_odds_history h
    WHERE h.sr_event_id = s.sr_event_id AND h.market_id = s.market_id AND h.bookmaker = s.bookmaker
      AND h.line_hundredths = odds_line_hundredths(s.line)
    ORDER BY h.captured_at DESC LIMIT 1) h ON true
