"""SportyBet factsCenter API (``/api/{cc}/factsCenter/...``) in its real wire format.

Quirks reproduced: the ``{"bizCode":10000,"message":"0#0","data":…}`` envelope (another bizCode for
unknown events); string odds ("2.40", "0.00" for no price) with ``isActive`` 0/1 and market
``status`` 0/1; one market object per line, all with the same ``id`` and a ``specifier``
("total=2.5", "hcp=-0.5", European "hcp=0:1"); outcome descs embedding the line ("Over 2.5");
``estimateStartTime`` in epoch milliseconds; ``eventId`` = ``sr:match:<SR id>``.
"""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING, Any

import orjson

from odds_assets.simulator._hash import h
from odds_assets.simulator._http import Effects, Request, Response, json_response
from odds_assets.simulator._real_shapes import SB_GROUPS
from odds_assets.simulator.markets import InstanceDef, InstanceState, line_str, signed_line
from odds_assets.simulator.realistic import EXTRA_META, SbExtra, compact, fragments, guide_text

if TYPE_CHECKING:
    from odds_assets.simulator.engine import Simulator
    from odds_assets.simulator.world import SimEvent

_PATH_RE = re.compile(r"^/api/([a-z]{2})/factsCenter/([A-Za-z]+)$")
_COUNTRIES = {"ng", "gh", "ke", "tz", "za", "cm", "zm"}
_SPORT = {"id": "sr:sport:1", "name": "Football"}
_NOT_FOUND_BIZCODE = 19000
_GUIDE = "Predict the outcome of the market in regular time."


_ODDS_TEXT = [f"{c // 100}.{c % 100:02d}" for c in range(50_001)]  # every price the model makes, printed once


def _odds_str(cents: int) -> str:
    return _ODDS_TEXT[cents] if 0 <= cents <= 50_000 else f"{cents // 100}.{cents % 100:02d}"


def _specifier(inst: InstanceDef) -> str | None:
    q = inst.line_q
    if q is None:
        return None
    kind = inst.spec.line_kind
    if kind == "total":
        return f"total={line_str(q)}"
    if kind == "asian_handicap":
        return f"hcp={line_str(q)}"
    if kind == "other":
        return f"goalnr={line_str(q)}"
    goals = abs(q) // 4  # European lines are whole goals: home -1 is "0:1", home +1 is "1:0"
    return f"hcp=0:{goals}" if q < 0 else f"hcp={goals}:0"


def _market_desc(inst: InstanceDef) -> str:
    q = inst.line_q
    kind = inst.spec.line_kind
    if kind == "total":
        return "Over/Under" if inst.spec.sportybet_id == 18 else inst.spec.name.replace("_", " ").title()
    if kind == "asian_handicap":
        return f"Asian Handicap {line_str(q or 0)}"
    if kind == "european_handicap":
        return f"Handicap {(_specifier(inst) or '').removeprefix('hcp=')}"
    if kind == "other":
        return f"{line_str(q or 0)}st Goal" if q == 4 else f"{line_str(q or 0)}th Goal"
    return inst.spec.name.rsplit("_", 1)[0].replace("_", " ").title() if inst.spec.sportybet_id != 1 else "1X2"


def _outcome_desc(inst: InstanceDef, label: str, bp: str | None, embeds_line: bool) -> str:
    if not embeds_line:
        return label
    q = inst.line_q or 0
    kind = inst.spec.line_kind
    if kind == "asian_handicap":
        return f"Home ({signed_line(q)})" if bp == "1" else f"Away ({signed_line(-q)})"
    if kind == "european_handicap":
        hcp = (_specifier(inst) or "").removeprefix("hcp=")
        side = {"1": "Home", "X": "Draw", "2": "Away"}.get(bp or "", bp or "")
        return f"{side} ({hcp})"
    return f"{bp} {line_str(q)}" if bp else f"{label} {line_str(q)}"


