-- The trader's view: one match (SportRadar id) as the canonical events row names it.
SELECT home, away, kickoff, competition, country FROM events WHERE sr_event_id = %(sr)s
