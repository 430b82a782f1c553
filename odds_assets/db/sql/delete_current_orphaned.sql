-- A key whose every history row this write removed (a re-derivation that no longer reads the market)
-- was never observed: its current row goes too.
DELETE FROM market_odds_current c
USING (SELECT DISTINCT sr_event_id, market_id, line_hundredths FROM _odds_plan WHERE op = 'x') AS k
WHERE c.bookmaker = %(b)s AND c.sr_event_id = k.sr_event_id AND c.market_id = k.market_id
  AND odds_line_hundredths(c.line) = k.line_hundredths
  AND NOT EXISTS (SELECT 1 FROM market_odds_history h
                  WHERE h.bookmaker = %(b)s AND h.sr_event_id = k.sr_event_id AND h.market_id = k.market_id
                    AND h.line_hundredths = k.line_hundredths)
