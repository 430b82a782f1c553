-- Daily analytics: the opening/closing report's figures per book: closing prices, those younger than two
-- cadences at kick-off, events, median closing age (s).
SELECT bookmaker, count(*) AS closing_prices, count(*) FILTER (WHERE NOT low_confidence) AS fresh,
       count(DISTINCT sr_event_id) AS events, percentile_cont(0.5) WITHIN GROUP (ORDER BY closing_age_s) AS median_age_s
FROM analytics_opening_closing WHERE day = %(day)s
GROUP BY bookmaker ORDER BY bookmaker
