-- Daily analytics: the margin report's figures per book: observed states, those with a margin, and the
-- mean margin over them all (the groups' means weighted by their counts).
SELECT bookmaker, sum(observations) AS observations, sum(with_margin) AS with_margin,
       sum(mean_margin * with_margin) / nullif(sum(with_margin), 0) AS mean_margin
FROM analytics_margin_report WHERE day = %(day)s
GROUP BY bookmaker ORDER BY bookmaker
