-- Daily analytics: the coverage gaps' counts per competition and competitor (against the reference book
-- %(ref)s), from the day's listings (analytics_day_scrapes) and the details written just before.
INSERT INTO analytics_coverage_gaps (day, competition, bookmaker, betpawa_events, competitor_events,
                                     shared_events, events_not_at_betpawa, events_not_at_competitor,
                                     markets_not_at_betpawa, events_with_market_gaps)
WITH listed AS (
    SELECT DISTINCT bookmaker, sr_event_id FROM analytics_day_scrapes
), per_event AS (
    SELECT c.id AS competitor, coalesce(e.competition, '') AS competition, l.sr_event_id,
           bool_or(l.bookmaker = %(ref)s) AS at_ref, bool_or(l.bookmaker = c.id) AS at_competitor
    FROM bookmakers c
    JOIN listed l ON l.bookmaker IN (%(ref)s, c.id)
    JOIN events e ON e.sr_event_id = l.sr_event_id
    WHERE c.id <> %(ref)s
    GROUP BY c.id, coalesce(e.competition, ''), l.sr_event_id
), markets AS (
    SELECT competition, bookmaker, count(*) AS missing, count(DISTINCT sr_event_id) AS events
    FROM analytics_coverage_gap_details
    WHERE day = %(day)s AND kind = 'market_not_at_betpawa'
    GROUP BY competition, bookmaker
)
SELECT %(day)s, p.competition, p.competitor,
       count(*) FILTER (WHERE p.at_ref), count(*) FILTER (WHERE p.at_competitor),
       count(*) FILTER (WHERE p.at_ref AND p.at_competitor),
       count(*) FILTER (WHERE p.at_competitor AND NOT p.at_ref),
       count(*) FILTER (WHERE p.at_ref AND NOT p.at_competitor),
       coalesce(max(m.missing), 0), coalesce(max(m.events), 0)
FROM per_event p
LEFT JOIN markets m ON m.competition = p.competition AND m.bookmaker = p.competitor
GROUP BY p.competition, p.competitor
