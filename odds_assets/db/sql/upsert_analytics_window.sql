-- Window analytics: the ledger row of one asset's computed window, with its figures.
INSERT INTO analytics_windows (asset, window_start, window_end, figures)
VALUES (%(asset)s, %(start)s, %(end)s, %(figures)s)
ON CONFLICT ON CONSTRAINT pk_analytics_windows DO UPDATE SET
    window_end = EXCLUDED.window_end, computed_at = now(), figures = EXCLUDED.figures
