"""Small helpers shared by the three book modules: JSON decoding and typed field access that turns
schema drift into errors naming the bookmaker, event and JSON path, and the football check every
event parser makes before reading markets (the books reuse market ids across sports)."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from datetime import datetime, timezone
from typing import Any

import orjson

from odds_assets.errors import NormalisationError, NotFootball, UnexpectedPayload

__all__: list[str] = []


def load_json(body: bytes | bytearray | memoryview, bookmaker: str, url: str | None = None) -> Any:
    """Decode a JSON body (orjson: floats come back as float and are turned into exact Decimals from
    their shortest repr by :func:`odds_assets.markets.normalise.decimal_or_none`)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        head = bytes(body[:60]).decode("utf-8", "replace")
        raise UnexpectedPayload(f"body is not JSON ({exc}; starts {head!r})", bookmaker=bookmaker,
                                url=url) from None


class Fields:
    """Typed reads from one event's JSON, raising NormalisationError with the path on drift."""

    __slots__ = ("bookmaker", "event_id")

    def __init__(self, bookmaker: str, event_id: str | int | None = None) -> None:
        self.bookmaker = bookmaker
        self.event_id = event_id

    def error(self, message: str, path: str) -> NormalisationError:
        return NormalisationError(message, bookmaker=self.bookmaker, event_id=self.event_id, path=path)

    def obj(self, parent: Any, key: str, path: str) -> dict[str, Any]:
        value = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(value, dict):
            raise self.error(f"expected an object, got {type(value).__name__}", f"{path}.{key}" if path else key)
        return value

    def list(self, parent: Any, key: str, path: str) -> list[Any]:
        value = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(value, list):
            raise self.error(f"expected a list, got {type(value).__name__}", f"{path}.{key}" if path else key)
        return value

    def str(self, parent: Any, key: str, path: str, *, allow_int: bool = True) -> str:
        value = parent.get(key) if isinstance(parent, dict) else None
        if isinstance(value, str) and value:
            return value
        if allow_int and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise self.error(f"expected a non-empty string, got {value!r}", f"{path}.{key}" if path else key)

    # below the `str` method the builtin type is spelled builtins.str in annotations
    def football(self, sport: builtins.str, name: Any, football: Collection[builtins.str],
                 path: builtins.str) -> None:
        """Raise NotFootball unless ``sport`` (the book's sport id, read at ``path``) is football.

        Called before any market is read: a basketball or tennis event carries market ids that
        also exist for football, and would otherwise parse into wrong football markets."""
        if sport in football:
            return
        named = f"{sport!r} ({name})" if isinstance(name, str) and name else repr(sport)
        expected = " or ".join(repr(s) for s in football)
        raise NotFootball(f"sport {named} is not football ({expected})", bookmaker=self.bookmaker,
                          event_id=self.event_id, path=path, sport=sport)

    def int_id(self, value: Any, path: builtins.str) -> int:
        """A numeric id given as int or digit string."""
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
        raise self.error(f"expected a numeric id, got {value!r}", path)


def split_teams(name: str) -> tuple[str, str] | None:
    """``"Home - Away"`` -> (home, away), splitting on the first `` - ``."""
    home, sep, away = name.partition(" - ")
    if not sep or not home.strip() or not away.strip():
        return None
    return home.strip(), away.strip()


def utc_from_epoch_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
