-- Window analytics: episodes opened at window %(w)s, closed at it, and open during it.
SELECT count(*) FILTER (WHERE started_at = %(w)s), count(*) FILTER (WHERE ended_at = %(w)s),
       count(*) FILTER (WHERE ended_at IS NULL OR ended_at > %(w)s)
FROM exposure_episodes
WHERE started_at <= %(w)s AND (ended_at IS NULL OR ended_at >= %(w)s)
