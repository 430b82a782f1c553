-- Daily analytics, lead-lag: the history rows of the day [d0, d1) and the state before d0 of each instance
-- seen before d0 whose odds changed since (a move on the day needs the state before it: an instance whose
-- odds have not changed since d0 has no move on the day). Three values instead of millions of rows through
-- the client, each aggregate fed the same rows in the same order:
--   keys      CSV lines: bookmaker, event, market, line hundredths, captured_at in µs since the epoch,
--             special (1: outcomes text with a \ escape, tab, newline or \x01, sent apart)
--   outcomes  per row a line \x01, then one line per outcome "name<TAB>odds[<TAB>!]" (the compact text with
--             ; = ! turned into line breaks and tabs; nothing for an unavailable market or a special row)
--   specials  the special rows' outcomes texts, as a JSON array in row order
SELECT string_agg(concat(s.bookmaker, ',', s.sr_event_id, ',', s.market_id, ',', s.line_hundredths, ',', s.t, ',',
                         s.special::int), E'\n') AS keys,
       string_agg(CASE WHEN s.special OR s.outcomes IS NULL THEN E'\x01'
                       ELSE E'\x01\n' || replace(replace(replace(s.outcomes, ';', E'\n'), '=', E'\t'), '!', E'\t!')
                  END, E'\n') AS outcomes,
       coalesce(json_agg(s.outcomes) FILTER (WHERE s.special), '[]') AS specials
FROM (
    SELECT r.*, coalesce(strpos(r.outcomes, '\') + strpos(r.outcomes, E'\t') + strpos(r.outcomes, E'\n')
                         + strpos(r.outcomes, E'\x01') > 0, false) AS special FROM (
        SELECT h.bookmaker, h.sr_event_id, h.market_id, h.line_hundredths,
               (extract(epoch FROM h.captured_at) * 1000000)::bigint AS t, h.outcomes
        FROM market_odds_history h
        WHERE h.captured_at >= %(d0)s AND h.captured_at < %(d1)s
        UNION ALL
        SELECT c.bookmaker, c.sr_event_id, c.market_id, p.line_hundredths,
               (extract(epoch FROM p.captured_at) * 1000000)::bigint, p.outcomes
        FROM market_odds_current c
        CROSS JOIN LATERAL (
            SELECT h.line_hundredths, h.captured_at, h.outcomes FROM market_odds_history h
            WHERE h.sr_event_id = c.sr_event_id AND h.market_id = c.market_id AND h.bookmaker = c.bookmaker
              AND h.line_hundredths = odds_line_hundredths(c.line) AND h.captured_at < %(d0)s
            ORDER BY h.captured_at DESC
            LIMIT 1) AS p
        WHERE c.first_seen_at < %(d0)s AND c.last_updated_at >= %(d0)s
    ) AS r
) AS s
