"""Pipeline settings: the shape of the Dagster definitions and the rules of a window (read once, when the
code location loads). Plain data, no Dagster: the pipeline steps (``odds_assets.scrape``,
``odds_assets.quality``) take the parts they need (:attr:`PipelineSettings.quality`), never the whole.

Only the *shape* comes from the environment at load time (partition width and span); connection
strings and URLs are resources configured with ``dg.EnvVar`` and resolved when a run starts.

    ODDS_CADENCE_MINUTES  scrape cadence = window width in minutes (default 5; divides 60, so 1 works)
    ODDS_RETENTION_DAYS   days of archive and history partitions kept (default 14)
    ODDS_PARTITION_DAYS   days back the window partitions reach (default: ODDS_RETENTION_DAYS;
                          1..ODDS_RETENTION_DAYS): older windows keep their archive and history until
                          retention but cannot be launched or backfilled from Dagster
    ODDS_FIRST_WINDOW     ISO-8601 UTC timestamp (e.g. the deployment's first start): no window before
                          it is a partition (default unset; a timestamp without offset is UTC)
    ODDS_SCRAPE_MAX_RUNTIME_S  a scrape run still going after this many seconds is failed by Dagster's
                          run monitoring (default: one cadence), so a hung scrape frees its bookmaker's
                          scrape slot before the next window's run needs it
    ODDS_RUN_MAX_RUNTIME_S  the same for write runs (default 600): a hung write stops blocking its
                          bookmaker's later writes (one write run per book at a time)
    ODDS_DB_STATEMENT_TIMEOUT_S, ODDS_DB_LOCK_TIMEOUT_S  the odds database's statement and lock
                          timeouts (defaults 120, 30; see OddsDatabaseResource)

The traders' board (``odds web``) reads its own two (:class:`WebSettings`):

    ODDS_WEB_DATABASE_URL  the board's database URL (default: the odds database as the read-only role
                          ``odds_web`` of migration 0006, see ``odds_assets.db.server.web_url``)
    ODDS_WEB_TOKEN        the token a browser or client must present (``Authorization: Bearer …``, or
                          ``?token=`` once, kept as a cookie); required to bind to a non-loopback address
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from odds_assets.quality import QualityRules

__all__ = ["PipelineSettings", "WebSettings"]


@dataclass(frozen=True)
class PipelineSettings:
    """Everything the definitions factory needs besides resources."""

    cadence_minutes: int = 5
    retention_days: int = 14
    #: days back the window partitions reach (None: ``retention_days``); see ``partition_horizon_days``
    partition_days: int | None = None
    #: no window before this one is a partition (timezone-aware; e.g. the deployment's first start)
    first_window: datetime | None = None
    #: Dagster's recommendation per asset; the window span is shortened if the cross product would exceed it
    max_partitions: int = 100_000
    #: history partitions created ahead by maintenance
    partitions_ahead_days: int = 3
    # -- retries (transient errors only) ----------------------------------------------------------
    retry_max: int = 3
    retry_delay_s: float = 2.0
    # -- write sensor ---------------------------------------------------------------------------
    write_sensor_interval_s: int = 5
    #: write runs running longer are failed by run monitoring (``dagster/max_runtime`` job tag)
    run_max_runtime_s: int = 600
    #: scrape runs running longer are failed by run monitoring; ``None``: one cadence
    scrape_max_runtime: int | None = None
    #: the odds database's connections: a statement running longer is cancelled, a lock waited for
    #: longer is given up (both retried with backoff; see ``OddsDatabaseResource``)
    db_statement_timeout_s: int = 120
    db_lock_timeout_s: int = 30
    #: a scheduled scrape run of a caught-up bookmaker writes its own window within this many seconds (and
    #: never past its window's end), else leaves it to the write sensor; 0: never (``None``: a quarter
    #: cadence, at most 30 s; see ``scrape_write_budget_s``)
    scrape_write_budget: int | None = None
    #: ``ODDS_SCRAPE_PRESTART``: each schedule tick also requests the *next* window's scrape runs, so their
    #: processes start (and wait) before the window opens and the scrape begins at its start; the window
    #: dimension then reaches one window ahead (see ``window_end_offset``)
    scrape_prestart: bool = False
    #: after the n-th failed write of a window, wait base * 2^(n-1) seconds (capped) before the next try
    write_backoff_base_s: float = 15.0
    write_backoff_cap_s: float = 300.0
    #: consecutive pending windows of one bookmaker written by one catch-up run (in window order)
    max_windows_per_write_run: int = 48
    # -- data quality ---------------------------------------------------------------------------
    #: a board with fewer complete events than this share of the previous window's is blocked
    completeness_min_ratio: float = 0.5
    #: price bounds; outcomes outside are quarantined (made inactive without a price)
    min_odds: str = "1.01"
    max_odds: str = "1000"
    #: price_bounds is an ERROR above this share of quarantined outcomes
    quarantine_error_share: float = 0.001
    #: mapping coverage may drop this much (absolute share) against the previous window before a WARN
    coverage_drop_warn: float = 0.05
    #: an instance whose overround is further than this from its market type's median is out of band
    overround_band: float = 0.10
    #: overround WARN when more than this share of priced instances is out of band
    overround_warn_share: float = 0.02
    #: kick-off disagreement tolerated between books for one SportRadar id
    kickoff_tolerance_minutes: int = 10
    #: keys sampled by the current/history consistency check
    consistency_sample: int = 500

    def __post_init__(self) -> None:
        c = self.cadence_minutes
        if c < 1 or (60 % c != 0 and c % 60 != 0):
            raise ValueError(f"ODDS_CADENCE_MINUTES={c}: must divide 60 (1, 2, 3, 5, 10, 15, 30) or be whole hours")
        if self.retention_days < 1:
            raise ValueError(f"ODDS_RETENTION_DAYS={self.retention_days}: must be >= 1")
        if self.partition_days is not None and not 1 <= self.partition_days <= self.retention_days:
            raise ValueError(f"ODDS_PARTITION_DAYS={self.partition_days}: must be 1..ODDS_RETENTION_DAYS "
                             f"({self.retention_days})")
        if self.first_window is not None and self.first_window.utcoffset() is None:
            raise ValueError(f"ODDS_FIRST_WINDOW={self.first_window.isoformat()}: needs a time zone (UTC)")
        if self.run_max_runtime_s < 10:
            raise ValueError(f"ODDS_RUN_MAX_RUNTIME_S={self.run_max_runtime_s}: must be >= 10")
        if self.scrape_max_runtime is not None and self.scrape_max_runtime < 10:
            raise ValueError(f"ODDS_SCRAPE_MAX_RUNTIME_S={self.scrape_max_runtime}: must be >= 10")
        if self.scrape_write_budget is not None and self.scrape_write_budget < 0:
            raise ValueError(f"ODDS_SCRAPE_WRITE_BUDGET_S={self.scrape_write_budget}: must be >= 0 (0: never)")
        if self.db_statement_timeout_s < 1 or self.db_lock_timeout_s < 1:
            raise ValueError(f"ODDS_DB_STATEMENT_TIMEOUT_S={self.db_statement_timeout_s}, ODDS_DB_LOCK_TIMEOUT_S="
                             f"{self.db_lock_timeout_s}: must be >= 1")

    @property
    def partition_horizon_days(self) -> int:
        """Days back the window partitions reach: ``partition_days``, or ``retention_days`` when unset."""
        return self.retention_days if self.partition_days is None else self.partition_days

    @property
    def cadence_seconds(self) -> int:
        return self.cadence_minutes * 60

    @property
    def freshness_max_age_s(self) -> int:
        """A book whose latest write is older than this is stale (the ``freshness`` check, the board's
        banner): two cadences, so one late window is not yet an alarm."""
        return 2 * self.cadence_seconds

    @property
    def scrape_max_runtime_s(self) -> int:
        """A scrape run's max runtime: ``ODDS_SCRAPE_MAX_RUNTIME_S``, by default one cadence (a scrape
        that has not finished when the next window opens is hung or hopeless)."""
        return self.scrape_max_runtime if self.scrape_max_runtime is not None else self.cadence_seconds

    @property
    def window_end_offset(self) -> int:
        """The window dimension's ``end_offset``: 1 (the open window is the last partition), 2 with
        ``scrape_prestart`` (the next window is a partition already, for its run to start early)."""
        return 2 if self.scrape_prestart else 1

    @property
    def scrape_run_max_runtime_s(self) -> int:
        """A scrape run's ``dagster/max_runtime`` (run monitoring, the backstop of the watchdog): the scrape's
        max runtime and a minute, and with ``scrape_prestart`` the cadence it may wait for its window."""
        return self.scrape_max_runtime_s + 60 + (self.cadence_seconds if self.scrape_prestart else 0)

    @property
    def scrape_write_budget_s(self) -> int:
        """Seconds a scheduled scrape run may spend writing its own window (connect, locks, the write
        engine): ``ODDS_SCRAPE_WRITE_BUDGET_S``, by default a quarter of the cadence and at most 30 s
        (15 s at the demo's 1-minute cadence); 0 turns the scrape run's write off (every window then goes
        through the write sensor)."""
        if self.scrape_write_budget is not None:
            return self.scrape_write_budget
        return min(30, self.cadence_seconds // 4)

    @property
    def cron(self) -> str:
        c = self.cadence_minutes
        return f"*/{c} * * * *" if c < 60 else f"0 */{c // 60} * * *"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> PipelineSettings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name, var in (("cadence_minutes", "ODDS_CADENCE_MINUTES"), ("retention_days", "ODDS_RETENTION_DAYS"),
                          ("partition_days", "ODDS_PARTITION_DAYS"),
                          ("run_max_runtime_s", "ODDS_RUN_MAX_RUNTIME_S"),
                          ("scrape_max_runtime", "ODDS_SCRAPE_MAX_RUNTIME_S"),
                          ("db_statement_timeout_s", "ODDS_DB_STATEMENT_TIMEOUT_S"),
                          ("db_lock_timeout_s", "ODDS_DB_LOCK_TIMEOUT_S"),
                          ("scrape_write_budget", "ODDS_SCRAPE_WRITE_BUDGET_S")):
            raw = env.get(var)
            if raw not in (None, ""):
                try:
                    values[name] = int(raw)
                except ValueError:
                    raise ValueError(f"{var}={raw!r} is not an integer") from None
        raw = env.get("ODDS_SCRAPE_PRESTART")
        if raw not in (None, ""):
            flag = str(raw).strip().lower()
            if flag not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(f"ODDS_SCRAPE_PRESTART={raw!r}: expected 1 or 0")
            values["scrape_prestart"] = flag in ("1", "true", "yes", "on")
        raw = env.get("ODDS_FIRST_WINDOW")
        if raw not in (None, ""):
            values["first_window"] = _parse_utc("ODDS_FIRST_WINDOW", str(raw))
        values.update(overrides)
        return cls(**values)

    @property
    def quality(self) -> QualityRules:
        """The data-quality rules of a window (bounds, bands, thresholds) as the pipeline steps take them."""
        return QualityRules(
            min_odds=Decimal(self.min_odds), max_odds=Decimal(self.max_odds),
            completeness_min_ratio=self.completeness_min_ratio,
            quarantine_error_share=self.quarantine_error_share, coverage_drop_warn=self.coverage_drop_warn,
            overround_band=self.overround_band, overround_warn_share=self.overround_warn_share,
            kickoff_tolerance_minutes=self.kickoff_tolerance_minutes)

    def with_(self, **changes: Any) -> PipelineSettings:
        return replace(self, **changes)


@dataclass(frozen=True)
class WebSettings:
    """The traders' board server's settings; unset values are ``None``."""

    #: ``ODDS_WEB_DATABASE_URL``: overrides the odds database URL as the role ``odds_web``
    database_url: str | None = None
    #: ``ODDS_WEB_TOKEN``: the token every request must carry (required off loopback)
    token: str | None = None

    def __repr__(self) -> str:  # the token and a URL's password are secrets: never in a log line
        shown = {name: "set" if value else None for name, value in (("database_url", self.database_url),
                                                                   ("token", self.token))}
        return f"WebSettings(database_url={shown['database_url']}, token={shown['token']})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebSettings:
        env = os.environ if env is None else env
        return cls(database_url=env.get("ODDS_WEB_DATABASE_URL") or None, token=env.get("ODDS_WEB_TOKEN") or None)


def _parse_utc(var: str, raw: str) -> datetime:
    """An ISO-8601 timestamp (``2026-11-24T10:03:00Z``, ``…+01:00``; without offset: UTC) as UTC."""
    try:
        t = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"{var}={raw!r} is not an ISO-8601 timestamp (e.g. 2026-11-24T10:03:00Z)") from None
    return (t if t.utcoffset() is not None else t.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
