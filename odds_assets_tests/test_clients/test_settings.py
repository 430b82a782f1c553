"""odds_assets.clients.settings: per-book defaults, ODDS_<BOOK>_* environment, keyword overrides,
BetPawa brand per country, validation."""

from __future__ import annotations

import pytest

from odds_assets.clients import Bet9jaSettings, BetPawaSettings, SportyBetSettings, settings_from_env


def test_defaults_per_book(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("ODDS_") and name.split("_")[1] in ("BETPAWA", "SPORTYBET", "BET9JA"):
            monkeypatch.delenv(name)
    bp, sb, b9 = (settings_from_env(b) for b in ("betpawa", "sportybet", "bet9ja"))
    assert isinstance(bp, BetPawaSettings) and isinstance(sb, SportyBetSettings) and isinstance(b9, Bet9jaSettings)
    assert (bp.concurrency, bp.delay_ms, sb.concurrency, sb.delay_ms, b9.concurrency, b9.delay_ms) == (
        50, 0, 50, 0, 15, 25)
    assert bp.base_url == "https://www.betpawa.ng" and bp.brand == "betpawa-nigeria" and bp.api_version == "v4"
    assert sb.base_url == "https://www.sportybet.com" and b9.base_url == "https://sports.bet9ja.com"


def test_environment_then_overrides() -> None:
    env = {"ODDS_BETPAWA_BASE_URL": "http://127.0.0.1:8765", "ODDS_BETPAWA_COUNTRY": "gh",
           "ODDS_BETPAWA_CONCURRENCY": "7", "ODDS_BETPAWA_DELAY_MS": "3", "ODDS_BETPAWA_TIMEOUT_S": "1.5",
           "ODDS_BETPAWA_API_VERSION": "v5"}
    s = BetPawaSettings.from_env(env, concurrency=9)
    assert (s.base_url, s.country, s.brand, s.concurrency, s.delay_ms, s.timeout_s, s.api_version) == (
        "http://127.0.0.1:8765", "gh", "betpawa-ghana", 9, 3, 1.5, "v5")
    b9 = Bet9jaSettings.from_env({"ODDS_BET9JA_CACHE_VERSION": "1.315.10.236"})
    assert b9.cache_version == "1.315.10.236"


def test_invalid_values() -> None:
    with pytest.raises(ValueError, match="ODDS_SPORTYBET_CONCURRENCY"):
        SportyBetSettings.from_env({"ODDS_SPORTYBET_CONCURRENCY": "many"})
    with pytest.raises(ValueError, match="concurrency"):
        Bet9jaSettings(concurrency=0)
    with pytest.raises(ValueError, match="page_size"):
        BetPawaSettings(page_size=200)
    with pytest.raises(ValueError, match="unknown country"):
        BetPawaSettings(country="xx")
    with pytest.raises(ValueError, match="unknown bookmaker"):
        settings_from_env("betway")
