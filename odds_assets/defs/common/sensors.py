"""``odds_run_failure_sensor``: one clear log line per failed run (job, bookmaker, window, cause).

The cause is the user-code error of the failed step; when a blocking check failed the run (a window
blocked by ``completeness``, a window passed over by ``applied``), the failed checks' descriptions,
which say which window and why."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import dagster as dg

from odds_assets.defs.common.constants import BOOK_TAG, RANGE_END_TAG, RANGE_START_TAG

__all__ = ["build_run_failure_sensor", "describe_failure", "failed_checks", "step_error"]

log = logging.getLogger("odds_assets.failures")


def describe_failure(run: dg.DagsterRun, step_errors: Sequence[str], run_message: str | None) -> str:
    tags = run.tags
    book = tags.get("dagster/partition/bookmaker") or tags.get(BOOK_TAG) or "-"
    window = tags.get("dagster/partition/window")
    if window is None and RANGE_START_TAG in tags:
        window = (tags[RANGE_START_TAG].split("|")[-1] + ".." + tags.get(RANGE_END_TAG, "").split("|")[-1])
    cause = next((e for e in step_errors if e), None) or run_message or "unknown"
    cause = " ".join(cause.split())[:500]
    return (f"odds run failed: job={run.job_name} bookmaker={book} window={window or '-'} run={run.run_id[:8]} "
            f"cause={cause}")


def failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """``check: description`` of every check evaluation of the run that failed with ERROR severity."""
    out = []
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=1000)
    for record in records.records:
        event = record.event_log_entry.dagster_event
        evaluation = event.event_specific_data if event is not None else None
        if isinstance(evaluation, dg.AssetCheckEvaluation) and not evaluation.passed \
                and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            out.append(f"check {evaluation.check_name} failed: {evaluation.description or 'no description'}")
    return out


def step_error(event: dg.DagsterEvent) -> str | None:
    """``step: ErrorClass: message`` of a step-failure event: the user-code error, not Dagster's wrapper
    (its message already starts with the class, module-qualified: said once)."""
    err = event.step_failure_data.error
    if err is None:
        return None
    while err.cause is not None and err.cls_name in ("DagsterExecutionStepExecutionError",
                                                     "DagsterExecutionHandleOutputError",
                                                     "DagsterExecutionLoadInputError",
                                                     "RetryRequestedFromPolicy"):  # retries exhausted: why
        err = err.cause
    text = err.message.strip()
    qualified, _, rest = text.partition(":")
    if qualified.rsplit(".", 1)[-1] == err.cls_name:
        text = rest.strip()
    return f"{event.step_key}: {err.cls_name}: {text}" if text else f"{event.step_key}: {err.cls_name}"


def build_run_failure_sensor(jobs: Sequence[dg.UnresolvedAssetJobDefinition]) -> dg.SensorDefinition:
    @dg.run_failure_sensor(name="odds_run_failure_sensor", monitored_jobs=list(jobs),
                           default_status=dg.DefaultSensorStatus.RUNNING,
                           description="Logs one line per failed scrape/write run: bookmaker, window, cause.")
    def odds_run_failure_sensor(context: dg.RunFailureSensorContext) -> None:
        errors = []
        for event in context.get_step_failure_events():
            text = step_error(event)
            # a blocking check failed the run: its description says which window and why
            checks = failed_checks(context.instance, context.dagster_run.run_id) \
                if text and "DagsterAssetCheckFailedError" in text else []
            if checks:
                errors.append(f"{event.step_key}: " + "; ".join(checks))
            if text:
                errors.append(text)
        line = describe_failure(context.dagster_run, errors, context.failure_event.message)
        context.log.error(line)
        log.error(line)

    return odds_run_failure_sensor