def _market_obj(inst: InstanceDef, state: InstanceState, tick_seconds: int, appear_tick: int) -> dict[str, Any]:
    outcomes: list[dict[str, Any]] = []
    for o, p, (cents, active) in zip(inst.outcomes, inst.probs, state.outcomes):
        embeds = inst.spec.outcomes[o.index].sportybet is None
        outcomes.append({
            "id": o.sb_id,
            "odds": _odds_str(cents),
            "probability": f"{p:.10f}",
            "voidProbability": "0E-10",
            "isActive": 1 if active else 0,
            "desc": _outcome_desc(inst, o.label, o.bp, embeds),
        })
    changed = max(state.version, appear_tick) * tick_seconds * 1000 + h(inst.key, 7) % 60_000
    m: dict[str, Any] = {"id": str(inst.spec.sportybet_id)}
    spec = _specifier(inst)
    if spec is not None:
        m["specifier"] = spec
    desc = _market_desc(inst)
    m.update({
        "product": 3,
        "desc": desc,
        "status": 1 if state.suspended else 0,
        "group": "Main",
        "groupId": "171121135724MGI11262166",
        "marketGuide": _GUIDE,
        "title": ",".join(o["desc"] for o in outcomes)[:60],
        "name": desc,
        "favourite": 0,
        "outcomes": outcomes,
        "farNearOdds": 0,
        "sourceType": "BET_RADAR",
        "lastOddsChangeTime": changed,
        "banned": False,
    })
    return m


def _markets(sim: Simulator, ev: SimEvent, tick: int) -> list[dict[str, Any]]:
    appear_tick = ev.appear_at // sim.config.tick_seconds
    return [_market_obj(i, s, sim.config.tick_seconds, appear_tick)
            for i, s in sim.event_state("sportybet", ev, tick) if s is not None]


# ---------------------------------------------------------------- realistic boards

# Key order of a real market object and of a real event's ``data`` (optional keys where the capture has them).
_MARKET_ORDER = ("id", "specifier", "product", "desc", "status", "group", "groupId", "marketGuide", "title", "name",
                 "favourite", "outcomes", "mode", "parameters", "farNearOdds", "marketExtendVOS", "sourceType",
                 "lastOddsChangeTime", "earlyPayoutMarkets", "banned")
_EVENT_ORDER = ("eventId", "gameId", "productStatus", "estimateStartTime", "status", "matchStatus", "homeTeamId",
                "homeTeamName", "awayTeamName", "awayTeamId", "sport", "markets", "liveChannel", "webViewLiveChannel",
                "socialMediaLiveChannel", "bookingStatus", "topTeam", "homeTeamIcon", "awayTeamIcon", "commentsNum",
                "topicId", "fixtureVenue", "giftGrabActivityResultVO", "ai", "bgEvent", "matchTrackerNotAllowed",
                "eventSource", "containsPcbb", "banned")
#: 1X2 links its 1UP / 2UP variants; the 1UP/2UP outcomes of the sides carry ``cashOutIsActive``
_UP_IDS = (1, 60200, 60100)
_EXTEND = [{"name": "1UP", "rootMarketId": "1", "nodeMarketId": "60200", "notSupport": False},
           {"name": "2UP", "rootMarketId": "1", "nodeMarketId": "60100", "notSupport": False}]
#: Over/Under lines with an "Early Goals" twin (market 60180), linked both ways by ``earlyPayoutMarkets``
_EARLY = {"total=1.5": "minsnr=10|total=1.5", "total=2.5": "minsnr=30|total=2.5", "total=3.5": "minsnr=50|total=3.5"}
_EARLY_BACK = {v: k for k, v in _EARLY.items()}


def _early(total: str, early: str) -> list[dict[str, Any]]:
    return [{"name": "over_under", "sourceMarketId": "18", "sourceSpecifier": total, "mappedMarketId": "60180",
             "mappedSpecifier": early, "supported": True}]


def _group(inst: InstanceDef) -> str:
    name = inst.spec.name
    if "corner" in name:
        return "Corners"
    if "_1h" in name or "_2h" in name:
        return "Half"
    if inst.outcomes and all(o.bp is not None and " - " in o.bp for o in inst.outcomes):
        return "Combo"
    return "Main" if inst.priority < 10 else "Goals"


