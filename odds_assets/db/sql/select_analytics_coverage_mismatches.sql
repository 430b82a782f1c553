-- Daily analytics check: competition x competitor rows of the day's coverage report whose gap counts differ
-- from the detail rows.
SELECT count(*) FROM analytics_coverage_gaps g
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE d.kind = 'event_not_at_betpawa') AS events_not_at_betpawa,
           count(*) FILTER (WHERE d.kind = 'event_not_at_competitor') AS events_not_at_competitor,
           count(*) FILTER (WHERE d.kind = 'market_not_at_betpawa') AS markets_not_at_betpawa
    FROM analytics_coverage_gap_details d
    WHERE d.day = g.day AND d.competition = g.competition AND d.bookmaker = g.bookmaker) AS d ON true
WHERE g.day = %(day)s
  AND (g.events_not_at_betpawa, g.events_not_at_competitor, g.markets_not_at_betpawa)
      IS DISTINCT FROM (d.events_not_at_betpawa, d.events_not_at_competitor, d.markets_not_at_betpawa)
