"""Typed readers of what a Dagster run recorded, for the code-location tests.

Dagster types an event's payload as the union of every event kind (``event_specific_data``) and a
metadata entry's ``value`` as the union of every packable type; these helpers go through the typed
accessors (``step_materialization_data``, ``step_failure_data``, …) and hand metadata back as plain
values, so the tests read ``meta(mat)["written"]`` instead of narrowing at every line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg


def materializations(result: dg.ExecuteInProcessResult, asset: str | None = None
                     ) -> list[dg.AssetMaterialization]:
    """The run's materialisations, in event order (of ``asset`` only when given)."""
    mats = [e.step_materialization_data.materialization for e in result.get_asset_materialization_events()]
    return [m for m in mats if asset is None or m.asset_key == dg.AssetKey(asset)]


def values(metadata: Mapping[str, dg.MetadataValue[Any]]) -> dict[str, Any]:
    """Metadata entries as their plain values."""
    return {k: v.value for k, v in metadata.items()}


def meta(record: dg.AssetMaterialization | dg.AssetCheckEvaluation) -> dict[str, Any]:
    """The metadata of a materialisation or a check evaluation, as plain values."""
    return values(record.metadata)


def checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    """The run's check evaluations by check name."""
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    """The error message of each failed step of the run, in event order."""
    out = []
    for e in result.all_events:
        if e.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = e.step_failure_data.error
            assert error is not None, f"step failure without an error: {e}"
            out.append(error.message)
    return out


def partition_keys(requests: Iterable[dg.RunRequest]) -> list[str]:
    """The partition key of each request (each must have one)."""
    keys = []
    for r in requests:
        assert r.partition_key is not None, f"run request without a partition key: {r}"
        keys.append(r.partition_key)
    return keys
