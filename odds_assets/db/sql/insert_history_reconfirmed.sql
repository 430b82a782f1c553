-- After a backfill inserted a row at captured_at for a key whose later history is empty, the key's
-- state at the event's latest complete scrape (what current holds) is written there if it differs,
-- so that history replayed in order always ends at current (a backfill must not leave history's
-- last word contradicting what a later scrape saw).
INSERT INTO market_odds_history (captured_at, sr_event_id, market_id, bookmaker, line_hundredths, outcomes)
SELECT be.last_seen_at, s.sr_event_id, s.market_id, %(b)s, odds_line_hundredths(s.line),
       CASE WHEN c.unavailable_at IS NULL THEN c.outcomes END
FROM _odds_stage s
JOIN bookmaker_events be ON be.sr_event_id = s.sr_event_id AND be.bookmaker = %(b)s
JOIN market_odds_current c
  ON c.sr_event_id = s.sr_event_id AND c.bookmaker = %(b)s AND c.market_id = s.market_id
 AND c.line IS NOT DISTINCT FROM s.line
WHERE NOT s.to_current
  AND be.last_seen_at > %(t)s
  AND (CASE WHEN c.unavailable_at IS NULL THEN c.outcomes END)
      IS DISTINCT FROM (CASE WHEN s.kind = 'g' THEN NULL ELSE s.outcomes END)
  AND NOT EXISTS (
      SELECT 1 FROM market_odds_history h
      WHERE h.sr_event_id = s.sr_event_id AND h.bookmaker = %(b)s AND h.market_id = s.market_id
        AND h.line_hundredths = odds_line_hundredths(s.line) AND h.captured_at > %(t)s)
ON CONFLICT DO NOTHING
