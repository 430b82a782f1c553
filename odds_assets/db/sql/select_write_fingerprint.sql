-- Window analytics: a fingerprint of everything the write engine has written (each applied window's
-- snapshots row; a re-application that changes data rewrites it), to reuse a window's computed state
-- within a run only while nothing was written since.
SELECT count(*), max(applied_at), max(captured_at) FROM snapshots
