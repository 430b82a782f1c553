-- Window analytics: the largest and the mean BetPawa edge of fair_prices_current (the newest computed window).
SELECT max(edge), avg(edge) FROM fair_prices_current
