-- The traders' exposure page: episodes still open, and those that ended at or after %(since)s, open ones
-- first, then largest peak edge first (an arbitrage without an edge above the threshold last); an open
-- episode carries the outcome's values now (fair_prices_current). Filters: kind, one event.
SELECT x.sr_event_id, e.home, e.away, e.kickoff, e.competition, x.market_id, r.name AS market,
       odds_line_from_hundredths(x.line_hundredths) AS line, x.outcome, x.kind, x.started_at, x.ended_at,
       x.peak_at, x.peak_edge, x.peak_betpawa_odds, x.peak_fair_odds, x.peak_market_implied, x.first_mover,
       x.first_move_at, x.betpawa_age_s, x.sportybet_age_s, x.bet9ja_age_s, x.correction_s,
       f.edge AS edge_now, f.betpawa_odds AS betpawa_odds_now, f.fair_odds AS fair_odds_now
FROM exposure_episodes x
LEFT JOIN events e ON e.sr_event_id = x.sr_event_id
LEFT JOIN market_margin_rules r ON r.market_id = x.market_id
LEFT JOIN fair_prices_current f
       ON x.ended_at IS NULL AND f.sr_event_id = x.sr_event_id AND f.market_id = x.market_id
      AND f.line_hundredths = x.line_hundredths AND f.outcome = x.outcome
WHERE (x.ended_at IS NULL OR x.ended_at >= %(since)s)
  AND (NOT %(open_only)s OR x.ended_at IS NULL)
  AND (%(kind)s::text IS NULL OR x.kind = %(kind)s::text)
  AND (%(sr)s::bigint IS NULL OR x.sr_event_id = %(sr)s::bigint)
ORDER BY x.ended_at IS NOT NULL, x.peak_edge DESC NULLS LAST, x.started_at DESC, x.sr_event_id, x.market_id,
         x.line_hundredths, x.outcome
LIMIT %(limit)s
