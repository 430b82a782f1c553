-- State of each market of the given events just BEFORE the snapshot's time (the latest history row
-- earlier than it), in the four-array form of select_current_state; outcomes NULL (gone) reads as
-- unavailable with outcomes ''.
SELECT array_agg(sr_event_id), array_agg(k), array_agg(coalesce(outcomes, '')), array_agg(outcomes IS NOT NULL)
FROM (
    SELECT DISTINCT ON (sr_event_id, market_id, line_hundredths)
           sr_event_id, odds_market_key(market_id, line_hundredths) AS k, outcomes
    FROM market_odds_history
    WHERE bookmaker = %(b)s AND sr_event_id = ANY(%(ids)s) AND captured_at < %(t)s
    ORDER BY sr_event_id, market_id, line_hundredths, captured_at DESC
) AS before_t
