-- Window analytics: every outcome of every available market instance of every book as of %(end)s (the
-- board of each event's latest complete scrape before the window's end, as history records it), for events
-- kicking off after %(start)s. Keys without a history row at or after %(end)s read current (the cheap path:
-- all of them when the window is the latest); the others read their latest history row before %(end)s.
-- changed_at (epoch seconds) = when the instance's outcomes last changed before %(end)s, by the rule of
-- market_odds_current.last_updated_at (back at the same outcomes after a gap is no change).
-- Outcomes are split here (the encoding of db/keys.py and snapshot.py: name=odds, "!" not bettable);
-- a text with "\" escapes goes through odds_outcomes_jsonb. Read with COPY ... TO STDOUT (CSV).
SELECT p.sr_event_id, p.bookmaker, p.market_id, p.line_hundredths, extract(epoch FROM p.changed_at)::float8,
       o.name, o.odds, o.active, o.ord
FROM (
    WITH later AS MATERIALIZED (
        SELECT DISTINCT sr_event_id, market_id, bookmaker, line_hundredths
        FROM market_odds_history
        WHERE captured_at >= %(end)s
    )
    SELECT c.sr_event_id, c.bookmaker, c.market_id, odds_line_hundredths(c.line) AS line_hundredths, c.outcomes,
           c.last_updated_at AS changed_at
    FROM market_odds_current c
    JOIN events e ON e.sr_event_id = c.sr_event_id AND e.kickoff > %(start)s
    WHERE c.unavailable_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM later l
                      WHERE l.sr_event_id = c.sr_event_id AND l.market_id = c.market_id AND l.bookmaker = c.bookmaker
                        AND l.line_hundredths = odds_line_hundredths(c.line))
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
    FROM later l
    JOIN events e ON e.sr_event_id = l.sr_event_id AND e.kickoff > %(start)s
    JOIN LATERAL (
        SELECT h.outcomes FROM market_odds_history h
        WHERE h.sr_event_id = l.sr_event_id AND h.market_id = l.market_id AND h.bookmaker = l.bookmaker
          AND h.line_hundredths = l.line_hundredths AND h.captured_at < %(end)s
        ORDER BY h.captured_at DESC LIMIT 1) AS lp ON lp.outcomes IS NOT NULL
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
