"""BetPawa v4 sportsbook API (``/api/sportsbook/v4/...``) in its real wire format.

Quirks reproduced: rows carry the line in quarter units (``row.handicap`` 10 = 2.5), prices carry
it as a string ("2.5", "-0.5"/"+0.5", "Home -1"/"Away +1"); the price key is ``price`` or ``odds``
(configurable, and flipped by the ``rename`` fault); an unavailable price is 0.0 with
``suspended: true``; ``events/lists/by-queries`` pages by skip/take ≤ 100 and ends with
``{"responses":[{}]}``; without ``accept: application/json`` the API answers protobuf.
"""

from __future__ import annotations

import base64
import re
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import orjson

from odds_assets.simulator._hash import h
from odds_assets.simulator._http import Effects, Request, Response, json_response
from odds_assets.simulator.markets import InstanceDef, InstanceState, line_str, signed_line
from odds_assets.simulator.realistic import EXTRA_META, BpExtra, fragments, guide_text, json_fragment

if TYPE_CHECKING:
    from odds_assets.simulator.engine import Simulator
    from odds_assets.simulator.world import SimEvent

PREFIX = "/api/sportsbook/v4/"
_EVENT_RE = re.compile(r"^/api/sportsbook/v4/events/(\d+)$")
_CATEGORY = {"id": "2", "name": "Football"}
_PERIOD_TEXT = {"FT": "Full Time", "1H": "1st Half", "2H": "2nd Half"}
_HCP_TYPE = {"none": "", "total": "NORMAL", "asian_handicap": "ASIAN", "european_handicap": "EUROPEAN",
             "other": "NUMBER_SPECIFIER"}
# Names of the commonest markets as BetPawa spells them (from the capture); others are derived.
_NAMES = {
    3743: "1X2 - FT", 4693: "Double Chance - FT", 3795: "Both Teams To Score - FT",
    5000: "Total Score Over/Under - FT", 4724: "Handicap 1X2 - FT", 3774: "Asian Handicap - FT",
    4703: "Draw No Bet - FT", 3668: "1X2 - 1H", 4429: "Correct Score - FT", 4706: "HT / FT",
    28000224: "{handicap} Goal",
}


def protobuf_body(seed: int, path: str) -> bytes:
    """A deterministic protobuf-looking body (field 1, length-delimited), never valid JSON."""
    payload = h(seed, len(path)).to_bytes(8, "little") + path.encode()[:60]
    return b"\x0a" + bytes([len(payload)]) + payload + b"\x10\x01"


def _market_name(inst: InstanceDef) -> str:
    bp = inst.spec.betpawa_id
    if bp in _NAMES:
        return _NAMES[bp]
    words = inst.spec.name.rsplit("_", 1)[0].replace("_", " ").title()
    return f"{words} - {inst.spec.period}"


def _column_count(n: int) -> int:
    if n <= 3:
        return n
    return 3 if n % 3 == 0 else 2


def _price_handicap(inst: InstanceDef, label: str) -> str | None:
    q = inst.line_q
    kind = inst.spec.line_kind
    if q is None or kind == "other":
        return None
    if kind == "total":
        return line_str(q)
    if kind == "asian_handicap":
        return signed_line(q) if label == "1" else signed_line(-q)
    # European: "Home -1"/"Away +1"; the draw repeats the label of the side giving the handicap
    home, away = f"Home {signed_line(q)}", f"Away {signed_line(-q)}"
    if label == "1":
        return home
    if label == "2":
        return away
    return home if q < 0 else away


def _probability_blob(key: int, j: int) -> str:
    # Real prices carry an obfuscated base64 JSON {win, refund, key}; parsers ignore it.
    a, b, c = h(key, j, 1) >> 1, h(key, j, 2) >> 1, h(key, j, 3) >> 1
    return base64.b64encode(f'{{"win":{a},"refund":{b},"key":-{c}}}'.encode()).decode()


_STATIC: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}


