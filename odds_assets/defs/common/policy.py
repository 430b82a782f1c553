"""The one error policy of the Dagster layer: which failures Dagster retries and which it does not.

The pipeline steps raise domain errors (``odds_assets.errors``) and know nothing of Dagster;
:func:`odds_assets.errors.is_transient` says which of them are worth a retry. Here the answer becomes
Dagster's: a transient error is re-raised as it is, so the asset's :func:`retry_policy` backs off and
tries again; any other error becomes ``dg.Failure(allow_retries=False)`` with the partition in its
message, so a deterministic failure costs one attempt, not ``retry_max``. The shape follows httpx's
``map_exceptions``: one context manager around the call, the mapping in one place.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from odds_assets.errors import is_transient
from odds_assets.settings import PipelineSettings

__all__ = ["failure_policy", "retry_policy"]


def retry_policy(settings: PipelineSettings) -> dg.RetryPolicy:
    """Exponential backoff with jitter; only transient errors reach it (see :func:`failure_policy`)."""
    return dg.RetryPolicy(max_retries=settings.retry_max, delay=settings.retry_delay_s,
                          backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


@contextmanager
def failure_policy(label: str) -> Iterator[None]:
    """Re-raise transient errors (retried) and map every other one to ``dg.Failure(allow_retries=False)``
    named ``label`` (e.g. the partition key). A ``dg.Failure`` raised inside passes unchanged."""
    try:
        yield
    except dg.Failure:
        raise
    except Exception as exc:
        if is_transient(exc):
            raise
        raise dg.Failure(f"{label}: {type(exc).__name__}: {exc}", allow_retries=False) from exc
