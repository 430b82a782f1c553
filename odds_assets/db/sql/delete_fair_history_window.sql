-- Window analytics: the fair-price change rows of one window (rewritten by every run of the window).
DELETE FROM fair_prices_history WHERE window_start = %(w)s
