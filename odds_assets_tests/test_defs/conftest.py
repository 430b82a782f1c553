"""Helpers for the code-location tests: a frozen-clock simulator on a loopback port, the definitions
wired to it, to a temporary archive and to a fresh odds database, and a Dagster instance on a temp dir.

Time: the simulator's clock is frozen at a window boundary a few hours before the wall clock (so every
window used is inside the partitions' rolling span) and advanced per window; the scraper resource asks
the simulator for "now", so a live scrape happens inside its window.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import dagster as dg
import httpx
import psycopg
import pytest

from odds_assets.defs import PipelineSettings, build_definitions
from odds_assets.defs.common.io_managers import OddsDbIOManager, SnapshotArchiveIOManager
from odds_assets.defs.common.partitions import partition_key
from odds_assets.defs.common.resources import BoardScraperResource, OddsArchiveResource, OddsDatabaseResource
from odds_assets.models import BOOKMAKERS
from odds_assets.simulator import ServerThread, SimulatorApp, SimulatorConfig, create_app

warnings.filterwarnings("ignore", category=dg.PreviewWarning)
warnings.filterwarnings("ignore", category=dg.BetaWarning)

CADENCE = 5
STEP = timedelta(minutes=CADENCE)
#: a window boundary ~3 h ago: inside the rolling partition span whatever the wall clock says
T0 = (datetime.now(timezone.utc) - timedelta(hours=3)).replace(second=0, microsecond=0)
T0 = T0 - timedelta(minutes=T0.minute % CADENCE)


class SimScraper(BoardScraperResource):
    """The production scraper, with "now" read from the simulator's clock."""

    sim_url: str

    def now(self) -> datetime:
        t = httpx.get(f"{self.sim_url}/_sim/clock", timeout=5).json()["t"]
        return datetime.fromtimestamp(float(t), timezone.utc)


def settings_for_test(**changes: Any) -> PipelineSettings:
    base = PipelineSettings(cadence_minutes=CADENCE, retry_max=1, retry_delay_s=0.05,
                            write_backoff_base_s=1.0, write_backoff_cap_s=4.0, consistency_sample=5000)
    return base.with_(**changes)


