"""Bet9ja Palimpsest API: sport tree, group listings, event detail, and normalisation.

Board: ``GetSports`` (soccer is sport "1"; groups under ``D.PAL["1"].SG.*.G``) →
``GetEventsInGroupV2?GROUPID=…`` per group → ``GetEvent?EVENTID=<ID>``. Every call carries
``v_cache_version``; every envelope must say ``R: "OK"`` (``"E"`` is throttling or not found).
Bet9ja is the touchiest book (403 without a delay), hence 15 slots and 25 ms per request.

Odds are a flat dict ``O`` of ``S_<MARKET>[@<LINE>]_<OUTCOME>`` → decimal string; the outcome is
after the *last* underscore, the line (home perspective) between ``@`` and it. ``S_OU`` holds half
lines and ``S_OUA`` whole/quarter lines. A value of "1" is a placeholder, not a price.
``STARTDATE`` is UTC. The sport is ``SID`` (name in ``S``); market keys such as ``S_1X2`` and
``S_OU`` exist in other sports too, so an event that is not soccer is refused
(:class:`~odds_assets.errors.NotFootball`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timezone
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

from odds_assets.clients._common import Fields, load_json, split_teams
from odds_assets.clients.base import BookmakerClient, Listing, listing_pages
from odds_assets.clients.settings import Bet9jaSettings
from odds_assets.errors import OddsAssetsError, UnexpectedPayload
from odds_assets.markets.catalogue import MarketSpec, OutcomeSpec
from odds_assets.markets.normalise import (
    EventCollector,
    ParsedEvent,
    bet9ja_specs,
    decimal_or_none,
    parse_line,
)
from odds_assets.models import Event, Outcome, RawResponse

__all__ = ["Bet9jaClient", "parse_event_detailed", "parse_key", "parse_listing"]

BOOK = "bet9ja"
_OK = ("OK", "D")
_SOCCER = "1"
#: ``SID`` of a soccer event: "1" pre-match, "3000001" in the live feed (whose ``LIVES_`` keys
#: parse_key also reads).
_FOOTBALL_SIDS = (_SOCCER, "3000001")
_API = "/desktop/feapi/PalimpsestAjax"


#: parse_key's answers: a board repeats a few thousand distinct keys (~800 per event); bounded
_KEYS: dict[str, tuple[str, str | None, str] | None] = {}
_KEYS_MAX = 100_000


def parse_key(key: str) -> tuple[str, str | None, str] | None:
    """``S_OU@2.5_O`` -> (``S_OU``, ``"2.5"``, ``"O"``); live ``LIVES_`` keys read as ``S_``.
    None when the key does not follow the grammar."""
    try:
        return _KEYS[key]
    except KeyError:
        pass
    parsed = _parse_key(key)
    if len(_KEYS) < _KEYS_MAX:
        _KEYS[key] = parsed
    return parsed


def _parse_key(key: str) -> tuple[str, str | None, str] | None:
    if key.startswith("LIVES_"):
        key = "S_" + key[6:]
    if not key.startswith("S_"):
        return None
    head, sep, outcome = key.rpartition("_")
    if not sep or not outcome or len(head) <= 2:
        return None
    market, at, line = head.partition("@")
    if at and not line:
        return None
    return market, (line if at else None), outcome


@cache
def _suffix_index(key: str) -> dict[str, tuple[MarketSpec, OutcomeSpec]]:
    """Outcome suffix -> (spec, outcome) for a key; shared keys (S_HAOU) route by suffix."""
    out: dict[str, tuple[MarketSpec, OutcomeSpec]] = {}
    for spec in bet9ja_specs().get(key, ()):
        for o in spec.outcomes:
            if o.bet9ja is not None:
                out.setdefault(o.bet9ja, (spec, o))
    return out


def _envelope(doc: Any, f: Fields) -> Any:
    if not isinstance(doc, dict):
        raise f.error("expected an envelope object", "$")
    if doc.get("R") not in _OK:
        raise UnexpectedPayload(f"R {doc.get('R')!r}, expected 'OK'", bookmaker=BOOK, path="R")
    return doc.get("D")


def parse_event_detailed(body: bytes | Any) -> ParsedEvent:
    """Normalise one ``GetEvent`` response (bytes or already-decoded JSON)."""
    doc = load_json(body, BOOK) if isinstance(body, (bytes, bytearray, memoryview)) else body
    f = Fields(BOOK)
    data = _envelope(doc, f)
    if not isinstance(data, dict):
        raise f.error("expected an object", "D")
    f.event_id = data.get("ID")
    f.football(f.str(data, "SID", "D"), data.get("S"), _FOOTBALL_SIDS, "D.SID")
    event = _event(f, data)
    odds = f.obj(data, "O", "D")
    # Group keys into raw instances (market key × line), in order of first appearance.
    groups: dict[tuple[str, str | None], list[tuple[str, Any]]] = {}
    malformed = 0
    for key, value in odds.items():
        parsed = parse_key(key)
        if parsed is None:
            malformed += 1
            continue
        market, line, outcome = parsed
        groups.setdefault((market, line), []).append((outcome, value))
    collector = EventCollector()
    for _ in range(malformed):
        collector.skip("bet9ja:malformed-key")
    for (market, line_text), items in groups.items():
        _instance(f, collector, market, line_text, items)
    return collector.build(event)


def _instance(f: Fields, collector: EventCollector, market: str, line_text: str | None,
              items: list[tuple[str, Any]]) -> None:
    index = _suffix_index(market)
    specs = bet9ja_specs().get(market)
    if not specs:
        collector.skip(market)
        return
    path = f"D.O['{market}{'@' + line_text if line_text is not None else ''}_…']"
    line_value: Decimal | None = None
    if line_text is not None:
        try:
            line_value = parse_line(line_text)
        except ValueError as exc:
            raise f.error(str(exc), path) from None
    routed: dict[str, tuple[MarketSpec, list[Outcome]]] = {}
    for suffix, value in items:
        hit = index.get(suffix)
        if hit is None:
            # An outcome the catalogue does not know: do not trust this instance's mapping.
            only = specs[0] if len(specs) == 1 else None
            collector.skip(market, only.betpawa_id if only else None, _line_for(only, line_value))
            return
        spec, outcome = hit
        slot = routed.setdefault(spec.name, (spec, []))
        if outcome.betpawa is None:
            continue
        if isinstance(value, dict):
            value = value.get("v")  # live feeds wrap odds as {"v": x}
        try:
            odds = decimal_or_none(value)
        except ValueError as exc:
            raise f.error(str(exc), f"D.O['{market}{'@' + line_text if line_text else ''}_{suffix}']") from None
        slot[1].append(Outcome(outcome.betpawa, odds, odds is not None))
    for spec, outcomes in routed.values():
        assert spec.betpawa_id is not None
        line = _line_for(spec, line_value)
        if (spec.line_kind == "none") != (line is None) or not outcomes:
            # A line where the market has none (or none where it needs one): not this market.
            collector.skip(market, spec.betpawa_id, line)
        else:
            collector.add(market, spec.betpawa_id, line, outcomes)


def _line_for(spec: MarketSpec | None, line: Decimal | None) -> Decimal | None:
    if spec is not None and line is None and spec.line_kind != "none":
        return spec.default_line
    return line


def _event(f: Fields, data: dict[str, Any]) -> Event:
    event_id = f.str(data, "ID", "D")
    sr_id = f.int_id(data.get("EXTID"), "D.EXTID")
    teams = split_teams(f.str(data, "DS", "D"))
    if teams is None:
        raise f.error(f"expected 'Home - Away', got {data.get('DS')!r}", "D.DS")
    start = f.str(data, "STARTDATE", "D", allow_int=False)
    try:
        kickoff = datetime.strptime(start, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        raise f.error(f"unparsable time {start!r}", "D.STARTDATE") from None
    group, region = data.get("GN"), data.get("SG")
    return Event(bookmaker=BOOK, sr_event_id=sr_id, bookmaker_event_id=event_id, home=teams[0],
                 away=teams[1], kickoff=kickoff, competition=group if isinstance(group, str) else None,
                 country=region if isinstance(region, str) else None)


def parse_sports(body: bytes, url: str | None = None) -> list[str]:
    """Soccer group ids from a GetSports response, in the book's order."""
    f = Fields(BOOK)
    data = _envelope(load_json(body, BOOK, url), f)
    pal = f.obj(data, "PAL", "D")
    soccer = f.obj(pal, _SOCCER, "D.PAL")
    groups: list[str] = []
    for sg in (soccer.get("SG") or {}).values():
        if isinstance(sg, dict):
            groups.extend(str(g) for g in (sg.get("G") or {}))
    return groups


