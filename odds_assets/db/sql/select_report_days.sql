-- The days a daily report has rows for, latest first (the margins and coverage pages' day choice).
SELECT day FROM analytics_margin_report WHERE %(report)s = 'margins' GROUP BY day
UNION
SELECT day FROM analytics_coverage_gaps WHERE %(report)s = 'coverage' GROUP BY day
ORDER BY day DESC
LIMIT 62
