-- Daily analytics check: rows of the day's lead-lag report whose median lags fall outside 0 .. window_s.
SELECT count(*) FROM analytics_lead_lag
WHERE day = %(day)s
  AND (median_lag_s NOT BETWEEN 0 AND %(window_s)s OR median_lag_a_first_s NOT BETWEEN 0 AND %(window_s)s
       OR median_lag_b_first_s NOT BETWEEN 0 AND %(window_s)s)
