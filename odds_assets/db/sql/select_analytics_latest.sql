-- Window analytics: the newest computed window of an asset (NULL when none).
SELECT max(window_start) FROM analytics_windows WHERE asset = %(asset)s
