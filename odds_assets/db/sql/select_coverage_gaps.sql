-- One day's coverage summary (analytics_coverage_gaps): per competition and competitor, against BetPawa.
SELECT g.competition, b.name AS competitor, g.betpawa_events, g.competitor_events, g.shared_events,
       g.events_not_at_betpawa, g.events_not_at_competitor, g.markets_not_at_betpawa, g.events_with_market_gaps
FROM analytics_coverage_gaps g
JOIN bookmakers b ON b.id = g.bookmaker
WHERE g.day = %(day)s
  AND (%(competition)s::text IS NULL OR lower(g.competition) = lower(%(competition)s::text))
ORDER BY g.events_not_at_betpawa + g.markets_not_at_betpawa DESC, g.competition, b.id
