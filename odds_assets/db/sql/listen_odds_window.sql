-- The traders' board: be told of every written window (the write engine's NOTIFY on odds_window).
LISTEN odds_window
