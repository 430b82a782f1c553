"""What the board's routes share: one :class:`WebState` per application, on ``app.state.web``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from fastapi.templating import Jinja2Templates

from odds_assets.settings import PipelineSettings
from odds_assets.web.board import BoardCache
from odds_assets.web.live import WindowHub
from odds_assets.web.pool import ConnectionPool

__all__ = ["WebState", "web_state"]


@dataclass(frozen=True)
class WebState:
    """The connection pool, the board's cache, the live hub, settings and templates of one application."""

    pool: ConnectionPool
    cache: BoardCache
    hub: WindowHub
    settings: PipelineSettings
    dagster_url: str | None
    templates: Jinja2Templates
    clock: Callable[[], datetime]

    @property
    def max_age_s(self) -> float:
        """The freshness limit: a book whose latest write is older is stale."""
        return float(self.settings.freshness_max_age_s)


def web_state(request: Request) -> WebState:
    """The application's state (a FastAPI dependency)."""
    state = request.app.state.web
    assert isinstance(state, WebState)
    return state
