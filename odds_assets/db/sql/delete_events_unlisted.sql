-- Canonical events that no book lists any more (a re-derivation removed their only complete scrapes).
DELETE FROM events e
WHERE e.sr_event_id = ANY(%(ids)s)
  AND NOT EXISTS (SELECT 1 FROM bookmaker_events be WHERE be.sr_event_id = e.sr_event_id)
