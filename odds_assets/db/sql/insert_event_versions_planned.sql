-- Applies the name-version plan, step 2: inserts the versions it sets.
INSERT INTO bookmaker_event_history (bookmaker, sr_event_id, captured_at, bookmaker_event_id, home, away,
                                     kickoff, competition, country)
SELECT %(b)s, p.sr_event_id, p.captured_at, p.bookmaker_event_id, p.home, p.away, p.kickoff, p.competition,
       p.country
FROM _odds_event_version_plan p
WHERE p.op = 'u'
