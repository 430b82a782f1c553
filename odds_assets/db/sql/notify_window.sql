-- Announces the window this transaction wrote to every LISTENer of the channel (the web board): PostgreSQL
-- delivers it at COMMIT and drops it on ROLLBACK. NOTIFY takes no bind parameters; pg_notify does.
SELECT pg_notify(%(channel)s, %(payload)s)
