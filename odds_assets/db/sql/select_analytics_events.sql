-- Daily analytics: kick-off (µs since the epoch) and competition ('' when unknown) of the given events.
SELECT sr_event_id, (extract(epoch FROM kickoff) * 1000000)::bigint AS kickoff_us, coalesce(competition, '') AS competition
FROM events WHERE sr_event_id = ANY(%(ids)s)
