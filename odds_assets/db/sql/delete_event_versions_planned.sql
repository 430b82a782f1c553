-- Applies the name-version plan, step 1: removes the versions the plan removes or replaces.
DELETE FROM bookmaker_event_history h
USING _odds_event_version_plan p
WHERE h.bookmaker = %(b)s AND h.sr_event_id = p.sr_event_id AND h.captured_at = p.captured_at
