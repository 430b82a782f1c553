-- Live writes of different books run side by side, but never beside a planned write: key 0, shared.
SELECT pg_advisory_xact_lock_shared(%(ns)s, 0)