def _static_prices(inst: InstanceDef, keep: bool = True) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The parts of an instance's prices that never change (ids, labels, blobs), built once (kept only when
    ``keep``: a realistic board keeps each market's rendered bytes instead, and re-renders one rarely)."""
    cached = _STATIC.get(inst.key)
    if cached is not None:
        return cached
    q = inst.line_q
    kind = inst.spec.line_kind
    bp_id = inst.spec.betpawa_id or 0
    heads, tails = [], []
    for o in inst.outcomes:
        label = o.bp or o.label
        display = label if (q is None or kind == "other") else ("{formattedHandicap}" if kind != "total"
                                                                else f"{label.split(' ')[0]} {{formattedHandicap}}")
        heads.append({"id": str(1_440_000_000 + h(inst.key, o.index, 5) % 100_000_000), "name": label,
                      "typeId": str(bp_id + 1 + o.index)})
        tails.append({"handicap": _price_handicap(inst, label), "displayName": display,
                      "additionalInfo": {"hot": False, "twoUp": False, "anyUp": "NO_UP"},
                      "probability": _probability_blob(inst.key, o.index)})
    if keep:
        if len(_STATIC) > 400_000:
            _STATIC.clear()
        _STATIC[inst.key] = (heads, tails)
    return heads, tails


def _market_obj(ev: SimEvent, insts: list[tuple[InstanceDef, InstanceState]], price_key: str,
                specifier: bool, keep: bool = True) -> dict[str, Any]:
    first = insts[0][0]
    spec = first.spec
    bp_id = spec.betpawa_id or 0
    n = len(first.outcomes)
    cols = _column_count(n)
    kind = spec.line_kind
    rows: list[dict[str, Any]] = []
    for inst, state in insts:
        q = inst.line_q
        heads, tails = _static_prices(inst, keep)
        prices = []
        for head, tail, (cents, active) in zip(heads, tails, state.outcomes):
            price = dict(head)
            price[price_key] = cents / 100.0
            price["suspended"] = not active
            price.update(tail)
            prices.append(price)
        for r in range(0, len(prices), cols):
            row: dict[str, Any] = {
                "id": str(374_000_000 + h(inst.key, r, 6) % 1_000_000),
                "handicap": q,
                "formattedHandicap": (line_str(q) if (q is not None and kind in ("european_handicap", "other"))
                                      else None),
                "prices": prices[r:r + cols],
            }
            if specifier and q is not None:
                row["specifier"] = {"total": line_str(q)} if kind == "total" else {"hcp": line_str(q)}
            rows.append(row)
    period = _PERIOD_TEXT.get(spec.period, spec.period)
    name = _market_name(first)
    return {
        "marketType": {
            "id": str(bp_id),
            "name": name,
            "displayName": f"{name.rsplit(' - ', 1)[0]} | {period}",
            "explainer": None,
            "priority": first.priority + 1,
            "tabs": ["popular", "all"] if first.priority < 10 else ["all"],
            "handicapType": _HCP_TYPE.get(kind, ""),
            "priceColumnCount": cols,
            "priceSortingMethod": "PRICE_TYPE_ID",
        },
        "row": rows,
        "displayNameRows": [],
        "displayNameColumns": [o.bp or o.label for o in first.outcomes[:cols]] if first.line_q is None else [],
        "additionalInfo": {"boosted": False, "cashoutable": True, "twoUp": False},
    }


def _markets(sim: Simulator, ev: SimEvent, tick: int, price_key: str) -> list[dict[str, Any]]:
    groups: dict[int, list[tuple[InstanceDef, InstanceState]]] = {}
    for inst, state in sim.event_state("betpawa", ev, tick):
        if state is not None:
            groups.setdefault(inst.spec_index, []).append((inst, state))
    spec_rows = sim.config.betpawa_row_specifier
    return [_market_obj(ev, g, price_key, spec_rows) for _, g in sorted(groups.items())]


def _player_market_obj(t: BpExtra, inst: InstanceDef, state: InstanceState, price_key: str) -> dict[str, Any]:
    # a player market: one row (without id) of one price per player, the price naming the player's side
    rows = []
    for o, (cents, active) in zip(inst.outcomes, state.outcomes):
        rows.append({"handicap": None, "formattedHandicap": None, "prices": [{
            "id": str(1_440_000_000 + h(inst.key, o.index, 5) % 100_000_000), "name": o.label,
            "typeId": str(30_000_000 + h(inst.key, o.index, 8) % 2_000_000), price_key: cents / 100.0,
            "suspended": not active, "handicap": None, "team": int(o.sb_id), "displayName": o.label,
            "additionalInfo": {"hot": False, "twoUp": False, "anyUp": "NO_UP"},
            "probability": _probability_blob(inst.key, o.index)}]})
    return {
        "marketType": {"id": t.market_id, "name": t.name, "displayName": t.name, "explainer": guide_text(t.name),
                       "priority": 210, "tabs": ["players", "all"], "handicapType": "", "priceColumnCount": 1,
                       "priceSortingMethod": "GOALSCORER_SORTING"},
        "row": rows, "displayNameRows": [], "displayNameColumns": [],
        "additionalInfo": {"boosted": False, "cashoutable": True, "twoUp": False},
    }


