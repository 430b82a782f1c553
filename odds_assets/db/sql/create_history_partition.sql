-- The daily history partition holding the given day (UTC), created if missing (safe when concurrent).
SELECT odds_ensure_history_partition(%(day)s)
