-- Window analytics: the instances whose inputs may differ between the computed window starting at %(prev)s
-- and the window [%(start)s, %(end)s) that follows it: any book's history row captured in the window (new,
-- changed, gone, back), and every instance of the events that kicked off in (%(prev)s, %(start)s] or whose
-- listing changed at a book in the window (bookmaker_event_history), from current and the stored fair rows.
WITH ev AS (
    SELECT sr_event_id FROM events WHERE kickoff > %(prev)s AND kickoff <= %(start)s
    UNION
    SELECT sr_event_id FROM bookmaker_event_history WHERE captured_at >= %(start)s AND captured_at < %(end)s
)
SELECT DISTINCT sr_event_id, market_id, line_hundredths FROM market_odds_history
WHERE captured_at >= %(start)s AND captured_at < %(end)s
UNION
SELECT c.sr_event_id, c.market_id, odds_line_hundredths(c.line) FROM market_odds_current c
WHERE c.sr_event_id IN (SELECT sr_event_id FROM ev)
UNION
SELECT f.sr_event_id, f.market_id, f.line_hundredths FROM fair_prices_current f
WHERE f.sr_event_id IN (SELECT sr_event_id FROM ev)
