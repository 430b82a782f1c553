-- Daily analytics: the books that wrote a window with at least one completely scraped event on the day.
SELECT DISTINCT bookmaker FROM snapshots
WHERE captured_at >= %(d0)s AND captured_at < %(d1)s AND cardinality(event_ids) > 0
