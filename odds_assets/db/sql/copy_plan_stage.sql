-- Loads the planned history rows and keys into create_plan_stage's table (the engine writes the rows).
COPY _odds_plan (sr_event_id, market_id, line_hundredths, captured_at, outcomes, op) FROM STDIN
