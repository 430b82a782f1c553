-- Loads the snapshot's events into create_event_stage's table (the engine writes the rows).
COPY _odds_event_stage (sr_event_id, bookmaker_event_id, home, away, kickoff, competition, country, latest, live)
FROM STDIN
