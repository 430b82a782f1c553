-- One day's margin report (analytics_margin_report): book × competition × market type × time-to-kick-off
-- bucket, margins as fractions (the page shows percent). Filter: competition (exact, any case).
SELECT b.name AS bookmaker, m.competition, m.market_id, r.name AS market, m.bucket, m.observations,
       m.with_margin, m.mean_margin, m.median_margin
FROM analytics_margin_report m
JOIN bookmakers b ON b.id = m.bookmaker
LEFT JOIN market_margin_rules r ON r.market_id = m.market_id
WHERE m.day = %(day)s
  AND (%(competition)s::text IS NULL OR lower(m.competition) = lower(%(competition)s::text))
ORDER BY m.competition, m.market_id, CASE m.bucket WHEN '7d+' THEN 0 WHEN '3-7d' THEN 1 WHEN '24-72h' THEN 2 ELSE 3 END,
         b.id
