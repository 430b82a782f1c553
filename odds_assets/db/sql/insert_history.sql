-- Change-only history: one row per new, changed, back (outcomes) or gone (NULL) market. Idempotent.
INSERT INTO market_odds_history (captured_at, sr_event_id, market_id, bookmaker, line_hundredths, outcomes)
SELECT %(t)s, s.sr_event_id, s.market_id, %(b)s, odds_line_hundredths(s.line),
       CASE WHEN s.kind = 'g' THEN NULL ELSE s.outcomes END
FROM _odds_stage s
ON CONFLICT DO NOTHING
