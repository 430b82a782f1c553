-- Window analytics: fair_prices_current rows the staged window no longer has (the newest window only).
DELETE FROM fair_prices_current c
USING _fair_stage s
WHERE NOT s.present AND c.sr_event_id = s.sr_event_id AND c.market_id = s.market_id
  AND c.line_hundredths = s.line_hundredths AND c.outcome = s.outcome
