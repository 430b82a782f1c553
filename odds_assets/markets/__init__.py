"""Market catalogue and normalisation onto BetPawa market ids."""
