-- Daily analytics: opening and closing prices of the events kicking off on the day [d0, d1) (the day owns
-- an event by its kick-off, events.kickoff), per event x book x market x line x outcome that had a bettable
-- price before kick-off (odds_assets.analytics.daily): the first such price and when it was written; the
-- last one, when it was written, the latest complete scrape of the event by the book that still showed
-- it before kick-off (the snapshots ledger), its age at kick-off and whether that age exceeds
-- %(stale_s)s seconds (two cadences: low confidence).
INSERT INTO analytics_opening_closing (day, sr_event_id, bookmaker, market_id, line_hundredths, outcome, kickoff,
                                       opening_odds, opening_at, closing_odds, closing_at, closing_seen_at,
                                       closing_age_s, low_confidence)
WITH ev AS (
    SELECT sr_event_id, kickoff FROM events WHERE kickoff >= %(d0)s AND kickoff < %(d1)s
), states AS MATERIALIZED (
    SELECT h.sr_event_id, h.bookmaker, h.market_id, h.line_hundredths, h.captured_at, ev.kickoff,
           lead(h.captured_at) OVER (PARTITION BY h.sr_event_id, h.market_id, h.bookmaker, h.line_hundredths
                                     ORDER BY h.captured_at) AS next_at,
           h.outcomes
    FROM ev JOIN market_odds_history h ON h.sr_event_id = ev.sr_event_id
    WHERE h.captured_at < %(d1)s AND h.captured_at < ev.kickoff
), prices AS MATERIALIZED (
    SELECT s.sr_event_id, s.bookmaker, s.market_id, s.line_hundredths, s.kickoff, s.captured_at, s.next_at,
           o.name, o.odds
    FROM states s CROSS JOIN LATERAL odds_outcome_list(s.outcomes) AS o
    WHERE s.outcomes IS NOT NULL AND o.active AND o.odds <> ''
), opening AS (
    SELECT DISTINCT ON (sr_event_id, bookmaker, market_id, line_hundredths, name)
           sr_event_id, bookmaker, market_id, line_hundredths, name, odds, captured_at
    FROM prices
    ORDER BY sr_event_id, bookmaker, market_id, line_hundredths, name, captured_at
), closing AS (
    SELECT DISTINCT ON (sr_event_id, bookmaker, market_id, line_hundredths, name)
           sr_event_id, bookmaker, market_id, line_hundredths, name, odds, captured_at, next_at, kickoff
    FROM prices
    ORDER BY sr_event_id, bookmaker, market_id, line_hundredths, name, captured_at DESC
), last_scrape AS (  -- each book's latest complete scrape of the event before kick-off
    SELECT b.bookmaker, b.sr_event_id,
           (SELECT max(s.captured_at) FROM snapshots s
            WHERE s.bookmaker = b.bookmaker AND s.captured_at < b.kickoff AND s.event_ids @> ARRAY[b.sr_event_id])
               AS seen_at
    FROM (SELECT DISTINCT bookmaker, sr_event_id, kickoff FROM closing) AS b
), replaced AS (  -- a price replaced before kick-off: the latest complete scrape before its next state
    SELECT b.bookmaker, b.sr_event_id, b.next_at,
           (SELECT max(s.captured_at) FROM snapshots s
            WHERE s.bookmaker = b.bookmaker AND s.captured_at < b.next_at AND s.event_ids @> ARRAY[b.sr_event_id])
               AS seen_at
    FROM (SELECT DISTINCT bookmaker, sr_event_id, next_at FROM closing WHERE next_at IS NOT NULL) AS b
), seen AS (
    SELECT c.*, greatest(c.captured_at, CASE WHEN c.next_at IS NULL THEN l.seen_at ELSE r.seen_at END) AS seen_at
    FROM closing c
    LEFT JOIN last_scrape l ON l.bookmaker = c.bookmaker AND l.sr_event_id = c.sr_event_id
    LEFT JOIN replaced r ON r.bookmaker = c.bookmaker AND r.sr_event_id = c.sr_event_id AND r.next_at = c.next_at
)
SELECT %(day)s, c.sr_event_id, c.bookmaker, c.market_id, c.line_hundredths, c.name, c.kickoff,
       o.odds::numeric, o.captured_at, c.odds::numeric, c.captured_at, c.seen_at,
       extract(epoch FROM c.kickoff - c.seen_at)::float8,
       extract(epoch FROM c.kickoff - c.seen_at) > %(stale_s)s
FROM seen c
JOIN opening o USING (sr_event_id, bookmaker, market_id, line_hundredths, name)
