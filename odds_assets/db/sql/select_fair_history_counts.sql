-- Window analytics: the fair-price change rows stored at window %(w)s (changed or new; removed).
SELECT count(*) FILTER (WHERE present), count(*) FILTER (WHERE NOT present)
FROM fair_prices_history WHERE window_start = %(w)s