def parse_group(body: bytes, url: str | None = None) -> tuple[list[str], dict[str, int]]:
    """Event ids (and SR ids) of one GetEventsInGroupV2 response."""
    f = Fields(BOOK)
    data = _envelope(load_json(body, BOOK, url), f)
    items = data.get("E") if isinstance(data, dict) else None
    if isinstance(items, dict):
        items = list(items.values())
    if not isinstance(items, list):
        raise f.error("expected a list of events", "D.E")
    ids: list[str] = []
    sr_ids: dict[str, int] = {}
    for i, item in enumerate(items):
        event_id = f.str(item, "ID", f"D.E[{i}]")
        ids.append(event_id)
        ext = item.get("EXTID")
        if isinstance(ext, (str, int)) and str(ext).isdigit():
            sr_ids[event_id] = int(ext)
    return ids, sr_ids


def _group_of(url: str) -> str | None:
    return parse_qs(urlsplit(url).query).get("GROUPID", [None])[0]


def parse_listing(raw: Sequence[RawResponse]) -> Listing:
    """Rebuild the listing: every group of the sport tree must have been read."""
    pages = listing_pages(raw)
    sports = next((p for p in pages if p.kind == "sports"), None)
    if sports is None:
        return Listing.of([], False)
    try:
        groups = parse_sports(sports.body, sports.url)
    except OddsAssetsError:
        return Listing.of([], False)
    by_group = {_group_of(p.url): p for p in pages if p.kind in ("listing", "error")}
    ids: list[str] = []
    sr_ids: dict[str, int] = {}
    complete = True
    for group in groups:
        page = by_group.get(group)
        if page is None or page.kind != "listing":
            complete = False
            continue
        try:
            group_ids, group_sr = parse_group(page.body, page.url)
        except OddsAssetsError:
            complete = False
            continue
        ids.extend(group_ids)
        sr_ids.update(group_sr)
    return Listing.of(ids, complete, sr_ids)


