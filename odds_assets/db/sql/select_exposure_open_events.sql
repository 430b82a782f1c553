-- The events with at least one open exposure episode, and how many (the board's marker); the partial
-- index ix_exposure_episodes_open holds exactly the open ones.
SELECT sr_event_id, count(*)::integer AS open_episodes, max(peak_edge) AS peak_edge
FROM exposure_episodes
WHERE ended_at IS NULL
GROUP BY sr_event_id
