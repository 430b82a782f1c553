"""Simulator settings and its clock.

The world is a pure function of ``(seed, tick)`` (of ``(seed, scenario, tick)`` with a scenario); the clock
only says which tick "now" is.
Tests freeze or set the clock (in-process or through ``POST /_sim/clock``) so a whole scrape sees
one tick, and a second simulator with the same seed and time answers byte-identically.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

__all__ = ["SimClock", "SimulatorConfig", "parse_time"]


@dataclass(slots=True)
class SimulatorConfig:
    """Everything that shapes the simulated world and its wire quirks (faults live in ``faults``)."""

    seed: int = 1
    #: events on each board at any moment (BetPawa lists all of them; competitors miss some)
    events: int = 500
    #: the world is constant within a tick, so a board scraped inside one tick is self-consistent
    tick_seconds: int = 60
    #: share of market instances whose odds change per 5 minutes (the reference system saw ~5 %)
    change_rate: float = 0.05
    #: share of market instances that get suspended or removed per 5 minutes (back after a while)
    status_rate: float = 0.01
    #: how long before kick-off an event appears on the pre-match board
    horizon_hours: float = 72.0
    #: share of events a competitor book (SportyBet, Bet9ja) does not list at all
    absent_rate: float = 0.05
    #: target market × line instances per event per book
    markets_per_event: int = 50
    #: BetPawa's price key: "price" (≤ June 2026, the real capture) or "odds" (Aug 2026 rename)
    betpawa_price_key: str = "price"
    #: BetPawa Aug-2026 ``row.specifier`` ({"total": "2.5"} / {"hcp": "-0.5"}); absent in the capture
    betpawa_row_specifier: bool = False
    #: whether BetPawa list items carry ``widgets`` (sources conflict; without them clients need details)
    betpawa_list_widgets: bool = False
    #: scenario with planted facts (see :mod:`odds_assets.simulator.scenario`): a dict, JSON text, "on" for
    #: every default, or None (the default: no scenario, the world as without one)
    scenario: Any = None
    #: fault specification (see :mod:`odds_assets.simulator.faults`): JSON text, ``book:kind=rate`` text or a dict
    faults: Any = None
    #: a "slow" fault sleeps this long (longer than any sane client timeout)
    slow_seconds: float = 30.0
    #: Retry-After seconds sent with injected 429s
    retry_after: int = 1
    #: start with the clock frozen at this epoch time (None = wall clock)
    frozen_at: float | None = None
    #: ticks whose computed market states are kept; older ticks are dropped as the clock moves
    cache_ticks: int = 2
    #: upper bound of the rendered-detail cache (it holds the latest body per book and event). A realistic
    #: body is re-assembled from its markets' kept fragments in well under a millisecond, and nearly every
    #: realistic event has some instance change per tick, so this cache mostly serves repeats within a tick
    body_cache_mb: int = 128
    #: realistic boards (default): event details as large and with as many market instances as the real
    #: captures, unmapped markets and every real field included (see :mod:`odds_assets.simulator.realistic`);
    #: False serves light boards of about ``markets_per_event`` catalogue instances (``markets_per_event``
    #: only applies to light boards)
    realistic: bool = True
    #: render every book's details of the current tick once, from the first request on (the server's event
    #: loop, between requests): see :meth:`~odds_assets.simulator.app.SimulatorApp.warm`. ``odds simulator``
    #: turns it on (``--no-warm`` off); tests building an app leave it off
    warm: bool = False


def parse_time(value: Any) -> float:
    """Epoch seconds from a number, a numeric string or an ISO-8601 string (naive = UTC)."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


class SimClock:
    """Wall time by default; can be frozen, set and advanced (thread-safe: uvicorn may run in a thread)."""

    def __init__(self, frozen_at: float | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen: float | None = frozen_at
        self._offset = 0.0

    def now(self) -> float:
        """Current simulated epoch seconds."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return time.time() + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def freeze(self, at: float | None = None) -> None:
        """Stop the clock (at ``at``, or at the current time)."""
        now = self.now() if at is None else float(at)
        with self._lock:
            self._frozen = now

    def set(self, at: float, *, frozen: bool = True) -> None:
        """Jump to ``at``; keep running from there unless ``frozen``."""
        with self._lock:
            if frozen:
                self._frozen = float(at)
            else:
                self._frozen = None
                self._offset = float(at) - time.time()

    def advance(self, seconds: float) -> None:
        """Move the clock forward (frozen or not)."""
        with self._lock:
            if self._frozen is not None:
                self._frozen += seconds
            else:
                self._offset += seconds

    def unfreeze(self) -> None:
        """Back to wall time (drops any offset)."""
        with self._lock:
            self._frozen = None
            self._offset = 0.0
