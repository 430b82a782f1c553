"""Per-bookmaker client settings, from the environment with keyword overrides.

Environment (``BOOK`` = ``BETPAWA`` / ``SPORTYBET`` / ``BET9JA``)::

    ODDS_<BOOK>_BASE_URL      e.g. http://127.0.0.1:8765 to talk to the simulator
    ODDS_<BOOK>_COUNTRY       BetPawa brand / SportyBet path country (default ng)
    ODDS_<BOOK>_CONCURRENCY   requests in flight (50 / 50 / 15)
    ODDS_<BOOK>_DELAY_MS      pause after each request inside its slot (0 / 0 / 25)
    ODDS_<BOOK>_TIMEOUT_S     whole-request deadline in seconds (20)
    ODDS_BETPAWA_API_VERSION  v4
    ODDS_BET9JA_CACHE_VERSION v_cache_version sent with every Bet9ja call

Usage::

    settings = settings_from_env("bet9ja", base_url="http://127.0.0.1:8765", delay_ms=0)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Self

__all__ = [
    "Bet9jaSettings",
    "BetPawaSettings",
    "ClientSettings",
    "RetryPolicy",
    "SportyBetSettings",
    "settings_from_env",
]

#: BetPawa: each country has its own host and its own x-pawa-brand; both must match.
BETPAWA_BRANDS: Mapping[str, tuple[str, str]] = {
    "ng": ("https://www.betpawa.ng", "betpawa-nigeria"),
    "gh": ("https://www.betpawa.com.gh", "betpawa-ghana"),
    "ke": ("https://www.betpawa.co.ke", "betpawa-kenya"),
    "ug": ("https://www.betpawa.ug", "betpawa-uganda"),
    "tz": ("https://www.betpawa.co.tz", "betpawa-tanzania"),
    "zm": ("https://www.betpawa.co.zm", "betpawa-zambia"),
    "rw": ("https://www.betpawa.rw", "betpawa-rwanda"),
    "cm": ("https://www.betpawa.cm", "betpawa-cameroon"),
    "sl": ("https://sl.betpawa.com", "betpawa-sierraleone"),
    "bj": ("https://www.betpawa.bj", "betpawa-benin"),
    "cg": ("https://cg.betpawa.com", "betpawa-congobrazzaville"),
    "cd": ("https://www.betpawa.cd", "betpawa-drc"),
    "ls": ("https://ls.betpawa.com", "betpawa-lesotho"),
    "mw": ("https://www.betpawa.mw", "betpawa-malawi"),
    "mz": ("https://www.betpawa.co.mz", "betpawa-mozambique"),
}

_DESKTOP_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/130.0.0.0 Safari/537.36")


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff for one request. Delays are full-jitter exponential: uniform(0, min(cap, base·2^n)).

    ``blocked_*`` applies to 403 and HTML/WAF pages: fewer, longer waits, because hammering a WAF
    prolongs the block. Tests shrink every delay to milliseconds.
    """

    max_attempts: int = 4
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 10.0
    retry_after_cap_s: float = 60.0
    blocked_attempts: int = 3
    blocked_backoff_base_s: float = 5.0
    blocked_backoff_cap_s: float = 60.0

    @classmethod
    def fast(cls) -> RetryPolicy:
        """Millisecond delays, for tests."""
        return cls(backoff_base_s=0.001, backoff_cap_s=0.005, retry_after_cap_s=0.01,
                   blocked_backoff_base_s=0.001, blocked_backoff_cap_s=0.005)


