-- Retention: fair-price change rows before the horizon, except each outcome's latest row at or before it
-- while that row says the outcome exists (the state as of every later window is read from it); an
-- outcome whose latest such row says it stopped existing loses them all (absent either way).
DELETE FROM fair_prices_history h
WHERE h.window_start < %(horizon)s
  AND (NOT h.present
       OR EXISTS (SELECT 1 FROM fair_prices_history n
                  WHERE n.sr_event_id = h.sr_event_id AND n.market_id = h.market_id
                    AND n.line_hundredths = h.line_hundredths AND n.outcome = h.outcome
                    AND n.window_start > h.window_start AND n.window_start <= %(horizon)s))