def _extra_market_obj(t: SbExtra, inst: InstanceDef, state: InstanceState, changed: int) -> dict[str, Any]:
    m: dict[str, Any] = {"id": t.market_id}
    if t.specifier is not None:
        m["specifier"] = t.specifier
    m.update({
        "product": 3, "desc": t.desc, "status": 1 if state.suspended else 0, "group": t.group,
        "groupId": t.group_id, "marketGuide": guide_text(t.desc), "title": "", "name": t.desc, "favourite": 0,
        "outcomes": [{"id": o.sb_id, "odds": _odds_str(cents), "probability": f"{p:.10f}" if cents else "0E-10",
                      "voidProbability": "0E-10", "isActive": 1 if active else 0, "desc": o.label}
                     for o, p, (cents, active) in zip(inst.outcomes, inst.probs, state.outcomes)],
    })
    m.update(t.extra)
    m.update({"farNearOdds": 0, "sourceType": "BET_RADAR", "lastOddsChangeTime": changed})
    if t.market_id == "60180" and t.specifier in _EARLY_BACK:
        m["earlyPayoutMarkets"] = _early(_EARLY_BACK[t.specifier], t.specifier)
    m["banned"] = False
    return m


def _real_market_obj(inst: InstanceDef, state: InstanceState, tick_seconds: int, appear_tick: int) -> dict[str, Any]:
    """A market object with every field the real page carries (catalogue markets as on light boards plus
    the real groups, guides and links; extras from the real capture's shapes)."""
    t = EXTRA_META.get(inst.spec.name)
    if isinstance(t, SbExtra):
        changed = max(state.version, appear_tick) * tick_seconds * 1000 + h(inst.key, 7) % 60_000
        return _extra_market_obj(t, inst, state, changed)
    m = _market_obj(inst, state, tick_seconds, appear_tick)
    group = _group(inst)
    m["group"], m["groupId"], m["marketGuide"] = group, SB_GROUPS[group], guide_text(m["desc"])
    sid = inst.spec.sportybet_id
    if sid not in _UP_IDS and sid != 18:
        return m  # no optional keys: the light object's key order is the real one
    if sid in _UP_IDS:
        m["marketExtendVOS"] = _EXTEND
        if sid != 1:
            m["outcomes"] = [{**{k: v for k, v in o.items() if k != "desc"}, "cashOutIsActive": o["isActive"],
                              "desc": o["desc"]} if o["id"] != "2" else o for o in m["outcomes"]]
    if sid == 18 and m.get("specifier") in _EARLY:
        m["earlyPayoutMarkets"] = _early(m["specifier"], _EARLY[m["specifier"]])
    return {k: m[k] for k in _MARKET_ORDER if k in m}


# A realistic market object splits into its *frame* — the serialised text around ``status``, ``outcomes`` and
# ``lastOddsChangeTime``, the same for every event's instance of one market type and line — and those three
# values. The frames are kept once per market type and line, each instance only its three values, so the
# fragment cache holds ~40 % of the bytes a whole object per instance would.
_HOLES = ("status", "outcomes", "lastOddsChangeTime")
_MARKS = tuple(f"\u0001{k}\u0001" for k in _HOLES)
_MARKS_JSON = tuple(orjson.dumps(m) for m in _MARKS)
_STATUS_TEXT = (b"0", b"1")
#: a market's pieces: (frame: its four byte strings, shared), status, outcomes, change time (serialised)
Pieces = tuple[tuple[bytes, bytes, bytes, bytes], bytes, bytes, bytes]


def _frame(m: dict[str, Any]) -> tuple[bytes, bytes, bytes, bytes]:
    """The four byte strings of ``m``'s serialisation around its three per-instance values."""
    raw = orjson.dumps({k: (_MARKS[_HOLES.index(k)] if k in _HOLES else v) for k, v in m.items()})
    a, rest = raw.split(_MARKS_JSON[0], 1)
    b, rest = rest.split(_MARKS_JSON[1], 1)
    c, d = rest.split(_MARKS_JSON[2], 1)
    return a, b, c, d


