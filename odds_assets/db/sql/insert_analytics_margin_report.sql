-- Daily analytics: the margin report of the day from analytics_day_states. Each observed state's margin
-- by its market type's rule (market_margin_rules; odds_assets.analytics.margin): sum(1/odds) / covers - 1
-- for a complete set (exactly the type's outcomes), every outcome priced and bettable, a type with a
-- margin of its own; a type without a row is mutually exclusive with what it lists. The outcomes text
-- (migration 0001's grammar) is read by a plain split when it has no \ escape (priced and bettable: no
-- "!" and no "=" without odds), by odds_outcome_list otherwise. Bucket: kick-off minus observed_at;
-- states observed at or after kick-off are left out.
INSERT INTO analytics_margin_report (day, bookmaker, competition, market_id, bucket, observations, with_margin,
                                     mean_margin, median_margin, min_margin, max_margin)
SELECT %(day)s, s.bookmaker, coalesce(e.competition, ''), s.market_id,
       CASE WHEN e.kickoff - s.observed_at >= interval '7 days' THEN '7d+'
            WHEN e.kickoff - s.observed_at >= interval '3 days' THEN '3-7d'
            WHEN e.kickoff - s.observed_at >= interval '24 hours' THEN '24-72h'
            ELSE '<24h' END AS bucket,
       count(*), count(m.margin), avg(m.margin), percentile_cont(0.5) WITHIN GROUP (ORDER BY m.margin),
       min(m.margin), max(m.margin)
FROM analytics_day_states s
JOIN events e ON e.sr_event_id = s.sr_event_id
LEFT JOIN market_margin_rules r ON r.market_id = s.market_id
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN r.market_id IS NOT NULL AND r.covers IS NULL THEN NULL
        WHEN strpos(s.outcomes, '\') > 0 THEN (
            SELECT CASE WHEN bool_and(o.active AND o.odds <> '')
                             AND (r.market_id IS NULL
                                  OR (count(*) = cardinality(r.outcomes) AND bool_and(o.name = ANY(r.outcomes))))
                        THEN sum(1 / nullif(o.odds, '')::float8) / coalesce(r.covers, 1) - 1 END
            FROM odds_outcome_list(s.outcomes) AS o)
        WHEN strpos(s.outcomes, '!') = 0 AND strpos(s.outcomes || ';', '=;') = 0 THEN (
            SELECT CASE WHEN r.market_id IS NULL
                             OR (count(*) = cardinality(r.outcomes)
                                 AND bool_and(split_part(x, '=', 1) = ANY(r.outcomes)))
                        THEN sum(1 / split_part(x, '=', 2)::float8) / coalesce(r.covers, 1) - 1 END
            FROM unnest(string_to_array(s.outcomes, ';')) AS x)
    END AS margin) AS m
WHERE s.observed_at < e.kickoff
GROUP BY s.bookmaker, coalesce(e.competition, ''), s.market_id, 5
