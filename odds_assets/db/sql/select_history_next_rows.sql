-- For each (event, key, time), the key's first history row after that time, if any: whether a late or
-- re-derived window made a market "seen before" changes how its next appearance classifies (new/back).
SELECT p.sr_event_id, p.k, r.captured_at, r.outcomes
FROM unnest(%(ids)s::bigint[], %(ks)s::bigint[], %(ts)s::timestamptz[]) AS p(sr_event_id, k, after_at)
CROSS JOIN LATERAL (
    SELECT h.captured_at, h.outcomes FROM market_odds_history h
    WHERE h.bookmaker = %(b)s AND h.sr_event_id = p.sr_event_id AND h.market_id = odds_key_market_id(p.k)
      AND h.line_hundredths = odds_key_line_hundredths(p.k) AND h.captured_at > p.after_at
    ORDER BY h.captured_at
    LIMIT 1) AS r
