-- Window analytics: empty the instances of the previous incremental window.
TRUNCATE _window_dirty
