"""BetPawa sportsbook API (v4 by default): board listing, event detail, and normalisation.

Board: ``GET /api/sportsbook/{version}/events/lists/by-queries?q=<json>`` paged with skip/take 100;
the end of the list is a page whose inner ``responses`` key is missing. Detail:
``GET /api/sportsbook/{version}/events/{id}``, which also carries the SportRadar id (``widgets``).
Every request sends ``x-pawa-brand`` (the API is multi-tenant) and ``accept: application/json``
(with ``*/*`` v4 answers protobuf).

BetPawa is the reference book: its market ids and outcome labels are the canonical ones, so a market
the catalogue knows is kept with its own labels; markets the catalogue does not know are counted in
``unmapped`` as ``betpawa:<marketTypeId>``.

The sport is the event's ``category`` (football is "2" on every brand); market type ids are shared
across sports, so an event of another category is refused (:class:`~odds_assets.errors.NotFootball`)
before its markets are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import orjson

from odds_assets.clients._common import Fields, load_json, split_teams
from odds_assets.clients.base import BookmakerClient, Listing, listing_pages
from odds_assets.clients.settings import BetPawaSettings
from odds_assets.errors import OddsAssetsError
from odds_assets.markets.catalogue import MarketSpec
from odds_assets.markets.normalise import (
    EventCollector,
    ParsedEvent,
    betpawa_specs,
    decimal_or_none,
    parse_line,
)
from odds_assets.models import Event, Outcome, RawResponse

__all__ = ["BetPawaClient", "parse_event_detailed", "parse_listing"]

BOOK = "betpawa"
_QUARTER = Decimal(4)
#: Football is category "2" on every BetPawa brand.
_FOOTBALL = "2"
#: Safety stop: ~10 pages carry the whole football board; a listing that never ends is a bug upstream.
_MAX_PAGES = 200


def parse_event_detailed(body: bytes | Any) -> ParsedEvent:
    """Normalise one ``events/{id}`` response (bytes or already-decoded JSON)."""
    doc = load_json(body, BOOK) if isinstance(body, (bytes, bytearray, memoryview)) else body
    f = Fields(BOOK)
    if not isinstance(doc, dict):
        raise f.error("expected an event object", "$")
    event_id = f.str(doc, "id", "")
    f.event_id = event_id
    category = f.obj(doc, "category", "")
    f.football(f.str(category, "id", "category"), category.get("name"), (_FOOTBALL,), "category.id")
    event = _event(f, doc, event_id)
    collector = EventCollector()
    specs = betpawa_specs()
    for i, market in enumerate(f.list(doc, "markets", "")):
        path = f"markets[{i}]"
        mtype = f.obj(market, "marketType", path)
        market_id = f.int_id(mtype.get("id"), f"{path}.marketType.id")
        rows = f.list(market, "row", path)
        spec = specs.get(market_id)
        if spec is None:
            # Count instances (lines), not rows: a line can span several display rows.
            lines = {r.get("handicap") if isinstance(r, dict) else None for r in rows} or {None}
            raw_key = f"betpawa:{market_id}"
            for _ in lines:
                collector.skip(raw_key)
            continue
        _market(f, collector, spec, market_id, rows, path)
    return collector.build(event)


def _event(f: Fields, doc: dict[str, Any], event_id: str) -> Event:
    sr_id: int | None = None
    for j, widget in enumerate(f.list(doc, "widgets", "")):
        if isinstance(widget, dict) and widget.get("type") == "SPORTRADAR":
            sr_id = f.int_id(widget.get("id"), f"widgets[{j}].id")
            break
    if sr_id is None:
        raise f.error("no SPORTRADAR widget", "widgets")
    home = away = None
    participants = doc.get("participants")
    if isinstance(participants, list):
        for p in participants:
            if isinstance(p, dict) and isinstance(p.get("name"), str):
                if p.get("position") == 1:
                    home = p["name"]
                elif p.get("position") == 2:
                    away = p["name"]
    if home is None or away is None:
        teams = split_teams(f.str(doc, "name", ""))
        if teams is None:
            raise f.error("no participants and no 'Home - Away' name", "participants")
        home, away = teams
    start = f.str(doc, "startTime", "", allow_int=False)
    try:
        kickoff = datetime.fromisoformat(start.replace("Z", "+00:00"))
    except ValueError:
        raise f.error(f"unparsable time {start!r}", "startTime") from None
    if kickoff.tzinfo is None:
        raise f.error(f"time without zone {start!r}", "startTime")
    competition = doc.get("competition")
    region = doc.get("region")
    return Event(
        bookmaker=BOOK, sr_event_id=sr_id, bookmaker_event_id=event_id, home=home, away=away,
        kickoff=kickoff, competition=competition.get("name") if isinstance(competition, dict) else None,
        country=region.get("name") if isinstance(region, dict) else None,
    )


def _market(f: Fields, collector: EventCollector, spec: MarketSpec, market_id: int,
            rows: list[Any], path: str) -> None:
    # Rows are display rows: "1X2 and Totals" spreads one line over two rows, correct score one
    # market over many. Group outcomes by line, in order of first appearance.
    by_line: dict[Decimal | None, list[Outcome]] = {}
    # JSON paths are spelled out only for an error (a board has ~100,000 prices)
    for r, row in enumerate(rows):
        rpath = f"{path}.row[{r}]"
        if not isinstance(row, dict):
            raise f.error("expected a row object", rpath)
        prices = f.list(row, "prices", rpath)
        line = _row_line(f, spec, row, prices, rpath)
        outcomes = by_line.setdefault(line, [])
        for p, price in enumerate(prices):
            if not isinstance(price, dict):
                raise f.error("expected a price object", f"{rpath}.prices[{p}]")
            name = price.get("name")
            if not isinstance(name, str) or not name:
                name = f.str(price, "name", f"{rpath}.prices[{p}]")
            # Renamed price -> odds in 2026; read whichever is present.
            key = "odds" if "odds" in price else "price"
            try:
                odds = decimal_or_none(price.get(key))
            except ValueError as exc:
                raise f.error(str(exc), f"{rpath}.prices[{p}].{key}") from None
            active = odds is not None and price.get("suspended") is not True
            outcomes.append(Outcome(name, odds, active))
    for line, outcomes in by_line.items():
        collector.add(f"betpawa:{market_id}", market_id, line, outcomes)


def _row_line(f: Fields, spec: MarketSpec, row: dict[str, Any], prices: list[Any],
              rpath: str) -> Decimal | None:
    """The home-perspective line of one row, from the most reliable field present."""
    kind = spec.line_kind
    if kind == "none":
        return None
    try:
        if kind == "total":
            # prices[].handicap is the real line as text ("2.5").
            for price in prices:
                if isinstance(price, dict) and isinstance(price.get("handicap"), str):
                    return parse_line(price["handicap"])
        handicap = row.get("handicap")
        if isinstance(handicap, int) and not isinstance(handicap, bool):
            # row.handicap is always quarter units (10 = 2.5, -2 = -0.5).
            return parse_line(Decimal(handicap) / _QUARTER)
        formatted = row.get("formattedHandicap")
        if isinstance(formatted, str) and formatted:
            return parse_line(formatted)
        specifier = row.get("specifier")
        if isinstance(specifier, dict):
            for key in ("total", "hcp", "handicap"):
                value = specifier.get(key)
                if isinstance(value, str) and value:
                    # June 2026 captures had quarter units here, August ones the real line; with no
                    # row.handicap to compare against, the newest meaning (real line) is assumed.
                    return parse_line(value)
    except ValueError as exc:
        raise f.error(str(exc), rpath) from None
    if spec.default_line is not None:
        return spec.default_line
    raise f.error(f"no line for a {kind} market", rpath)


def parse_listing_page(body: bytes, url: str | None = None) -> tuple[list[str], bool]:
    """Event ids on one ``by-queries`` page, and whether it is the end marker."""
    doc = load_json(body, BOOK, url)
    f = Fields(BOOK)
    outer = f.list(doc, "responses", "") if isinstance(doc, dict) else None
    if not outer or not isinstance(outer[0], dict):
        raise f.error("expected responses[0]", "responses")
    inner = outer[0].get("responses")
    if not inner:
        # The end marker is {"responses":[{}]}; an empty page cannot be followed by more either.
        return [], True
    if not isinstance(inner, list):
        raise f.error("expected a list", "responses[0].responses")
    ids = [f.str(item, "id", f"responses[0].responses[{i}]") for i, item in enumerate(inner)]
    return ids, False


def parse_listing(raw: Sequence[RawResponse]) -> Listing:
    """Rebuild the listing from archived pages: complete only when the last page is the end marker."""
    ids: list[str] = []
    complete = False
    for page in listing_pages(raw):
        if page.kind != "listing":
            complete = False
            break
        try:
            page_ids, end = parse_listing_page(page.body, page.url)
        except OddsAssetsError:  # a bad page ends the listing; it does not fail the board
            complete = False
            break
        ids.extend(page_ids)
        complete = end
        if end:
            break
    return Listing.of(ids, complete)


class BetPawaClient(BookmakerClient):
    """Whole BetPawa football pre-match board."""

    bookmaker = BOOK
    settings: BetPawaSettings

    def default_headers(self) -> dict[str, str]:
        return {
            "accept": "application/json",
            "x-pawa-brand": self.settings.brand,
            "devicetype": "web",
            "x-pawa-language": "en",
        }

    def _prefix(self) -> str:
        return f"/api/sportsbook/{self.settings.api_version}"

    def listing_url(self, skip: int) -> str:
        query = {"queries": [{
            "query": {"eventType": "UPCOMING", "categories": [_FOOTBALL], "zones": {}, "hasOdds": True},
            "sort": {"startTime": "ASC"},
            "skip": skip, "take": self.settings.page_size,
        }]}
        return f"{self._prefix()}/events/lists/by-queries?q={quote(orjson.dumps(query).decode())}"

    def detail_url(self, event_id: str) -> str:
        return f"{self._prefix()}/events/{event_id}"

    async def fetch_listing(self) -> None:
        skip = 0
        for _ in range(_MAX_PAGES):
            raw = await self.get_listing(self.listing_url(skip), "listing")
            if raw is None:
                return
            try:
                _, end = parse_listing_page(raw.body, raw.url)
            except OddsAssetsError:
                return
            if end:
                return
            skip += self.settings.page_size

    parse_listing = staticmethod(parse_listing)
    parse_event_detailed = staticmethod(parse_event_detailed)

