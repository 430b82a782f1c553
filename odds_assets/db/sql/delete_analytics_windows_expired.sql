-- Retention: the window analytics' ledger rows of windows starting before the horizon.
DELETE FROM analytics_windows WHERE window_start < %(horizon)s
