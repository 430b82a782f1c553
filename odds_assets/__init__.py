"""odds_assets: football pre-match odds from BetPawa, SportyBet and Bet9ja, orchestrated by Dagster."""
