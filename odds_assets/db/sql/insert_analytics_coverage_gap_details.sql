-- Daily analytics: the coverage gaps of the day one by one, against the reference book %(ref)s (BetPawa),
-- for every other book: events it listed on the day (a complete scrape, analytics_day_scrapes) that the
-- reference did not, the reverse, and for events both listed, the markets (type and line) it offered
-- (an available state observed on the day, analytics_day_states) that the reference did not.
INSERT INTO analytics_coverage_gap_details (day, competition, bookmaker, kind, sr_event_id, market_id,
                                            line_hundredths)
WITH listed AS (
    SELECT DISTINCT bookmaker, sr_event_id FROM analytics_day_scrapes
), competitors AS (
    SELECT id FROM bookmakers WHERE id <> %(ref)s
), per_event AS (
    SELECT c.id AS competitor, l.sr_event_id,
           bool_or(l.bookmaker = %(ref)s) AS at_ref, bool_or(l.bookmaker = c.id) AS at_competitor
    FROM competitors c JOIN listed l ON l.bookmaker IN (%(ref)s, c.id)
    GROUP BY c.id, l.sr_event_id
), offered AS (
    SELECT DISTINCT bookmaker, sr_event_id, market_id, line_hundredths FROM analytics_day_states
), gaps AS (
    SELECT p.competitor, CASE WHEN p.at_competitor THEN 'event_not_at_betpawa' ELSE 'event_not_at_competitor' END
               AS kind, p.sr_event_id, NULL::integer AS market_id, NULL::smallint AS line_hundredths
    FROM per_event p WHERE NOT (p.at_ref AND p.at_competitor)
    UNION ALL
    SELECT p.competitor, 'market_not_at_betpawa', p.sr_event_id, o.market_id, o.line_hundredths
    FROM per_event p
    JOIN offered o ON o.bookmaker = p.competitor AND o.sr_event_id = p.sr_event_id
    WHERE p.at_ref AND p.at_competitor
      AND NOT EXISTS (SELECT FROM offered r WHERE r.bookmaker = %(ref)s AND r.sr_event_id = o.sr_event_id
                      AND r.market_id = o.market_id AND r.line_hundredths = o.line_hundredths)
)
SELECT %(day)s, coalesce(e.competition, ''), g.competitor, g.kind, g.sr_event_id, g.market_id, g.line_hundredths
FROM gaps g JOIN events e ON e.sr_event_id = g.sr_event_id