#: an outcome object's text around its odds, probability and isActive: ('{"id":…,"odds":"', whether
#: cashOutIsActive follows isActive, ',"desc":…}')
OutcomeText = tuple[bytes, bool, bytes]
_PROBABILITY = b'","probability":"'
_ACTIVE = b'","voidProbability":"0E-10","isActive":'
_CASH_OUT = b',"cashOutIsActive":'
_FLAG = (b"0", b"1")


def _outcome_texts(inst: InstanceDef, extra: bool) -> list[OutcomeText]:
    """The fixed text of each outcome object of ``inst`` (as ``_real_market_obj`` writes them)."""
    sid = inst.spec.sportybet_id
    up = not extra and sid in _UP_IDS and sid != 1
    out = []
    for o in inst.outcomes:
        desc = o.label if extra else _outcome_desc(inst, o.label, o.bp, inst.spec.outcomes[o.index].sportybet is None)
        out.append((b'{"id":' + orjson.dumps(o.sb_id) + b',"odds":"', up and o.sb_id != "2",
                    b',"desc":' + orjson.dumps(desc) + b"}"))
    return out


def _real_pieces(frames: dict[Any, tuple[tuple[bytes, bytes, bytes, bytes], list[OutcomeText] | None]],
                 inst: InstanceDef, state: InstanceState, tick_seconds: int, appear_tick: int) -> Pieces:
    """A market's pieces. The first instance of a market type and line renders the whole object and keeps
    its frame (and, for catalogue markets, its outcomes' fixed text); later ones write only their values."""
    key = (inst.spec_index, inst.line_q)
    kept = frames.get(key)
    extra = isinstance(EXTRA_META.get(inst.spec.name), SbExtra)
    if kept is None:
        m = _real_market_obj(inst, state, tick_seconds, appear_tick)
        frames[key] = (_frame(m), None if extra else _outcome_texts(inst, False))
        return (frames[key][0], _STATUS_TEXT[m["status"]], compact(orjson.dumps(m["outcomes"])),
                str(m["lastOddsChangeTime"]).encode())
    frame, texts = kept
    if texts is None:  # extras: player outcomes differ per event
        texts = _outcome_texts(inst, True)
    parts = []
    for (head, cash_out, tail), p, (cents, active) in zip(texts, inst.probs, state.outcomes):
        flag = _FLAG[active]
        prob = f"{p:.10f}".encode() if cents or not extra else b"0E-10"
        parts.append(b"".join((head, _odds_str(cents).encode(), _PROBABILITY, prob, _ACTIVE, flag,
                               _CASH_OUT + flag if cash_out else b"", tail)))
    changed = max(state.version, appear_tick) * tick_seconds * 1000 + h(inst.key, 7) % 60_000
    return frame, _STATUS_TEXT[state.suspended], b"[" + b",".join(parts) + b"]", str(changed).encode()


def _join_markets(markets: list[Pieces]) -> orjson.Fragment:
    """The ``markets`` array from its markets' pieces (byte for byte what ``orjson.dumps`` makes of the objects)."""
    flat: list[bytes] = []
    for (a, b, c, d), status, outcomes, changed in markets:
        flat += (b",", a, status, b, outcomes, c, changed, d)
    if flat:
        flat[0] = b"["
    else:
        flat.append(b"[")
    flat.append(b"]")
    return orjson.Fragment(b"".join(flat))


