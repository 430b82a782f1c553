-- Window analytics: a fingerprint of what the write engine wrote for scrapes before %(before)s (how many
-- applied snapshots, and the sum of their applied_at: a late window or a re-application changes it), so
-- a window can tell whether the inputs of the previous computed window changed since it was computed.
SELECT count(*), coalesce(sum(extract(epoch FROM applied_at)), 0)::text FROM snapshots WHERE captured_at < %(before)s
