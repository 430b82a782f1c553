"""SportyBet factsCenter API: board listing, event detail, and normalisation.

Board: ``GET /api/{cc}/factsCenter/pcUpcomingEvents`` paged by ``pageNum``/``pageSize`` until
``pageNum·pageSize >= totalNum``. Detail: ``GET /api/{cc}/factsCenter/event?eventId=sr:match:N&productId=3``.
Every envelope must say ``bizCode: 10000``; every GET carries an ``_t`` cache buster.

Markets are one object per line, all sharing the market ``id`` (SportRadar UOF ids); the line is in
``specifier`` (``total=2.5``, ``hcp=-0.5``, ``hcp=0:1`` → home line 0−1 = −1). Outcomes whose
``desc`` embeds the line are matched by SR outcome id, the others by ``desc`` (case-insensitive).
UOF market ids are shared across sports (a basketball event would read as ~100 football rows), so
an event whose ``sport.id`` is not ``sr:sport:1`` is refused (:class:`~odds_assets.errors.NotFootball`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

from odds_assets.clients._common import Fields, load_json, utc_from_epoch_ms
from odds_assets.clients.base import BookmakerClient, Listing, listing_pages
from odds_assets.clients.settings import SportyBetSettings
from odds_assets.errors import OddsAssetsError, UnexpectedPayload
from odds_assets.markets.catalogue import MarketSpec, OutcomeSpec
from odds_assets.markets.normalise import (
    EventCollector,
    ParsedEvent,
    decimal_or_none,
    parse_line,
    sportybet_specs,
)
from odds_assets.models import Event, Outcome, RawResponse

__all__ = ["SportyBetClient", "parse_event_detailed", "parse_listing", "sr_id_of"]

BOOK = "sportybet"
_OK = 10000
#: SportRadar's football id; SportyBet's market ids are SportRadar UOF ids, shared by every sport.
_FOOTBALL = "sr:sport:1"
#: SportyBet's synthetic ids for BetGenius-sourced events start with this; they are not SR ids.
_GENIUS_PREFIX = "1111111"
_MAX_PAGES = 200


def sr_id_of(item: dict[str, Any], f: Fields, path: str) -> int:
    """The SportRadar match id of an event (detail ``data`` or list item).

    ``eventId`` is ``sr:match:<n>``, except for BetGenius-sourced events where <n> is a synthetic
    ``1111111…`` number; those only count through an ``eventSource`` of type BET_RADAR.
    """
    event_id = f.str(item, "eventId", path, allow_int=False)
    number = event_id.rsplit(":", 1)[-1]
    sources = item.get("eventSource")
    sources = [s for s in sources.values() if isinstance(s, dict)] if isinstance(sources, dict) else []
    genius = any(s.get("sourceType") == "BET_GENIUS" for s in sources)
    if not (genius and number.startswith(_GENIUS_PREFIX)):
        return f.int_id(number, f"{path}.eventId" if path else "eventId")
    for s in sources:
        if s.get("sourceType") == "BET_RADAR" and str(s.get("sourceId", "")).isdigit():
            return int(s["sourceId"])
    raise f.error(f"BetGenius event {event_id} has no SportRadar id", f"{path}.eventId" if path else "eventId")


def _envelope(doc: Any, f: Fields) -> Any:
    if not isinstance(doc, dict):
        raise f.error("expected an envelope object", "$")
    if doc.get("bizCode") != _OK:
        raise UnexpectedPayload(f"bizCode {doc.get('bizCode')!r} ({doc.get('message')!r}), expected {_OK}",
                                bookmaker=BOOK, path="bizCode")
    return doc.get("data")


#: market id text -> (the id, its raw key ``sportybet:<id>``): syntax only, so the spec itself is always
#: looked up in the live catalogue table; bounded
_ID_KEYS: dict[str, tuple[int, str]] = {}
_ID_KEYS_MAX = 100_000


@cache
def _outcome_index(sportybet_id: int) -> tuple[dict[str, OutcomeSpec], dict[str, OutcomeSpec]]:
    """A market's outcomes by SR outcome id and by lower-cased ``desc`` (cached by the market's id:
    hashing a whole MarketSpec per instance cost a tenth of the parse)."""
    spec = sportybet_specs()[sportybet_id]
    by_id = {o.sportybet_outcome_id: o for o in spec.outcomes if o.sportybet_outcome_id}
    by_desc = {o.sportybet.lower(): o for o in spec.outcomes if o.sportybet}
    return by_id, by_desc


def _specifier(text: str) -> dict[str, str]:
    out = {}
    for part in text.split("|"):
        key, sep, value = part.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def _line(spec: MarketSpec, specifier: Any) -> Decimal | None:
    kind = spec.line_kind
    if kind == "none":
        # Fixed specifiers (variant=…, from=1|to=10) name the market, not a line.
        return None
    values = _specifier(specifier) if isinstance(specifier, str) else {}
    if kind == "total" and "total" in values:
        return parse_line(values["total"])
    if kind in ("asian_handicap", "european_handicap") and "hcp" in values:
        hcp = values["hcp"]
        if ":" in hcp:
            home, _, away = hcp.partition(":")
            return parse_line(parse_line(home) - parse_line(away))
        return parse_line(hcp)
    if kind == "other":
        for key in ("goalnr", "cornernr", "bookingnr"):
            if key in values:
                return parse_line(values[key])
    if spec.default_line is not None:
        return spec.default_line
    raise ValueError(f"no {kind} line in specifier {specifier!r}")


def parse_event_detailed(body: bytes | Any) -> ParsedEvent:
    """Normalise one ``factsCenter/event`` response (bytes or already-decoded JSON)."""
    doc = load_json(body, BOOK) if isinstance(body, (bytes, bytearray, memoryview)) else body
    f = Fields(BOOK)
    data = _envelope(doc, f)
    if not isinstance(data, dict):
        raise f.error("expected an object", "data")
    f.event_id = data.get("eventId")
    sport = f.obj(data, "sport", "data")
    f.football(f.str(sport, "id", "data.sport", allow_int=False), sport.get("name"), (_FOOTBALL,),
               "data.sport.id")
    event = _event(f, data)
    collector = EventCollector()
    specs = sportybet_specs()
    for i, market in enumerate(f.list(data, "markets", "data")):
        # The hot path: most instances are of markets the catalogue does not map. An id as SportyBet
        # spells it ("18") is read once per process (_ID_KEYS); the JSON path is built only when needed.
        raw_id = market.get("id") if isinstance(market, dict) else None
        known = _ID_KEYS.get(raw_id) if isinstance(raw_id, str) else None
        if known is None:
            if not isinstance(market, dict):
                raise f.error("expected a market object", f"data.markets[{i}]")
            number = f.int_id(raw_id, f"data.markets[{i}].id")
            known = (number, f"sportybet:{number}")
            if isinstance(raw_id, str) and len(_ID_KEYS) < _ID_KEYS_MAX:
                _ID_KEYS[raw_id] = known
        market_id, raw_key = known
        spec = specs.get(market_id)
        if spec is None:
            collector.skip(raw_key)
            continue
        assert spec.betpawa_id is not None  # by_sportybet_id only returns BetPawa-twinned specs
        path = f"data.markets[{i}]"
        try:
            line = _line(spec, market.get("specifier"))
        except ValueError as exc:
            raise f.error(str(exc), f"{path}.specifier") from None
        outcomes = _outcomes(f, spec, market, path)
        if outcomes is None:
            collector.skip(raw_key, spec.betpawa_id, line)
        else:
            collector.add(raw_key, spec.betpawa_id, line, outcomes)
    return collector.build(event)


def _outcomes(f: Fields, spec: MarketSpec, market: dict[str, Any], path: str) -> list[Outcome] | None:
    """The BetPawa-labelled outcomes, or None when an outcome is unknown to the catalogue (the
    mapping is then not trusted for this instance)."""
    assert spec.sportybet_id is not None
    by_id, by_desc = _outcome_index(spec.sportybet_id)
    market_open = market.get("status") == 0
    out: list[Outcome] = []
    for j, outcome in enumerate(f.list(market, "outcomes", path)):
        if not isinstance(outcome, dict):
            raise f.error("expected an outcome object", f"{path}.outcomes[{j}]")
        known = by_id.get(str(outcome.get("id")))
        if known is None:
            desc = outcome.get("desc")
            known = by_desc.get(desc.lower()) if isinstance(desc, str) else None
        if known is None:
            return None
        if known.betpawa is None:
            continue  # an outcome BetPawa does not offer (e.g. correct score 3:4)
        try:
            odds = decimal_or_none(outcome.get("odds"))
        except ValueError as exc:
            raise f.error(str(exc), f"{path}.outcomes[{j}].odds") from None
        active = odds is not None and market_open and outcome.get("isActive") == 1
        out.append(Outcome(known.betpawa, odds, active))
    return out or None


def _event(f: Fields, data: dict[str, Any]) -> Event:
    sr_id = sr_id_of(data, f, "data")
    start = data.get("estimateStartTime")
    if not isinstance(start, int) or isinstance(start, bool):
        raise f.error(f"expected epoch milliseconds, got {start!r}", "data.estimateStartTime")
    sport = data.get("sport")
    category = sport.get("category") if isinstance(sport, dict) else None
    tournament = category.get("tournament") if isinstance(category, dict) else None
    return Event(
        bookmaker=BOOK, sr_event_id=sr_id, bookmaker_event_id=str(data["eventId"]),
        home=f.str(data, "homeTeamName", "data"), away=f.str(data, "awayTeamName", "data"),
        kickoff=utc_from_epoch_ms(start),
        competition=tournament.get("name") if isinstance(tournament, dict) else None,
        country=category.get("name") if isinstance(category, dict) else None,
    )


def parse_listing_page(body: bytes, url: str | None = None) -> tuple[list[str], dict[str, int], int]:
    """Event ids, their SR ids and ``totalNum`` of one pcUpcomingEvents page."""
    doc = load_json(body, BOOK, url)
    f = Fields(BOOK)
    data = _envelope(doc, f)
    if not isinstance(data, dict):
        raise f.error("expected an object", "data")
    total = data.get("totalNum")
    if not isinstance(total, int):
        raise f.error(f"expected an integer, got {total!r}", "data.totalNum")
    ids: list[str] = []
    sr_ids: dict[str, int] = {}
    for t, tournament in enumerate(data.get("tournaments") or []):
        for e, item in enumerate(f.list(tournament, "events", f"data.tournaments[{t}]")):
            path = f"data.tournaments[{t}].events[{e}]"
            event_id = f.str(item, "eventId", path, allow_int=False)
            ids.append(event_id)
            # the detail decides; a listing item without SR id is still listed
            with contextlib.suppress(OddsAssetsError):
                sr_ids[event_id] = sr_id_of(item, f, path)
    return ids, sr_ids, total


def _page_position(url: str) -> tuple[int, int]:
    query = parse_qs(urlsplit(url).query)
    return int(query.get("pageNum", ["1"])[0]), int(query.get("pageSize", ["100"])[0])


def parse_listing(raw: Sequence[RawResponse]) -> Listing:
    """Rebuild the listing: complete when the last page read reaches ``totalNum``."""
    ids: list[str] = []
    sr_ids: dict[str, int] = {}
    complete = False
    for page in listing_pages(raw):
        if page.kind != "listing":
            complete = False
            break
        try:
            page_ids, page_sr, total = parse_listing_page(page.body, page.url)
        except OddsAssetsError:
            complete = False
            break
        ids.extend(page_ids)
        sr_ids.update(page_sr)
        if not page_ids:
            # An empty page before totalNum is reached: the board shrank or the book cut us off.
            complete = len(set(ids)) >= total
            break
        number, size = _page_position(page.url)
        complete = number * size >= total
        if complete:
            break
    return Listing.of(ids, complete, sr_ids)


class SportyBetClient(BookmakerClient):
    """Whole SportyBet football pre-match board."""

    bookmaker = BOOK
    settings: SportyBetSettings

    def default_headers(self) -> dict[str, str]:
        return {"accept": "application/json", "accept-language": "en", "clientid": "web",
                "operid": self.settings.operid, "platform": "web"}

    def _api(self) -> str:
        return f"/api/{self.settings.country}/factsCenter"

    @staticmethod
    def _t() -> int:
        return int(time.time() * 1000)

    def listing_url(self, page: int) -> str:
        return (f"{self._api()}/pcUpcomingEvents?sportId=sr%3Asport%3A1&marketId=1&pageSize="
                f"{self.settings.page_size}&pageNum={page}&option=1&_t={self._t()}")

    def detail_url(self, event_id: str) -> str:
        return f"{self._api()}/event?eventId={event_id}&productId=3&_t={self._t()}"

    def envelope_problem(self, doc: Any) -> str | None:
        if isinstance(doc, dict) and doc.get("bizCode") != _OK:
            return f"bizCode {doc.get('bizCode')!r}, expected {_OK}"
        return None

    async def fetch_listing(self) -> None:
        for page in range(1, _MAX_PAGES + 1):
            raw = await self.get_listing(self.listing_url(page), "listing")
            if raw is None:
                return
            try:
                ids, _, total = parse_listing_page(raw.body, raw.url)
            except OddsAssetsError:
                return
            if not ids or page * self.settings.page_size >= total:
                return

    parse_listing = staticmethod(parse_listing)
    parse_event_detailed = staticmethod(parse_event_detailed)
