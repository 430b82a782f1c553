-- Window analytics: statistics of the refilled _window_dirty (autovacuum never analyses temporary tables;
-- without them the planner guesses its size and may loop over it once per episode or history key).
ANALYZE _window_dirty
