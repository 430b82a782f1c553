-- Current rows of the planned keys ('k'; 'x' = this write removed some of its history rows), derived
-- from history: state and unavailable_at from the latest row, outcomes from the latest priced row,
-- first_seen_at from the earliest row (an earlier stored first_seen_at is kept — its row was dropped by
-- retention — unless this write removed rows of the key), last_updated_at = when the odds last changed
-- (the first priced row of the final run of identical priced outcomes: coming back at the same odds
-- is no change of odds, as on the live path),
-- confirmed_at = that row for an available market, else the event's latest complete scrape before the
-- market went away (the ledger). Only rows that differ are written, in key order.
INSERT INTO market_odds_current AS c
    (sr_event_id, bookmaker, market_id, line, outcomes, first_seen_at, last_updated_at, confirmed_at,
     unavailable_at)
SELECT k.sr_event_id, %(b)s, k.market_id, odds_line_from_hundredths(k.line_hundredths), lp.outcomes,
       CASE WHEN k.removed OR cur.first_seen_at IS NULL THEN a.first_at
            ELSE least(cur.first_seen_at, a.first_at) END,
       (SELECT min(h.captured_at) FROM market_odds_history h
        WHERE h.bookmaker = %(b)s AND h.sr_event_id = k.sr_event_id AND h.market_id = k.market_id
          AND h.line_hundredths = k.line_hundredths AND h.outcomes = lp.outcomes
          AND h.captured_at > coalesce((
              SELECT max(h2.captured_at) FROM market_odds_history h2
              WHERE h2.bookmaker = %(b)s AND h2.sr_event_id = k.sr_event_id AND h2.market_id = k.market_id
                AND h2.line_hundredths = k.line_hundredths AND h2.outcomes <> lp.outcomes), '-infinity')),
       CASE WHEN l.outcomes IS NOT NULL THEN l.captured_at
            ELSE coalesce((SELECT s.captured_at FROM snapshots s
                           WHERE s.bookmaker = %(b)s AND s.captured_at < l.captured_at
                             AND s.event_ids @> ARRAY[k.sr_event_id]
                           ORDER BY s.captured_at DESC LIMIT 1), lp.captured_at) END,
       CASE WHEN l.outcomes IS NULL THEN l.captured_at END
FROM (SELECT sr_event_id, market_id, line_hundredths, bool_or(op = 'x') AS removed
      FROM _odds_plan WHERE op IN ('k', 'x')
      GROUP BY sr_event_id, market_id, line_hundredths) AS k
CROSS JOIN LATERAL (
    SELECT min(h.captured_at) AS first_at FROM market_odds_history h
    WHERE h.bookmaker = %(b)s AND h.sr_event_id = k.sr_event_id AND h.market_id = k.market_id
      AND h.line_hundredths = k.line_hundredths) AS a
JOIN LATERAL (
    SELECT h.captured_at, h.outcomes FROM market_odds_history h
    WHERE h.bookmaker = %(b)s AND h.sr_event_id = k.sr_event_id AND h.market_id = k.market_id
      AND h.line_hundredths = k.line_hundredths
    ORDER BY h.captured_at DESC LIMIT 1) AS l ON true
JOIN LATERAL (
    SELECT h.captured_at, h.outcomes FROM market_odds_history h
    WHERE h.bookmaker = %(b)s AND h.sr_event_id = k.sr_event_id AND h.market_id = k.market_id
      AND h.line_hundredths = k.line_hundredths AND h.outcomes IS NOT NULL
    ORDER BY h.captured_at DESC LIMIT 1) AS lp ON true
LEFT JOIN market_odds_current cur
  ON cur.bookmaker = %(b)s AND cur.sr_event_id = k.sr_event_id AND cur.market_id = k.market_id
 AND cur.line IS NOT DISTINCT FROM odds_line_from_hundredths(k.line_hundredths)
ORDER BY k.sr_event_id, k.market_id, k.line_hundredths
ON CONFLICT ON CONSTRAINT uq_market_odds_current_key DO UPDATE SET
    outcomes        = EXCLUDED.outcomes,
    first_seen_at   = EXCLUDED.first_seen_at,
    last_updated_at = EXCLUDED.last_updated_at,
    confirmed_at    = EXCLUDED.confirmed_at,
    unavailable_at  = EXCLUDED.unavailable_at
WHERE (c.outcomes, c.first_seen_at, c.last_updated_at, c.confirmed_at, c.unavailable_at)
      IS DISTINCT FROM (EXCLUDED.outcomes, EXCLUDED.first_seen_at, EXCLUDED.last_updated_at,
                        EXCLUDED.confirmed_at, EXCLUDED.unavailable_at)
