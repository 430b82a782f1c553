-- One writer per bookmaker: a transaction-scoped advisory lock in the engine's namespace (ns), keyed
-- by the book's id, held until the write commits.
SELECT pg_advisory_xact_lock(%(ns)s, %(b)s)
