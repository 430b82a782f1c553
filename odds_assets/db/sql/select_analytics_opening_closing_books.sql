-- Daily analytics: the books that scraped completely, on the day, an event kicking off on the day (those
-- the opening/closing report of the day must cover).
SELECT DISTINCT s.bookmaker
FROM snapshots s CROSS JOIN LATERAL unnest(s.event_ids) AS x(sr_event_id)
JOIN events e ON e.sr_event_id = x.sr_event_id
WHERE s.captured_at >= %(d0)s AND s.captured_at < %(d1)s AND e.kickoff >= %(d0)s AND e.kickoff < %(d1)s
  AND s.captured_at < e.kickoff