class Bet9jaClient(BookmakerClient):
    """Whole Bet9ja football pre-match board."""

    bookmaker = BOOK
    settings: Bet9jaSettings

    def default_headers(self) -> dict[str, str]:
        return {"accept": "application/json, text/plain, */*", "accept-language": "en"}

    def _v(self) -> str:
        return f"v_cache_version={self.settings.cache_version}"

    def sports_url(self) -> str:
        return f"{_API}/GetSports?DISP=0&{self._v()}"

    def group_url(self, group_id: str) -> str:
        return f"{_API}/GetEventsInGroupV2?GROUPID={group_id}&DISP=0&GROUPMARKETID=1&{self._v()}"

    def detail_url(self, event_id: str) -> str:
        return f"{_API}/GetEvent?EVENTID={event_id}&{self._v()}"

    def envelope_problem(self, doc: Any) -> str | None:
        if isinstance(doc, dict) and doc.get("R") not in _OK:
            return f"R {doc.get('R')!r}, expected 'OK'"
        return None

    async def fetch_listing(self) -> None:
        sports = await self.get_listing(self.sports_url(), "sports")
        if sports is None:
            return
        try:
            groups = parse_sports(sports.body, sports.url)
        except OddsAssetsError:
            return
        pages = await asyncio.gather(*(self.fetch_raw(self.group_url(g), kind="listing", stage="listing")
                                       for g in groups))
        self._raw.extend(pages)  # group order, whatever order they completed in

    parse_listing = staticmethod(parse_listing)
    parse_event_detailed = staticmethod(parse_event_detailed)
