-- Daily analytics: the coverage report's figures per competitor: BetPawa's events, events not at
-- BetPawa, BetPawa's events not at the competitor, markets not at BetPawa.
SELECT bookmaker, sum(betpawa_events), sum(events_not_at_betpawa), sum(events_not_at_competitor),
       sum(markets_not_at_betpawa)
FROM analytics_coverage_gaps WHERE day = %(day)s
GROUP BY bookmaker ORDER BY bookmaker