def real_event_dict(sim: Simulator, ev: SimEvent, tick: int) -> dict[str, Any]:
    """``data`` of ``GET factsCenter/event`` on a realistic board: every field of the real page, markets as
    pre-serialised fragments re-rendered only when their instance's state changed."""
    d = _event_head(ev)
    home, _ = ev.team_names("sportybet")
    cache = fragments(sim, "sportybet", tick)
    ts = sim.config.tick_seconds
    appear_tick = ev.appear_at // ts
    frames = cache.shared
    d["markets"] = _join_markets([cache.get(i.key, s, partial(_real_pieces, frames, i, s, ts, appear_tick))
                                  for i, s in sim.event_state("sportybet", ev, tick) if s is not None])
    d.update({
        "liveChannel": False, "webViewLiveChannel": True, "socialMediaLiveChannel": False,
        "homeTeamIcon": f"https://s.sporty.net/common/main/res/{h(ev.k, 3):016x}{h(ev.k, 4):016x}.png",
        "awayTeamIcon": f"https://s.sporty.net/common/main/res/{h(ev.k, 5):016x}{h(ev.k, 6):016x}.png",
        "commentsNum": h(ev.k, 7) % 5, "topicId": 40_000_000 + h(ev.k, 8) % 9_000_000,
        "fixtureVenue": {"name": f"{home} Stadium"},
        "giftGrabActivityResultVO": {"activityEnabled": False, "enabled": False},
        "ai": False, "bgEvent": False, "matchTrackerNotAllowed": False, "containsPcbb": False,
    })
    return {k: d[k] for k in _EVENT_ORDER}


def _event_head(ev: SimEvent) -> dict[str, Any]:
    home, away = ev.team_names("sportybet")
    comp = ev.competition
    sr = str(ev.sr_id)
    return {
        "eventId": f"sr:match:{sr}",
        "gameId": str(10_000 + ev.k % 90_000),
        "productStatus": "0#0",
        "estimateStartTime": ev.kickoff * 1000,
        "status": 0,
        "matchStatus": "Not start",
        "homeTeamId": f"sr:competitor:{300_000 + h(ev.k, 1) % 200_000}",
        "homeTeamName": home,
        "awayTeamName": away,
        "awayTeamId": f"sr:competitor:{300_000 + h(ev.k, 2) % 200_000}",
        "sport": {**_SPORT, "category": {"id": f"sr:category:{comp.sb_category}", "name": comp.country,
                                         "tournament": {"id": f"sr:tournament:{comp.sb_tournament}",
                                                        "name": comp.sb_name}}},
        "eventSource": {"preMatchSource": {"sourceType": "BET_RADAR", "sourceId": sr},
                        "liveSource": {"sourceType": "BET_RADAR", "sourceId": sr}},
        "bookingStatus": "Booked",
        "topTeam": False,
        "banned": False,
    }


def event_dict(sim: Simulator, ev: SimEvent, tick: int) -> dict[str, Any]:
    """``data`` of ``GET factsCenter/event`` for one event."""
    d = _event_head(ev)
    d["markets"] = _markets(sim, ev, tick)
    return d


def _envelope(data: Any, *, biz: int = 10000, message: str = "0#0", kind: str = "other") -> Response:
    return json_response({"bizCode": biz, "message": message, "data": data}, kind=kind)


