-- Before deriving canonical events from the per-book rows, wait for other books' writers that are
-- changing those rows (they take these row locks after all their events locks, so they never wait on
-- us): the derivation, a later statement, then reads what they committed.
SELECT 1 FROM bookmaker_events
WHERE sr_event_id = ANY(%(ids)s) AND bookmaker <> %(b)s
ORDER BY sr_event_id, bookmaker
FOR SHARE
