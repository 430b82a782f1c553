"""Which windows wait for a write, read from the Dagster instance — shared by the write sensor and by a
scrape run that writes its own window (``current_odds`` in ``assets.py``), so both follow one rule.

A window *waits* (is pending) when its ``odds_snapshot`` is materialised and its ``current_odds`` is
not. Who writes it:

- while the window's own scrape run is still queued or running, that run: it writes the window itself
  when the bookmaker is caught up, and the write sensor leaves the window alone until the run has ended
  (so a window is never written by both);
- otherwise the write sensor, oldest first, one write run per bookmaker at a time.

A bookmaker is *caught up* for window W when no write run of it is queued or running and no window
before W waits: writing W then keeps window order, as the write sensor would.
"""

from __future__ import annotations

import dagster as dg

from odds_assets.defs.common.constants import BOOK_TAG, SCRAPE_JOB, WRITE_JOB
from odds_assets.models import BOOKMAKERS

__all__ = ["IN_FLIGHT", "catch_up_blocker", "pending_windows", "scrapes_in_flight", "writes_in_flight"]

#: a run that holds or will hold its slot
IN_FLIGHT = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
             dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def pending_windows(instance: dg.DagsterInstance, snapshot_key: dg.AssetKey, current_key: dg.AssetKey,
                    first_window: str) -> dict[str, list[str]]:
    """Per bookmaker, windows (key strings, oldest first) with a snapshot and no write, inside the
    partition span (windows before ``first_window`` left the definition with the rolling start)."""
    snaps = instance.get_materialized_partitions(snapshot_key)
    written = instance.get_materialized_partitions(current_key)
    out: dict[str, list[str]] = {b: [] for b in BOOKMAKERS}
    for key in snaps - written:
        book, _, window = str(key).partition("|")
        if book in out and window >= first_window:  # WINDOW_FMT sorts like time
            out[book].append(window)
    return {b: sorted(ws) for b, ws in out.items()}


def scrapes_in_flight(instance: dg.DagsterInstance) -> set[str]:
    """Partition keys (``book|window``) of the scrape runs queued or running."""
    runs = instance.get_runs(dg.RunsFilter(job_name=SCRAPE_JOB, statuses=IN_FLIGHT))
    return {run.tags["dagster/partition"] for run in runs if run.tags.get("dagster/partition")}


def writes_in_flight(instance: dg.DagsterInstance) -> set[str]:
    """Bookmakers with a write run queued or running."""
    runs = instance.get_runs(dg.RunsFilter(job_name=WRITE_JOB, statuses=IN_FLIGHT))
    return {run.tags.get(BOOK_TAG) or run.tags.get("dagster/partition/bookmaker") or "" for run in runs} - {""}


def catch_up_blocker(instance: dg.DagsterInstance, snapshot_key: dg.AssetKey, current_key: dg.AssetKey,
                     first_window: str, book: str, window: str) -> str | None:
    """Why ``book`` is not caught up for ``window`` (a write run in flight, earlier windows waiting), or
    None when it is."""
    if book in writes_in_flight(instance):
        return "a write run of the bookmaker is queued or running"
    earlier = [w for w in pending_windows(instance, snapshot_key, current_key, first_window)[book] if w < window]
    if earlier:
        return f"{len(earlier)} earlier window(s) wait for the write sensor (from {earlier[0]})"
    return None
