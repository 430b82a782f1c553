"""How the writes of a bookmaker catch up: which windows its next write run takes, and how long a
window that failed to write waits before the next try. Plain rules, no Dagster; the write sensor
(``odds_assets.defs.markets.sensors``) reads the Dagster instance and applies them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from odds_assets.settings import PipelineSettings
from odds_assets.windows import WINDOW_FMT

__all__ = ["backoff_s", "clock", "next_chain"]


def clock() -> float:
    """Wall time, a seam for tests: the write sensor's backoff and the scrape schedule's check that a
    tick's window is still open."""
    return time.time()


def backoff_s(failures: int, settings: PipelineSettings) -> float:
    """Seconds to wait after the n-th consecutive failed write of a window: ``base · 2^(n-1)``, capped
    (the database is probably still down; the first retry comes soon, later ones less often). The cap is
    at most one cadence, so the writes catch up within a window of the database coming back."""
    if failures <= 0:
        return 0.0
    cap = min(settings.write_backoff_cap_s, float(settings.cadence_seconds))
    # the exponent is clamped: the count of failed runs of a window has no upper bound (a long outage)
    return float(min(cap, settings.write_backoff_base_s * 2.0 ** min(failures - 1, 64)))


def next_chain(windows: Sequence[str], step: timedelta, limit: int) -> list[str]:
    """The first pending window and the consecutive ones after it (``WINDOW_FMT`` strings, oldest
    first), at most ``limit``. A gap — a window without a snapshot, i.e. a failed scrape — ends the
    chain, so a range run never contains a window that has nothing to load."""
    if not windows:
        return []
    chain = [windows[0]]
    for w in windows[1:]:
        if len(chain) >= limit:
            break
        if datetime.strptime(w, WINDOW_FMT) != datetime.strptime(chain[-1], WINDOW_FMT) + step:
            break
        chain.append(w)
    return chain
