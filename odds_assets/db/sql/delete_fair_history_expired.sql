-- Window analytics: fair-price change rows and ledger rows older than the retention (a key's latest row
-- before the cut is kept while it is still the key's state, so the state as of a kept window stays whole).
DELETE FROM fair_prices_history h
WHERE h.window_start < %(cut)s
  AND EXISTS (SELECT 1 FROM fair_prices_history n
              WHERE n.sr_event_id = h.sr_event_id AND n.market_id = h.market_id
                AND n.line_hundredths = h.line_hundredths AND n.outcome = h.outcome
                AND n.window_start > h.window_start AND n.window_start <= %(cut)s)
