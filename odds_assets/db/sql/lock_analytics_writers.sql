-- Window analytics: one writer of the analytics tables at a time (released at commit).
SELECT pg_advisory_xact_lock(3541, 8)
