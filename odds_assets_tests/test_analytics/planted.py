"""Helpers for planted-truth tests (not a test module): history of a scenario simulator written through
the write engine, and the facts the scenario planted, to hold the analytics against.

    sim = Simulator(SimulatorConfig(seed=5, events=20, frozen_at=START.timestamp(), scenario=scenario(START)))
    planted = write_planted_history(odds_db_url, sim, start=START, windows=60)

Each window is every book's board as the simulator's ground truth shows it at the window's time (what a
complete scrape reads: ``test_scrape.py`` holds a scrape to that truth), quarantined as a scrape is,
built into a snapshot and written with :func:`odds_assets.db.engine.apply_snapshot`, one book after the
other, windows in order. An event whose instance states are the same objects as in the previous window
(the simulator keeps a state until it changes) reuses the previous window's normalised event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import psycopg

from odds_assets.db.engine import apply_snapshot
from odds_assets.models import BOOKMAKERS, EventOdds
from odds_assets.quality import quarantine
from odds_assets.settings import PipelineSettings
from odds_assets.simulator import PlantedTruth, Simulator
from odds_assets.simulator.truth import event_truth
from odds_assets.snapshot import build_snapshot

__all__ = ["scenario_settings", "write_planted_history"]

_RULES = PipelineSettings().quality


def scenario_settings(start: datetime, minutes: int = 60, *, arbitrages: int = 4, **overrides: Any) -> dict[str, Any]:
    """A scenario whose ``arbitrages`` episodes fall inside the ``minutes`` after ``start`` (ending at least
    ten minutes before its end, so each end is seen), BetPawa 5 minutes late on half the events, the
    other competitor 2 minutes late; ``overrides`` replace any setting."""
    settings: dict[str, Any] = {
        "betpawa_lag_minutes": 5, "betpawa_lag_share": 0.5, "follower_lag_minutes": 2,
        "arbitrages": {"count": arbitrages, "from": (start + timedelta(minutes=5)).isoformat(),
                       "to": (start + timedelta(minutes=max(6, minutes - 20))).isoformat(),
                       "min_minutes": 3, "max_minutes": 10, "edge": 0.08},
    }
    settings.update(overrides)
    return settings


def write_planted_history(db_url: str, sim: Simulator, *, start: datetime, windows: int = 60,
                          window_seconds: int = 60, books: tuple[str, ...] = BOOKMAKERS) -> PlantedTruth:
    """Write ``windows`` windows of every book's board from ``start`` (tz-aware UTC) into the database at
    ``db_url`` and return what the simulator's scenario planted. Raises ``ValueError`` for a simulator
    without a scenario or a naive ``start``."""
    if sim.scenario is None:
        raise ValueError("write_planted_history needs a simulator with a scenario (SimulatorConfig(scenario=...))")
    if start.tzinfo is None:
        raise ValueError(f"start must be tz-aware UTC, got {start!r}")
    planted = sim.planted()
    previous: dict[tuple[str, int], tuple[tuple[Any, ...], EventOdds]] = {}
    with psycopg.connect(db_url, autocommit=True) as conn:
        for w in range(windows):
            at = start + timedelta(seconds=w * window_seconds)
            tick = sim.tick(at.timestamp())
            for book in books:
                events: list[EventOdds] = []
                for ev in sim.board(book, tick):
                    states = tuple(st for _, st in sim.event_state(book, ev, tick))
                    hit = previous.get((book, ev.k))
                    if hit is not None and len(hit[0]) == len(states) and all(a is b for a, b in zip(hit[0], states)):
                        events.append(hit[1])
                        continue
                    eo = event_truth(sim, book, ev, tick)
                    previous[(book, ev.k)] = (states, eo)
                    events.append(eo)
                kept = quarantine(events, _RULES.min_odds, _RULES.max_odds)
                apply_snapshot(conn, build_snapshot(book, at, kept.events))
    return planted
