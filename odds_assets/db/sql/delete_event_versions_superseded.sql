-- Retention of name versions: keep the one in force at the horizon (an event listed for longer than
-- the retention still has its names), drop those superseded before it.
DELETE FROM bookmaker_event_history h
WHERE h.captured_at < %(horizon)s
  AND EXISTS (SELECT 1 FROM bookmaker_event_history n
              WHERE n.bookmaker = h.bookmaker AND n.sr_event_id = h.sr_event_id
                AND n.captured_at > h.captured_at AND n.captured_at <= %(horizon)s)
