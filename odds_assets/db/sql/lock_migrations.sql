-- Serialises concurrent migrators (demo start, tests, several Dagster processes) on one server;
-- session-level, released by unlock_migrations.sql.
SELECT pg_advisory_lock(hashtext('odds_assets.migrate'))
