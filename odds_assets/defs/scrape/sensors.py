"""``scrape_watchdog_sensor``: a hung scrape frees its bookmaker before the next window needs it.

Run monitoring fails a run past its ``dagster/max_runtime`` too, but it first asks the run's code
server to terminate it, and a process that does not answer (frozen, stuck in a system call) holds that
request — measured: about 80 s after the limit before the run was marked failed, more than a window at
a 1-minute cadence, so the book's next scrape waited in the queue until its window had closed. Every
5 s this sensor fails the scrape runs started longer than ``ODDS_SCRAPE_MAX_RUNTIME_S`` ago (default one
cadence) at once: it kills the run's process when it runs on this machine (the pid its start event
carries; only a multiprocessing child started no later than the run), then marks the run failed, so the
run queue starts the book's next scrape. The scrape runs' ``dagster/max_runtime`` tag is one minute
longer: run monitoring is the backstop (a watchdog that could not run), not the first to act.
"""

from __future__ import annotations

import contextlib
import logging
import time

import dagster as dg
import psutil

from odds_assets.settings import PipelineSettings
from odds_assets.windows import split_key

__all__ = ["build_scrape_watchdog", "fail_hung_scrapes"]

log = logging.getLogger("odds_assets.failures")


def _kill_run_process(instance: dg.DagsterInstance, record: dg.RunRecord) -> int | None:
    """SIGKILL the local process executing the run; its pid, or None when there is none here."""
    entries = instance.all_logs(record.dagster_run.run_id, of_type=dg.DagsterEventType.RUN_START)
    pids = [e.dagster_event.pid for e in entries if e.dagster_event is not None and e.dagster_event.pid]
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            proc = psutil.Process(pid)
            started = record.start_time or 0.0
            if "spawn_main" in " ".join(proc.cmdline()) and proc.create_time() <= started + 1:
                proc.kill()
                return pid
    return None


def fail_hung_scrapes(instance: dg.DagsterInstance, settings: PipelineSettings, now: float,
                      job_name: str = "scrape_odds_job") -> list[str]:
    """Fail every STARTED scrape run older than the scrape max runtime; one line per run failed."""
    limit = settings.scrape_max_runtime_s
    lines = []
    # CANCELING too: run monitoring (the backstop, a minute later) or an operator may have asked a frozen
    # run to stop, which it never will
    statuses = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
    for record in instance.get_run_records(dg.RunsFilter(job_name=job_name, statuses=statuses)):
        if record.start_time is None:
            continue
        run = record.dagster_run
        # a run started ahead of its window (ODDS_SCRAPE_PRESTART) waits for it: its time counts from then
        key = run.tags.get("dagster/partition")
        try:
            opens = split_key(key)[1].timestamp() if key else 0.0
        except ValueError:
            opens = 0.0
        began = max(record.start_time, opens)
        if now - began <= limit:
            continue
        pid = _kill_run_process(instance, record)
        message = (f"Exceeded the scrape's maximum runtime of {limit} seconds (ODDS_SCRAPE_MAX_RUNTIME_S): "
                   f"hung for {now - began:.0f} s, "
                   + (f"its process {pid} killed" if pid else "its process not on this machine")
                   + "; failed so that the bookmaker's next window is scraped")
        current = instance.get_run_by_id(run.run_id)
        if current is not None and not current.is_finished:
            instance.report_run_failed(current, message)
        lines.append(f"scrape run {run.run_id[:8]} ({key or '-'}): {message}")
    return lines


def build_scrape_watchdog(settings: PipelineSettings) -> dg.SensorDefinition:
    @dg.sensor(name="scrape_watchdog_sensor", minimum_interval_seconds=5, default_status=dg.DefaultSensorStatus.RUNNING,
               description="Fails scrape runs hung past ODDS_SCRAPE_MAX_RUNTIME_S at once (killing a local "
                           "process), so the bookmaker's next window is scraped on time.")
    def scrape_watchdog_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
        lines = fail_hung_scrapes(context.instance, settings, time.time())
        for line in lines:
            context.log.error(line)
            log.error(line)
        return dg.SkipReason("; ".join(lines) if lines else "no hung scrape")

    return scrape_watchdog_sensor
