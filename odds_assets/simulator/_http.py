"""The tiny request/response types the book handlers use (the ASGI plumbing lives in ``app``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

JSON = "application/json"
JSON_UTF8 = "application/json;charset=UTF-8"


@dataclass(slots=True)
class Request:
    """One HTTP request, decoded just enough for routing."""

    method: str
    path: str
    #: query parameters, last value wins (the books' clients never repeat a parameter)
    query: dict[str, str]
    #: header names lower-cased
    headers: dict[str, str]
    body: bytes = b""


@dataclass(slots=True)
class Response:
    """One HTTP response; ``kind`` tells the fault layer whether it is a listing or a detail."""

    status: int
    body: bytes
    content_type: str = JSON
    headers: list[tuple[str, str]] = field(default_factory=list)
    kind: str = "other"


@dataclass(slots=True)
class Effects:
    """Fault effects a handler must apply itself while rendering (the rest is done around it)."""

    #: BetPawa: render the price under the other key (``price`` <-> ``odds``)
    rename: bool = False
    #: share of listed events silently left out of a listing page, and the salt deciding which
    drop: float = 0.0
    drop_salt: int = 0


def json_response(obj: object, *, status: int = 200, content_type: str = JSON, kind: str = "other") -> Response:
    return Response(status=status, body=orjson.dumps(obj), content_type=content_type, kind=kind)
