-- New, changed and back markets of live events. The WHERE guard keeps a key from ever moving
-- backwards in time, whatever the caller did.
INSERT INTO market_odds_current AS c
    (sr_event_id, bookmaker, market_id, line, outcomes, first_seen_at, last_updated_at, confirmed_at)
SELECT s.sr_event_id, %(b)s, s.market_id, s.line, s.outcomes, %(t)s, %(t)s, %(t)s
FROM _odds_stage s
WHERE s.kind IN ('n', 'c', 'b')
ON CONFLICT ON CONSTRAINT uq_market_odds_current_key DO UPDATE SET
    outcomes        = EXCLUDED.outcomes,
    -- when the odds last changed: back at the same odds is no change of odds
    last_updated_at = CASE WHEN c.outcomes = EXCLUDED.outcomes THEN c.last_updated_at
                           ELSE EXCLUDED.last_updated_at END,
    confirmed_at    = EXCLUDED.confirmed_at,
    unavailable_at  = NULL
WHERE greatest(c.last_updated_at, c.confirmed_at, c.unavailable_at) < EXCLUDED.confirmed_at
