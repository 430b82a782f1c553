-- One day's coverage gaps one by one, with the event's names (analytics_coverage_gap_details).
SELECT d.competition, b.name AS competitor, d.kind, d.sr_event_id, e.home, e.away, e.kickoff, d.market_id,
       r.name AS market, odds_line_from_hundredths(d.line_hundredths) AS line
FROM analytics_coverage_gap_details d
JOIN bookmakers b ON b.id = d.bookmaker
LEFT JOIN events e ON e.sr_event_id = d.sr_event_id
LEFT JOIN market_margin_rules r ON r.market_id = d.market_id
WHERE d.day = %(day)s
  AND (%(competition)s::text IS NULL OR lower(d.competition) = lower(%(competition)s::text))
ORDER BY d.competition, d.kind, e.kickoff, d.sr_event_id, d.market_id, d.line_hundredths, b.id
LIMIT %(limit)s
