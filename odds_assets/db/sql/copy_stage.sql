-- Loads the changed markets of live events into create_stage's table (the engine writes the rows).
COPY _odds_stage (sr_event_id, market_id, line, outcomes, kind) FROM STDIN