@dataclass(frozen=True)
class ClientSettings:
    """Settings shared by every book; subclasses fix the book and its defaults."""

    bookmaker: str = ""
    base_url: str = ""
    country: str = "ng"
    concurrency: int = 50
    delay_ms: int = 0
    timeout_s: float = 20.0
    #: extra headers, merged over the book's defaults (a value of "" removes a default)
    headers: Mapping[str, str] = field(default_factory=dict)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    page_size: int = 100
    user_agent: str = _DESKTOP_UA

    _ENV_PREFIX = ""

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError(f"{self.bookmaker}: concurrency must be >= 1, got {self.concurrency}")
        if self.delay_ms < 0 or self.timeout_s <= 0:
            raise ValueError(f"{self.bookmaker}: delay_ms must be >= 0 and timeout_s > 0")
        if not 1 <= self.page_size <= 100:
            raise ValueError(f"{self.bookmaker}: page_size must be 1..100 (the books cap pages at 100)")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """Defaults, then ``ODDS_<BOOK>_*`` variables, then keyword overrides."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        names = {f.name: f for f in fields(cls)}
        for name, conv in (("base_url", str), ("country", str), ("concurrency", int),
                           ("delay_ms", int), ("timeout_s", float), *cls._extra_env()):
            raw = env.get(f"ODDS_{cls._ENV_PREFIX}_{name.upper()}")
            if raw not in (None, "") and name in names:
                try:
                    values[name] = conv(raw)
                except ValueError:
                    raise ValueError(f"ODDS_{cls._ENV_PREFIX}_{name.upper()}={raw!r} is not valid") from None
        values.update(overrides)
        return cls(**values)

    @classmethod
    def _extra_env(cls) -> tuple[tuple[str, type], ...]:
        return ()

    def with_(self, **changes: Any) -> Self:
        return replace(self, **changes)


@dataclass(frozen=True)
class BetPawaSettings(ClientSettings):
    """BetPawa: ``base_url`` defaults to the country's host; ``brand`` to its x-pawa-brand."""

    bookmaker: str = "betpawa"
    api_version: str = "v4"
    brand: str = ""

    _ENV_PREFIX = "BETPAWA"

    def __post_init__(self) -> None:
        super().__post_init__()
        host, brand = BETPAWA_BRANDS.get(self.country, ("", ""))
        if not self.base_url:
            if not host:
                raise ValueError(f"betpawa: unknown country {self.country!r}; set base_url and brand")
            object.__setattr__(self, "base_url", host)
        if not self.brand:
            object.__setattr__(self, "brand", brand or f"betpawa-{self.country}")

    @classmethod
    def _extra_env(cls) -> tuple[tuple[str, type], ...]:
        return (("api_version", str),)


@dataclass(frozen=True)
class SportyBetSettings(ClientSettings):
    """SportyBet: paths carry the country (``/api/ng/factsCenter/...``)."""

    bookmaker: str = "sportybet"
    base_url: str = "https://www.sportybet.com"
    operid: str = "2"

    _ENV_PREFIX = "SPORTYBET"


@dataclass(frozen=True)
class Bet9jaSettings(ClientSettings):
    """Bet9ja (Nigeria only): the most rate-sensitive book, hence 15 slots and 25 ms per request."""

    bookmaker: str = "bet9ja"
    base_url: str = "https://sports.bet9ja.com"
    concurrency: int = 15
    delay_ms: int = 25
    #: the site build sent as v_cache_version; apparently not validated, kept configurable
    cache_version: str = "1.301.2.225"

    _ENV_PREFIX = "BET9JA"

    @classmethod
    def _extra_env(cls) -> tuple[tuple[str, type], ...]:
        return (("cache_version", str),)


SETTINGS_CLASSES: Mapping[str, type[ClientSettings]] = {
    "betpawa": BetPawaSettings,
    "sportybet": SportyBetSettings,
    "bet9ja": Bet9jaSettings,
}


def settings_from_env(bookmaker: str, **overrides: Any) -> ClientSettings:
    """The settings of one book: defaults < environment < ``overrides``."""
    try:
        cls = SETTINGS_CLASSES[bookmaker]
    except KeyError:
        raise ValueError(f"unknown bookmaker {bookmaker!r}; expected one of {sorted(SETTINGS_CLASSES)}") from None
    return cls.from_env(**overrides)
