-- Window analytics: one asset's ledger row of the window starting at %(start)s (no row when not computed).
SELECT window_start, window_end, figures FROM analytics_windows WHERE asset = %(asset)s AND window_start = %(start)s
