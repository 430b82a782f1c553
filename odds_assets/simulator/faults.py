"""Fault injection per book: latency, HTTP errors, WAF pages, broken bodies, renamed fields,
truncated listings and responses slower than any client timeout.

Spec formats (``--faults`` on the command line, ``POST /_sim/faults``, ``Simulator.faults.set``):

- text: ``betpawa:429=0.1,500=0.05,latency=20-80;bet9ja:403=0.2`` (``*`` = every book);
- JSON / dict: ``{"betpawa": {"429": 0.1, "latency_ms": [20, 80]}, "*": {"html": 0.01}}``.

Kinds (rates are probabilities per request, except ``drop``):

=============  ===============================================================================
``403``        HTTP 403 with an HTML "Access denied" page
``429``        HTTP 429 with ``Retry-After`` (``config.retry_after`` seconds)
``500/502/503``  HTTP 5xx
``html``       HTTP 200 with a Cloudflare-style challenge page (``text/html``)
``truncated``  HTTP 200 JSON cut in the middle
``protobuf``   HTTP 200 ``application/x-protobuf`` binary body
``slow``       the normal answer, after ``config.slow_seconds`` (longer than a client timeout)
``rename``     BetPawa renders the price under the other key (``price`` <-> ``odds``)
``drop``       share of events silently left out of every listing page (a truncated board)
``latency``    ``lo-hi`` milliseconds added to every request (uniform)
``scope``      ``all`` (default), ``listing`` or ``detail``: which requests the rates apply to
=============  ===============================================================================

Determinism: a request's fate is ``hash(seed, book, request line without cache-busters, n)`` where
``n`` counts earlier identical requests, so a retry of the same URL gets a fresh draw and the outcome
does not depend on how concurrent requests interleave.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import orjson

from odds_assets.simulator._hash import h, str_key
from odds_assets.simulator.world import BOOKS

__all__ = ["BookFaults", "FaultDecision", "FaultInjector", "parse_faults", "EXCLUSIVE_KINDS"]

#: kinds that replace the response (at most one per request), in the order their rates stack
EXCLUSIVE_KINDS: tuple[str, ...] = ("403", "429", "500", "502", "503", "html", "truncated", "protobuf", "slow")
_ALL_KINDS = set(EXCLUSIVE_KINDS) | {"rename", "drop"}
_S_FAULT = 41
_S_LATENCY = 42
_S_RENAME = 43


@dataclass(slots=True)
class BookFaults:
    """The faults configured for one book."""

    rates: dict[str, float] = field(default_factory=dict)
    latency_ms: tuple[float, float] = (0.0, 0.0)
    scope: str = "all"

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = dict(self.rates)
        if self.latency_ms != (0.0, 0.0):
            d["latency_ms"] = list(self.latency_ms)
        if self.scope != "all":
            d["scope"] = self.scope
        return d


@dataclass(slots=True)
class FaultDecision:
    """What happens to one request."""

    kind: str | None = None
    latency_s: float = 0.0
    rename: bool = False
    drop: float = 0.0
    salt: int = 0


def _book_faults(raw: dict[str, Any]) -> BookFaults:
    bf = BookFaults()
    for k, v in raw.items():
        k = str(k).strip()
        if k in ("latency", "latency_ms"):
            if isinstance(v, (list, tuple)):
                lo, hi = float(v[0]), float(v[-1])
            else:
                parts = str(v).split("-")
                lo, hi = float(parts[0]), float(parts[-1])
            bf.latency_ms = (lo, hi)
        elif k == "scope":
            if v not in ("all", "listing", "detail"):
                raise ValueError(f"fault scope must be all, listing or detail, not {v!r}")
            bf.scope = str(v)
        elif k in _ALL_KINDS:
            rate = float(v)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"fault rate {k}={v} is not in [0, 1]")
            bf.rates[k] = rate
        else:
            raise ValueError(f"unknown fault kind {k!r} (known: {sorted(_ALL_KINDS)}, latency, scope)")
    return bf


def parse_faults(spec: Any) -> dict[str, BookFaults]:
    """Per-book faults from a dict, JSON text or ``book:kind=rate,...;book:...`` text."""
    if spec is None or spec == "" or spec == {}:
        return {}
    if isinstance(spec, (bytes, str)):
        text = spec.decode() if isinstance(spec, bytes) else spec
        text = text.strip()
        if text.startswith("{"):
            spec = orjson.loads(text)
        else:
            parsed: dict[str, Any] = {}
            for part in filter(None, (p.strip() for p in text.split(";"))):
                book, _, kinds = part.partition(":")
                entry: dict[str, Any] = parsed.setdefault(book.strip(), {})
                for kv in filter(None, (x.strip() for x in kinds.split(","))):
                    k, _, v = kv.partition("=")
                    entry[k.strip()] = v.strip()
            spec = parsed
    if not isinstance(spec, dict):
        raise ValueError("fault spec must be a mapping of book -> faults")
    out: dict[str, BookFaults] = {}
    star = spec.get("*")
    for book in BOOKS:
        merged: dict[str, Any] = {}
        if isinstance(star, dict):
            merged.update(star)
        if isinstance(spec.get(book), dict):
            merged.update(spec[book])
        if merged:
            out[book] = _book_faults(merged)
    unknown = set(spec) - set(BOOKS) - {"*"}
    if unknown:
        raise ValueError(f"unknown book(s) in fault spec: {sorted(unknown)}")
    return out


class FaultInjector:
    """Holds the current fault spec and decides, deterministically, each request's fate."""

    def __init__(self, seed: int, spec: Any = None) -> None:
        self.seed = seed
        self._lock = threading.Lock()
        self._faults = parse_faults(spec)
        self._seen: dict[tuple[str, int], int] = {}

    def set(self, spec: Any) -> None:
        """Replace the whole spec (request counters are kept, so determinism holds per history)."""
        parsed = parse_faults(spec)
        with self._lock:
            self._faults = parsed

    def reset_counters(self) -> None:
        with self._lock:
            self._seen.clear()

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {b: f.to_json() for b, f in self._faults.items()}

    def decide(self, book: str, request_key: str, kind: str) -> FaultDecision:
        """The fate of one request to ``book`` (``kind`` = "listing", "detail" or "other")."""
        with self._lock:
            bf = self._faults.get(book)
            if bf is None:
                return FaultDecision()
            rk = str_key(request_key)
            n = self._seen.get((book, rk), 0)
            self._seen[(book, rk)] = n + 1
        bi = BOOKS.index(book)
        d = FaultDecision(salt=h(self.seed, _S_FAULT, bi, rk, n, 9))
        lo, hi = bf.latency_ms
        if hi > 0:
            u = h(self.seed, _S_LATENCY, bi, rk, n) / 2.0**64
            d.latency_s = (lo + (hi - lo) * u) / 1000.0
        if bf.scope != "all" and bf.scope != kind:
            return d
        u = h(self.seed, _S_FAULT, bi, rk, n) / 2.0**64
        acc = 0.0
        for k in EXCLUSIVE_KINDS:
            acc += bf.rates.get(k, 0.0)
            if u < acc:
                d.kind = k
                break
        if bf.rates.get("rename", 0.0) > 0:
            d.rename = h(self.seed, _S_RENAME, bi, rk, n) / 2.0**64 < bf.rates["rename"]
        if kind == "listing":
            d.drop = bf.rates.get("drop", 0.0)
        return d
