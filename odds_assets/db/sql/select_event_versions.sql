-- Name versions of the given events: the latest before the snapshot's time (kind 'p') and those at
-- the given (event, time) pairs (kind 'a'), as rows.
SELECT 'p' AS kind, v.sr_event_id, v.captured_at, v.bookmaker_event_id, v.home, v.away, v.kickoff,
       v.competition, v.country
FROM (SELECT DISTINCT ON (sr_event_id) * FROM bookmaker_event_history
      WHERE bookmaker = %(b)s AND sr_event_id = ANY(%(ids)s) AND captured_at < %(t)s
      ORDER BY sr_event_id, captured_at DESC) AS v
UNION ALL
SELECT 'a', h.sr_event_id, h.captured_at, h.bookmaker_event_id, h.home, h.away, h.kickoff, h.competition,
       h.country
FROM unnest(%(pair_ids)s::bigint[], %(pair_ts)s::timestamptz[]) AS p(sr_event_id, captured_at)
JOIN bookmaker_event_history h
  ON h.bookmaker = %(b)s AND h.sr_event_id = p.sr_event_id AND h.captured_at = p.captured_at
