-- History rows of the given (event, time) pairs: the rows at the snapshot's time and at each event's
-- next complete scrape, which are the only rows a late or re-derived window can change.
SELECT array_agg(h.sr_event_id), array_agg(odds_market_key(h.market_id, h.line_hundredths)),
       array_agg(h.captured_at), array_agg(coalesce(h.outcomes, '')), array_agg(h.outcomes IS NOT NULL)
FROM unnest(%(ids)s::bigint[], %(ts)s::timestamptz[]) AS p(sr_event_id, captured_at)
JOIN market_odds_history h
  ON h.bookmaker = %(b)s AND h.sr_event_id = p.sr_event_id AND h.captured_at = p.captured_at