@dataclass
class Pipeline:
    """Everything a test needs to drive the code location by hand."""

    defs: dg.Definitions
    instance: dg.DagsterInstance
    app: SimulatorApp
    sim_url: str
    archive_url: str
    db_url: str
    settings: PipelineSettings

    def at(self, t: datetime) -> None:
        """Freeze the simulator's clock at ``t``."""
        self.app.sim.clock.set(t.timestamp(), frozen=True)

    def scrape(self, book: str, window: datetime, *, at: datetime | None = None,
               raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
        """A scheduled scrape run: clock at ``at`` (default window start + 30 s)."""
        self.at(at or window + timedelta(seconds=30))
        job = self.defs.resolve_job_def("scrape_odds_job")
        return job.execute_in_process(instance=self.instance, partition_key=partition_key(book, window),
                                      raise_on_error=raise_on_error)

    def scrape_all(self, window: datetime) -> None:
        for book in BOOKMAKERS:
            self.scrape(book, window, raise_on_error=False)

    def write(self, book: str, window: datetime, *, raise_on_error: bool = True,
              tags: dict[str, str] | None = None) -> dg.ExecuteInProcessResult:
        job = self.defs.resolve_job_def("write_odds_job")
        return job.execute_in_process(instance=self.instance, partition_key=partition_key(book, window),
                                      raise_on_error=raise_on_error, tags=tags)

    def run_request(self, job_name: str, req: dg.RunRequest, *, raise_on_error: bool = False
                    ) -> dg.ExecuteInProcessResult:
        """Execute a RunRequest the way the daemon would (same tags, partition or range)."""
        job = self.defs.resolve_job_def(job_name)
        return job.execute_in_process(instance=self.instance, partition_key=req.partition_key,
                                      tags=dict(req.tags), raise_on_error=raise_on_error)

    def sensor(self, name: str, cursor: str | None = None) -> Any:
        sensor = self.defs.get_sensor_def(name)
        ctx = dg.build_sensor_context(instance=self.instance, cursor=cursor, definitions=self.defs)
        return sensor(ctx)

    def failure_lines(self, result: dg.ExecuteInProcessResult, caplog: pytest.LogCaptureFixture) -> list[str]:
        """What ``odds_run_failure_sensor`` logs for the failed run ``result`` (the sensor evaluated on it)."""
        run = self.instance.get_run_by_id(result.run_id)
        assert run is not None
        failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
        ctx = dg.build_run_status_sensor_context(sensor_name="odds_run_failure_sensor", dagster_event=failure,
                                                 dagster_instance=self.instance, dagster_run=run,
                                                 repository_def=self.defs.get_repository_def()).for_run_failure()
        with caplog.at_level(logging.ERROR, logger="odds_assets.failures"):
            self.defs.get_sensor_def("odds_run_failure_sensor")(ctx)
        return [r.getMessage() for r in caplog.records if r.name == "odds_assets.failures"]

    def conn(self) -> psycopg.Connection:
        return psycopg.connect(self.db_url, autocommit=True)


def make_defs(settings: PipelineSettings, archive_url: str, db_url: str, sim_url: str, *,
              odds_db: OddsDatabaseResource | None = None) -> dg.Definitions:
    archive = OddsArchiveResource(url=archive_url)
    odds_db = odds_db or OddsDatabaseResource(url=db_url, connect_timeout_s=2)
    scraper = SimScraper(sim_url=sim_url, base_urls={b: sim_url for b in BOOKMAKERS}, fast_retry=True)
    return build_definitions(settings, resources={
        "archive": archive, "scraper": scraper, "odds_db": odds_db,
        "snapshot_io_manager": SnapshotArchiveIOManager(archive=archive),
        "odds_db_io_manager": OddsDbIOManager(odds_db=odds_db)})


@pytest.fixture
def sim_app() -> SimulatorApp:
    return create_app(SimulatorConfig(seed=11, events=30, markets_per_event=20, realistic=False,
                                      frozen_at=T0.timestamp(), status_rate=0.05))


@pytest.fixture
def sim_url(sim_app: SimulatorApp) -> Iterator[str]:
    with ServerThread(sim_app) as url:
        yield url


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[dg.DagsterInstance]:
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as inst:
        yield inst


@pytest.fixture
def pipeline(tmp_path: Path, sim_app: SimulatorApp, sim_url: str, odds_db_url: str,
             instance: dg.DagsterInstance) -> Pipeline:
    settings = settings_for_test()
    archive_url = str(tmp_path / "archive")
    return Pipeline(make_defs(settings, archive_url, odds_db_url, sim_url), instance, sim_app, sim_url,
                    archive_url, odds_db_url, settings)


def truth_markets(app: SimulatorApp, book: str, t: datetime) -> set[tuple[int, int, str | None, str]]:
    """(sr_event_id, market_id, line, outcomes) of what ``book`` showed at ``t``, as a snapshot holds it
    (after the same quarantine as the scrape)."""
    from decimal import Decimal

    from odds_assets.quality import quarantine
    from odds_assets.snapshot import build_snapshot

    truth = app.sim.ground_truth(book, t.timestamp())
    events = quarantine(truth.values(), Decimal("1.01"), Decimal("1000")).events
    m = build_snapshot(book, t, events).markets
    return set(zip(m["sr_event_id"].tolist(), m["market_id"].tolist(), m["line"].tolist(), m["outcomes"].tolist()))


def truth_events(app: SimulatorApp, book: str, t: datetime) -> set[int]:
    """The events ``book`` showed at ``t`` (with or without mapped markets)."""
    return set(app.sim.ground_truth(book, t.timestamp()))


def current_markets(conn: psycopg.Connection, book: str, events: set[int] | None = None
                    ) -> set[tuple[int, int, str | None, str]]:
    """Available current markets of ``book``, for ``events`` only when given: an event that left the
    board (kicked off) keeps its last rows in current, correctly never marked gone."""
    rows = conn.execute(
        "SELECT sr_event_id, market_id, line::text, outcomes FROM market_odds_current c "
        "JOIN bookmakers b ON b.id = c.bookmaker WHERE b.name = %s AND unavailable_at IS NULL", (book,)).fetchall()
    return {r for r in rows if events is None or r[0] in events}


def history_as_of(conn: psycopg.Connection, book: str, t: datetime, events: set[int]
                  ) -> set[tuple[int, int, str | None, str]]:
    """The available markets of ``book`` at ``t`` rebuilt from change-only history, for ``events``."""
    rows = conn.execute(
        "SELECT DISTINCT ON (sr_event_id, market_id, line_hundredths) sr_event_id, market_id, "
        "odds_line_from_hundredths(line_hundredths)::text, outcomes FROM market_odds_history h "
        "JOIN bookmakers b ON b.id = h.bookmaker WHERE b.name = %s AND captured_at <= %s "
        "ORDER BY sr_event_id, market_id, line_hundredths, captured_at DESC", (book, t)).fetchall()
    return {r for r in rows if r[3] is not None and r[0] in events}


def history_rows(conn: psycopg.Connection) -> list[tuple[Any, ...]]:
    return conn.execute("SELECT captured_at, sr_event_id, market_id, bookmaker, line_hundredths, outcomes "
                        "FROM market_odds_history ORDER BY 1, 2, 3, 4, 5").fetchall()
