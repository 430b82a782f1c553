"""What the runs say, per bookmaker, for the demo's status line (``odds_assets.demo``): scrape runs
failed and skipped since a time, write runs failed, runs in flight, and the latest failure's cause.

Read through Dagster's public instance API (run records with their tags; for the cause, the failed
run's own step-failure / run-failure events, the same error the run-failure sensor logs), incrementally
(:class:`RunStatus`): three run queries for the runs updated since the previous read, plus one event-log
read per failed run not seen before.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import dagster as dg

from odds_assets.defs.common.constants import BOOK_TAG, FIRST_TAG, SKIPPED_TAG
from odds_assets.defs.common.sensors import step_error
from odds_assets.models import BOOKMAKERS

__all__ = ["SCRAPE_JOB", "SKIPPED_TAG", "WRITE_JOB", "BookRuns", "RunStatus", "failure_cause", "open_instance"]

SCRAPE_JOB, WRITE_JOB = "scrape_odds_job", "write_odds_job"
# SKIPPED_TAG (constants): on a scrape run whose window closed before it could start, with the reason:
# skipped, not failed (it ends SUCCESS, or CANCELED when cancelled while still queued)

_QUEUED = (dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED)
_RUNNING = (dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING)


@dataclass(frozen=True, slots=True)
class BookRuns:
    """One bookmaker's runs: counts since a time (in flight: whenever created) and the latest failure."""

    scrapes_failed: int = 0
    scrapes_skipped: int = 0
    scrapes_cancelled: int = 0  # cancelled by hand (not skipped)
    writes_failed: int = 0
    running: int = 0
    queued: int = 0
    #: e.g. ``scrape 10:05: odds_snapshot: ScrapeError: HTTP 503`` (whitespace collapsed, not trimmed)
    last_failure: str | None = None


def open_instance(env: Mapping[str, str]) -> dg.DagsterInstance:
    """The Dagster instance of ``env["DAGSTER_HOME"]``, its dagster.yaml resolved against ``env``
    (the storage URL is an environment variable the demo sets for its processes, not for itself)."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return dg.DagsterInstance.from_config(env["DAGSTER_HOME"])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def failure_cause(instance: dg.DagsterInstance, run_id: str) -> str | None:
    """The failed run's cause: its first step error (the user-code error), else its run-failure message."""
    entries = instance.all_logs(run_id, of_type={dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RUN_FAILURE})
    events = [e.dagster_event for e in entries if e.dagster_event is not None]
    steps = [step_error(e) for e in events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    cause = next((s for s in steps if s), None) or next(
        (e.message for e in events if e.event_type == dg.DagsterEventType.RUN_FAILURE and e.message), None)
    return " ".join(cause.split()) if cause else None


def _book(run: dg.DagsterRun) -> str:
    return run.tags.get(BOOK_TAG) or run.tags.get("dagster/partition/bookmaker") or "-"


def _window(run: dg.DagsterRun) -> str:
    key = run.tags.get("dagster/partition") or run.tags.get(FIRST_TAG) or ""
    return key.split("|")[-1].rsplit("-", 1)[-1] if key else "-"


@dataclass(frozen=True, slots=True)
class _Seen:
    book: str
    kind: str  # "scrape" or "write"
    outcome: str | None  # "failed", "skipped", "cancelled" or None (succeeded, or not finished)
    at: float  # when it ended (else was created), epoch seconds
    window: str
    run_id: str


@dataclass
class RunStatus:
    """Per bookmaker, what the runs created since ``since`` came to, read incrementally from the
    Dagster instance of ``env``: the first read takes every run created since then, each next read
    only the runs updated since the previous one (outcomes are kept by run id), so a read costs the
    same after a day as after a minute. Failure causes are read once per failed run."""

    env: Mapping[str, str]
    since: datetime
    instance: dg.DagsterInstance | None = None
    seen: dict[str, _Seen] = field(default_factory=dict)
    #: the latest update read; the next read looks ``overlap`` further back (rows committed a little out
    #: of timestamp order are read again, never missed)
    cursor: datetime | None = None
    overlap: timedelta = timedelta(seconds=30)
    causes: dict[str, str | None] = field(default_factory=dict)

    def read(self) -> dict[str, BookRuns]:
        """Each of ``BOOKMAKERS`` (and any other book a run names): scrape runs failed, skipped and
        cancelled and write runs failed; runs queued or running now (whenever created); the latest failure."""
        if self.instance is None:
            self.instance = open_instance(self.env)
        instance = self.instance
        after = None if self.cursor is None else self.cursor - self.overlap
        for job, kind in ((SCRAPE_JOB, "scrape"), (WRITE_JOB, "write")):
            for rec in instance.get_run_records(dg.RunsFilter(job_name=job, created_after=self.since,
                                                              updated_after=after)):
                run = rec.dagster_run
                if kind == "scrape" and SKIPPED_TAG in run.tags:
                    outcome: str | None = "skipped"
                elif run.status == dg.DagsterRunStatus.FAILURE:
                    outcome = "failed"
                elif run.status == dg.DagsterRunStatus.CANCELED and kind == "scrape":
                    outcome = "cancelled"
                else:
                    outcome = None
                self.seen[run.run_id] = _Seen(_book(run), kind, outcome,
                                              rec.end_time or rec.create_timestamp.timestamp(), _window(run),
                                              run.run_id)
                if self.cursor is None or rec.update_timestamp > self.cursor:
                    self.cursor = rec.update_timestamp
        counts: dict[str, dict[str, int]] = {book: {} for book in BOOKMAKERS}
        latest: dict[str, _Seen] = {}
        for seen in self.seen.values():
            c = counts.setdefault(seen.book, {})
            if seen.outcome is not None:
                name = f"{seen.kind}s_{seen.outcome}"
                c[name] = c.get(name, 0) + 1
            if seen.outcome == "failed" and (seen.book not in latest or seen.at >= latest[seen.book].at):
                latest[seen.book] = seen
        for rec in instance.get_run_records(dg.RunsFilter(statuses=[*_QUEUED, *_RUNNING])):
            run = rec.dagster_run
            if run.job_name in (SCRAPE_JOB, WRITE_JOB):
                c = counts.setdefault(_book(run), {})
                name = "queued" if run.status in _QUEUED else "running"
                c[name] = c.get(name, 0) + 1
        out = {}
        for book, c in counts.items():
            last = latest.get(book)
            text = None
            if last is not None:
                if last.run_id not in self.causes:
                    self.causes[last.run_id] = failure_cause(instance, last.run_id)
                cause = self.causes[last.run_id] or "cause unknown (see the run in the UI)"
                text = f"{last.kind} {last.window}: {cause}"
            out[book] = BookRuns(last_failure=text, **c)
        return out