def handle(sim: Simulator, req: Request, tick: int, fx: Effects) -> Response:
    """Route one SportyBet request."""
    m = _PATH_RE.match(req.path)
    if not m:
        return json_response({"bizCode": 404, "message": "Not Found", "data": None}, status=404)
    cc, op = m.group(1), m.group(2)
    if cc not in _COUNTRIES:
        return Response(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
    if op == "event":
        return _event(sim, req, tick)
    if op == "pcUpcomingEvents":
        return _upcoming(sim, req, tick, fx)
    if op == "popularAndSportList":
        return _sport_list(sim, tick)
    if op == "pcEvents" and req.method == "POST":
        return _pc_events(sim, req, tick, fx)
    return _envelope(None, biz=4000, message="Unsupported operation")


def _event(sim: Simulator, req: Request, tick: int) -> Response:
    eid = req.query.get("eventId", "")
    k = None
    if eid.startswith("sr:match:") and eid[9:].isdigit():
        k = sim.world.find_k_by_sr(int(eid[9:]))
    ev = sim.event_at("sportybet", k, tick)
    if ev is None or req.query.get("productId", "3") != "3":
        return _envelope(None, biz=_NOT_FOUND_BIZCODE, message="Event not found", kind="detail")
    render = real_event_dict if sim.config.realistic else event_dict
    body = sim.detail_body("sportybet", ev, tick, None, lambda: orjson.dumps(
        {"bizCode": 10000, "message": "0#0", "data": render(sim, ev, tick)}))
    return Response(200, body, "application/json", kind="detail")


def _list_event(sim: Simulator, ev: SimEvent, tick: int, market_ids: set[str]) -> dict[str, Any]:
    d = _event_head(ev)
    appear_tick = ev.appear_at // sim.config.tick_seconds
    # only the requested market types are computed: a listing page must not cost 100 full details
    d["markets"] = [_market_obj(i, st, sim.config.tick_seconds, appear_tick)
                    for i in sim.instances("sportybet", ev) if str(i.spec.sportybet_id) in market_ids
                    for st in (sim.model.state(ev, i, "sportybet", tick),) if st is not None]
    return d


def _kept(fx: Effects, ev: SimEvent) -> bool:
    return fx.drop <= 0 or (h(fx.drop_salt, ev.k) >> 11) / 2.0**53 >= fx.drop


def _tournaments(sim: Simulator, events: list[SimEvent], tick: int, market_ids: set[str]) -> list[dict[str, Any]]:
    # consecutive events of one tournament share a group, as the real pages do
    out: list[dict[str, Any]] = []
    for ev in events:
        comp = ev.competition
        tid = f"sr:tournament:{comp.sb_tournament}"
        if not out or out[-1]["id"] != tid:
            out.append({"id": tid, "name": comp.sb_name, "categoryName": comp.country,
                        "categoryId": f"sr:category:{comp.sb_category}", "events": []})
        out[-1]["events"].append(_list_event(sim, ev, tick, market_ids))
    return out


def _upcoming(sim: Simulator, req: Request, tick: int, fx: Effects) -> Response:
    try:
        size = max(1, min(100, int(req.query.get("pageSize", "100"))))
        num = max(1, int(req.query.get("pageNum", "1")))
    except ValueError:
        return _envelope(None, biz=4000, message="Invalid paging", kind="listing")
    market_ids = set((req.query.get("marketId") or "1").split(","))
    events = sim.board("sportybet", tick)
    page = [ev for ev in events[(num - 1) * size: num * size] if _kept(fx, ev)]
    data = {"totalNum": len(events), "tournaments": _tournaments(sim, page, tick, market_ids)}
    return _envelope(data, kind="listing")


def _sport_list(sim: Simulator, tick: int) -> Response:
    cats: dict[int, dict[str, Any]] = {}
    for ev in sim.board("sportybet", tick):
        comp = ev.competition
        cat = cats.setdefault(comp.sb_category, {"id": f"sr:category:{comp.sb_category}", "name": comp.country,
                                                 "eventSize": 0, "tournaments": []})
        cat["eventSize"] += 1
        tid = f"sr:tournament:{comp.sb_tournament}"
        for t in cat["tournaments"]:
            if t["id"] == tid:
                t["eventSize"] += 1
                break
        else:
            cat["tournaments"].append({"id": tid, "name": comp.sb_name, "eventSize": 1})
    total = sum(c["eventSize"] for c in cats.values())
    return _envelope({"sportList": [{**_SPORT, "eventSize": total, "categories": list(cats.values())}]})


def _pc_events(sim: Simulator, req: Request, tick: int, fx: Effects) -> Response:
    try:
        body = orjson.loads(req.body or b"[]")
        wanted = body[0]
        market_ids = set(str(wanted.get("marketId") or "1").split(","))
        tournaments = {t for group in (wanted.get("tournamentId") or []) for t in group}
    except (orjson.JSONDecodeError, IndexError, KeyError, TypeError, AttributeError):
        return _envelope(None, biz=4000, message="Invalid request", kind="listing")
    events = [ev for ev in sim.board("sportybet", tick)
              if f"sr:tournament:{ev.competition.sb_tournament}" in tournaments and _kept(fx, ev)]
    return _envelope(_tournaments(sim, events, tick, market_ids), kind="listing")
