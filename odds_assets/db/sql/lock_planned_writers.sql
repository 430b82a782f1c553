-- A planned write (late window, backfill, re-derivation) derives rows shared between books from what
-- the other books wrote, so it runs alone: key 0 of the engine's namespace, exclusive.
SELECT pg_advisory_xact_lock(%(ns)s, 0)