def _real_market_obj(ev: SimEvent, insts: list[tuple[InstanceDef, InstanceState]], price_key: str,
                     specifier: bool) -> dict[str, Any]:
    t = EXTRA_META.get(insts[0][0].spec.name)
    if isinstance(t, BpExtra):
        return _player_market_obj(t, insts[0][0], insts[0][1], price_key)
    m = _market_obj(ev, insts, price_key, specifier, keep=False)
    m["marketType"]["explainer"] = guide_text(m["marketType"]["name"])
    return m


def _real_fragment(ev: SimEvent, insts: list[tuple[InstanceDef, InstanceState]], price_key: str,
                   specifier: bool) -> orjson.Fragment:
    return json_fragment(_real_market_obj(ev, insts, price_key, specifier))


def _real_markets(sim: Simulator, ev: SimEvent, tick: int, price_key: str) -> list[Any]:
    """The markets of a realistic board as pre-serialised fragments, one per market type, re-rendered only
    when one of its instances changed state."""
    groups: dict[int, list[tuple[InstanceDef, InstanceState]]] = {}
    for inst, state in sim.event_state("betpawa", ev, tick):
        if state is not None:
            groups.setdefault(inst.spec_index, []).append((inst, state))
    spec_rows = sim.config.betpawa_row_specifier
    cache = fragments(sim, "betpawa", tick)
    return [cache.get((ev.k, si, price_key, spec_rows), tuple(st for _, st in g),
                      partial(_real_fragment, ev, g, price_key, spec_rows))
            for si, g in sorted(groups.items())]


def _header(ev: SimEvent) -> dict[str, Any]:
    home, away = ev.team_names("betpawa")
    comp = ev.competition
    return {
        "id": ev.betpawa_id,
        "name": f"{home} - {away}",
        "startTime": ev.kickoff_dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "participants": [
            {"id": str(600_000 + h(ev.k, 1) % 100_000), "name": home, "position": 1},
            {"id": str(600_000 + h(ev.k, 2) % 100_000), "name": away, "position": 2},
        ],
        "category": _CATEGORY,
        "region": {"id": comp.bp_region_id, "name": comp.country},
        "competition": {"id": comp.bp_id, "name": comp.name},
    }


def _widgets(ev: SimEvent) -> list[dict[str, Any]]:
    sr = str(ev.sr_id)
    return [
        {"id": sr, "type": "SPORTRADAR", "retention": "PREMATCH"},
        {"id": sr, "type": "SPORTRADAR", "retention": "INPLAY"},
        {"id": str(13_000_000 + ev.k % 1_000_000), "type": "GENIUSSPORTS", "retention": None},
    ]


def event_dict(sim: Simulator, ev: SimEvent, tick: int, price_key: str) -> dict[str, Any]:
    """The full ``GET events/{id}`` body of one event (on a realistic board: every market the event's
    universe holds, each with its explainer, as cached fragments)."""
    markets = (_real_markets if sim.config.realistic else _markets)(sim, ev, tick, price_key)
    d = _header(ev)
    d.update({
        "results": None,
        "widgets": _widgets(ev),
        "markets": markets,
        "totalMarketCount": len(markets),
        "additionalInfo": {"live": False},
        "score": round(10.0 + (h(ev.k, 9) % 9000) / 100.0, 2),
        "neutralVenue": False,
        "inplayBooked": True,
        # BetPawa bumps an event's version when it changes; here: its latest odds change
        "version": 1 + max((st.version for _, st in sim.event_state("betpawa", ev, tick) if st is not None),
                           default=0) % 1_000_000,
    })
    # keep the capture's key order: id, name, results, widgets, participants, startTime, markets ...
    order = ("id", "name", "results", "widgets", "participants", "startTime", "markets", "totalMarketCount",
             "category", "region", "competition", "additionalInfo", "score", "neutralVenue", "inplayBooked",
             "version")
    return {k: d[k] for k in order}


def _price_key(sim: Simulator, fx: Effects) -> str:
    key = sim.config.betpawa_price_key
    if fx.rename:
        key = "odds" if key == "price" else "price"
    return key


def _wants_json(req: Request) -> bool:
    return "application/json" in req.headers.get("accept", "")


def _bad_request(message: str) -> Response:
    return json_response({"code": "BAD_REQUEST", "message": message}, status=400)


