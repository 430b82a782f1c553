"""Tests for odds_assets, mirroring the package."""
