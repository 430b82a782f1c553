"""Tests of the offline bookmaker simulator (odds_assets.simulator)."""
