-- Window analytics: exposure episodes the staged window removes (started at a re-run window that no longer has them).
DELETE FROM exposure_episodes x
USING _exposure_stage s
WHERE s.op = 'd' AND x.sr_event_id = s.sr_event_id AND x.market_id = s.market_id
  AND x.line_hundredths = s.line_hundredths AND x.outcome = s.outcome AND x.kind = s.kind
  AND x.started_at = to_timestamp(s.started_at)
