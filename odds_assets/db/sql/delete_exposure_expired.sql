-- Retention: exposure episodes closed before the horizon (open ones stay, however old their start).
DELETE FROM exposure_episodes WHERE ended_at < %(horizon)s
