-- A backfill found a market current never held: a later complete scrape of its event did not list
-- it, so it is recorded as seen at the backfilled time and unavailable since that later scrape.
INSERT INTO market_odds_current AS c
    (sr_event_id, bookmaker, market_id, line, outcomes, first_seen_at, last_updated_at, confirmed_at,
     unavailable_at)
SELECT s.sr_event_id, %(b)s, s.market_id, s.line, s.outcomes, %(t)s, %(t)s, %(t)s, be.last_seen_at
FROM _odds_stage s
JOIN bookmaker_events be ON be.sr_event_id = s.sr_event_id AND be.bookmaker = %(b)s
WHERE s.missing_from_current
ON CONFLICT ON CONSTRAINT uq_market_odds_current_key DO NOTHING