def handle(sim: Simulator, req: Request, tick: int, fx: Effects) -> Response:
    """Route one BetPawa request."""
    path = req.path
    if "x-pawa-brand" not in req.headers:
        # the API is multi-tenant: without a brand it cannot tell which country's board to serve
        return _bad_request("Missing x-pawa-brand header")
    if path == PREFIX + "categories/list/all":
        n = len(sim.board("betpawa", tick))
        return json_response({"onlyMeta": [
            {"category": _CATEGORY, "eventCounts": {"upcoming": n, "live": 0}},
            {"category": {"id": "3", "name": "Basketball"}, "eventCounts": {"upcoming": 0, "live": 0}},
        ]})
    if path.startswith(PREFIX + "categories/list/"):
        if path.rsplit("/", 1)[-1] != "2":
            return json_response({"withRegions": []})
        return json_response({"withRegions": [_regions(sim, tick)]})
    if path == PREFIX + "events/lists/by-queries":
        return _by_queries(sim, req, tick, fx)
    m = _EVENT_RE.match(path)
    if m:
        if not _wants_json(req):
            return Response(200, protobuf_body(sim.config.seed, path), "application/x-protobuf", kind="detail")
        ev = sim.event_at("betpawa", sim.world.find_k_by_betpawa(m.group(1)), tick)
        if ev is None:
            return json_response({"code": "NOT_FOUND", "message": "Event not found"}, status=404, kind="detail")
        pk = _price_key(sim, fx)
        body = sim.detail_body("betpawa", ev, tick, pk, lambda: orjson.dumps(event_dict(sim, ev, tick, pk)))
        return Response(200, body, "application/json", kind="detail")
    return json_response({"code": "NOT_FOUND", "message": "No handler"}, status=404)


def _regions(sim: Simulator, tick: int) -> dict[str, Any]:
    regions: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for ev in sim.board("betpawa", tick):
        counts[ev.competition.bp_id] = counts.get(ev.competition.bp_id, 0) + 1
    for ev in sim.board("betpawa", tick):
        comp = ev.competition
        reg = regions.setdefault(comp.bp_region_id, {
            "region": {"id": comp.bp_region_id, "name": comp.country}, "competitions": []})
        if all(c["competition"]["id"] != comp.bp_id for c in reg["competitions"]):
            reg["competitions"].append({"competition": {"id": comp.bp_id, "name": comp.name},
                                        "eventCounts": {"upcoming": counts[comp.bp_id], "live": 0}})
    return {"category": _CATEGORY, "regions": list(regions.values())}


def _by_queries(sim: Simulator, req: Request, tick: int, fx: Effects) -> Response:
    raw = req.query.get("q")
    if not raw:
        return _bad_request("Request is empty")
    try:
        q = orjson.loads(unquote(raw) if raw.lstrip().startswith("%") else raw)
        queries = q["queries"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return _bad_request("Request is empty")
    if not _wants_json(req):
        return Response(200, protobuf_body(sim.config.seed, raw), "application/x-protobuf", kind="listing")
    out: list[dict[str, Any]] = []
    pk = _price_key(sim, fx)
    for query in queries:
        try:
            skip = int(query.get("skip", 0))
            take = int(query.get("take", 20))
        except (TypeError, ValueError):
            return _bad_request("Invalid paging")
        if take > 100:
            return _bad_request("The maximum number of events is 100")
        flt = query.get("query") or {}
        cats = flt.get("categories")
        if cats and "2" not in [str(c) for c in cats]:
            out.append({})
            continue
        comps = {str(c) for c in ((flt.get("zones") or {}).get("competitions") or [])}
        view_types = {str(t) for t in ((query.get("view") or {}).get("marketTypes") or [])}
        events = [ev for ev in sim.board("betpawa", tick) if not comps or ev.competition.bp_id in comps]
        if (query.get("sort") or {}).get("startTime") == "DESC":
            events = events[::-1]
        page = events[skip:skip + take]
        if not page:
            out.append({})  # the end of the list: inner "responses" absent
            continue
        if fx.drop > 0:
            page = [ev for ev in page if (h(fx.drop_salt, ev.k) >> 11) / 2.0**53 >= fx.drop]
        items = []
        for ev in page:
            item = _header(ev)
            if sim.config.betpawa_list_widgets:
                item["widgets"] = _widgets(ev)
            if view_types:
                item["markets"] = [mk for mk in _markets(sim, ev, tick, pk) if mk["marketType"]["id"] in view_types]
            else:
                item["markets"] = []
            items.append(item)
        out.append({"responses": items})
    return json_response({"responses": out}, kind="listing")
