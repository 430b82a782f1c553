-- Loads the planned name versions into create_event_version_plan's table (the engine writes the rows).
COPY _odds_event_version_plan (sr_event_id, captured_at, bookmaker_event_id, home, away, kickoff, competition,
                               country, op)
FROM STDIN
