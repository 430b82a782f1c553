-- Window analytics: select_outcomes_as_of restricted to the instances in _window_dirty (every book's
-- instance of them), with the same rules: keys without a history row at or after %(end)s read current,
-- the others their latest history row before %(end)s; changed_at by the rule of last_updated_at.
SELECT p.sr_event_id, p.bookmaker, p.market_id, p.line_hundredths, extract(epoch FROM p.changed_at)::float8,
       o.name, o.odds, o.active, o.ord
FROM (
    WITH k AS MATERIALIZED (
        SELECT d.sr_event_id, d.market_id, b.id AS bookmaker, d.line_hundredths,
               EXISTS (SELECT 1 FROM market_odds_history h
                       WHERE h.sr_event_id = d.sr_event_id AND h.market_id = d.market_id AND h.bookmaker = b.id
                         AND h.line_hundredths = d.line_hundredths AND h.captured_at >= %(end)s) AS later
        FROM _window_dirty d
        JOIN events e ON e.sr_event_id = d.sr_event_id AND e.kickoff > %(start)s
        CROSS JOIN bookmakers b
    )
    SELECT c.sr_event_id, c.bookmaker, c.market_id, k.line_hundredths, c.outcomes, c.last_updated_at AS changed_at
    FROM k
    JOIN market_odds_current c ON c.sr_event_id = k.sr_event_id AND c.bookmaker = k.bookmaker
     AND c.market_id = k.market_id AND odds_line_hundredths(c.line) = k.line_hundredths
    WHERE NOT k.later AND c.unavailable_at IS NULL
    UNION ALL
    SELECT l.sr_event_id, l.bookmaker, l.market_id, l.line_hundredths, lp.outcomes,
           (SELECT min(h.captured_at) FROM market_odds_history h
            WHERE h.sr_event_id = l.sr_event_id AND h.market_id = l.market_id AND h.bookmaker = l.bookmaker
              AND h.line_hundredths = l.line_hundredths AND h.captured_at < %(end)s AND h.outcomes = lp.outcomes
              AND h.captured_at > coalesce((
                  SELECT max(h2.captured_at) FROM market_odds_history h2
                  WHERE h2.sr_event_id = l.sr_event_id AND h2.market_id = l.market_id AND h2.bookmaker = l.bookmaker
                    AND h2.line_hundredths = l.line_hundredths AND h2.captured_at < %(end)s
                    AND h2.outcomes <> lp.outcomes), '-infinity'))
    FROM k AS l
    JOIN LATERAL (
        SELECT h.outcomes FROM market_odds_history h
        WHERE h.sr_event_id = l.sr_event_id AND h.market_id = l.market_id AND h.bookmaker = l.bookmaker
          AND h.line_hundredths = l.line_hundredths AND h.captured_at < %(end)s
        ORDER BY h.captured_at DESC LIMIT 1) AS lp ON lp.outcomes IS NOT NULL
    WHERE l.later
) AS p
CROSS JOIN LATERAL (
    SELECT split_part(x, '=', 1) AS name, rtrim(split_part(x, '=', 2), '!') AS odds, right(x, 1) <> '!' AS active,
           ord
    FROM unnest(string_to_array(p.outcomes, ';')) WITH ORDINALITY AS u(x, ord)
    WHERE strpos(p.outcomes, '\') = 0
    UNION ALL
    SELECT j ->> 'name', coalesce(j ->> 'odds', ''), (j ->> 'active')::boolean, ord
    FROM jsonb_array_elements(odds_outcomes_jsonb(p.outcomes)) WITH ORDINALITY AS v(j, ord)
    WHERE strpos(p.outcomes, '\') > 0
) AS o
