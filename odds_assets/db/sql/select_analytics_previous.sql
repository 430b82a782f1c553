-- Window analytics: the newest computed window of an asset with its figures (no row when none).
SELECT window_start, window_end, figures FROM analytics_windows WHERE asset = %(asset)s
ORDER BY window_start DESC LIMIT 1
