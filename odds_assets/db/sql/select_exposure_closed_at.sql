-- Window analytics check: episodes closed at window %(w)s, and those not ending after their start.
SELECT count(*), count(*) FILTER (WHERE ended_at <= started_at) FROM exposure_episodes WHERE ended_at = %(w)s
