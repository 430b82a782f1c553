-- The trader's view: the lines (stored hundredths) of one market that a match's history holds, any book.
SELECT DISTINCT line_hundredths FROM market_odds_history
WHERE sr_event_id = %(sr)s AND market_id = %(market)s
ORDER BY 1
