"""Bet9ja desktop feapi (``/desktop/feapi/PalimpsestAjax/...``) in its real wire format.

Quirks reproduced: the ``{"R":"OK","D":…}`` envelope (``R:"E"`` for unknown events or groups);
odds as a flat ``O`` dict of ``S_<MARKET>[@<LINE>]_<OUTCOME>`` -> string ("3.1", "19"; "1" when
there is no price); lines listed in ``AUX`` (int for whole lines, float otherwise); market metadata
in ``MK``; ``EXTID`` = SR id; ``STARTDATE`` "YYYY-MM-DD HH:MM:SS" in UTC; ``S_OU`` holds half lines
only and whole/quarter totals sit under ``S_OUA`` (no BetPawa twin, served unmapped).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from odds_assets.simulator._hash import h
from odds_assets.simulator._http import Effects, Request, Response, json_response
from odds_assets.simulator.markets import bet9ja_key, line_str

if TYPE_CHECKING:
    from odds_assets.simulator.engine import Simulator
    from odds_assets.simulator.world import SimEvent

PREFIXES = ("/desktop/feapi/", "/mobile/feapi/")
_GCAT = {"FT": "POPULAR", "1H": "HT", "2H": "2T"}


def odds_str(cents: int) -> str:
    """Bet9ja prints odds without trailing zeros ("3.1", "19"); a missing price is "1"."""
    if cents <= 0:
        return "1"
    whole, frac = divmod(cents, 100)
    if frac == 0:
        return str(whole)
    if frac % 10 == 0:
        return f"{whole}.{frac // 10}"
    return f"{whole}.{frac:02d}"


def _aux_value(q: int) -> int | float:
    return q // 4 if q % 4 == 0 else q / 4.0


def _start(ev: SimEvent) -> str:
    return ev.kickoff_dt.strftime("%Y-%m-%d %H:%M:%S")


def _odds_block(sim: Simulator, ev: SimEvent, tick: int
                ) -> tuple[dict[str, str], dict[str, dict[str, Any]], list[dict[str, Any]]]:
    odds: dict[str, str] = {}
    aux: dict[str, dict[str, Any]] = {}
    mk: dict[str, dict[str, Any]] = {}
    for inst, state in sim.event_state("bet9ja", ev, tick):
        if state is None:
            continue
        key = bet9ja_key(inst)
        # "other" lines (next goal = goal 1) are implied by the key on Bet9ja, never written
        q = None if inst.spec.line_kind == "other" else inst.line_q
        prefix = key if q is None else f"{key}@{line_str(q)}"
        for o, (cents, _active) in zip(inst.outcomes, state.outcomes):
            odds[f"{prefix}_{o.label}"] = odds_str(cents)
        if q is not None:
            aux.setdefault(key, {})[line_str(q)] = _aux_value(q)
        meta = mk.get(key)
        if meta is None:
            name = inst.spec.name.rsplit("_", 1)[0].replace("_", " ").title()
            meta = mk[key] = {
                "ID": key, "DS": name, "MDESC": f"You have to predict the {name} result.",
                "P": str(inst.priority + 1), "VW": "0", "GCAT": _GCAT.get(inst.spec.period, "OTHER"),
                "MARKETID": str(300 + inst.spec_index), "M_PAYOUT": "120",
                "CNT": "G" if q is not None else "GR", "CNTLABEL": "Goals" if q is not None else "Generic Result",
                "SGN": [], "SGNK": [],
            }
        for o in inst.outcomes:
            if o.label not in meta["SGNK"]:
                meta["SGNK"].append(o.label)
                meta["SGN"].append(o.bp or o.label)
    return odds, aux, list(mk.values())


def event_dict(sim: Simulator, ev: SimEvent, tick: int) -> dict[str, Any]:
    """``D`` of ``GetEvent`` for one event."""
    home, away = ev.team_names("bet9ja")
    comp = ev.competition
    odds, aux, mk = _odds_block(sim, ev, tick)
    return {
        "INCTYPE": 0, "ST": 1, "GID": comp.b9_gid, "C": ev.bet9ja_code, "STARTDATE": _start(ev),
        "SGID": comp.b9_sgid, "EXTID": str(ev.sr_id), "DS": f"{home} - {away}", "SID": 1, "P": 0, "PRV": 1,
        "IS_BOOSTED": False, "IS_BETBUILDER": True, "ENDVISIBILITYDATE": _start(ev), "ID": ev.bet9ja_id,
        "PL": 0, "TYPE": 0, "GN": comp.b9_name, "GP": 99, "SG": comp.country, "S": "Soccer",
        "EXCLUDED_BONUS": [], "BOOSTED_ODDS": [], "BOOSTED_MARKETS": [],
        "O": odds, "AUX": aux, "MK": mk,
    }


def _error(message: str, kind: str = "other") -> Response:
    return json_response({"R": "E", "D": None, "M": message}, kind=kind)


def handle(sim: Simulator, req: Request, tick: int, fx: Effects) -> Response:
    """Route one Bet9ja request."""
    path = req.path
    for p in PREFIXES:
        if path.startswith(p):
            op = path[len(p):]
            break
    else:
        return json_response({"R": "E", "D": None}, status=404)
    if op == "PalimpsestAjax/GetSports":
        return _sports(sim, tick)
    if op in ("PalimpsestAjax/GetEventsInGroupV2", "PalimpsestAjax/GetEventsInGroup"):
        return _group(sim, req, tick, fx)
    if op == "PalimpsestAjax/GetEvent":
        k = sim.world.find_k_by_bet9ja(req.query.get("EVENTID", ""))
        ev = sim.event_at("bet9ja", k, tick)
        if ev is None:
            return _error("Event not found", kind="detail")
        body = sim.detail_body("bet9ja", ev, tick, None,
                               lambda: orjson.dumps({"R": "OK", "D": event_dict(sim, ev, tick)}))
        return Response(200, body, "application/json", kind="detail")
    return json_response({"R": "E", "D": None}, status=404)


def _sports(sim: Simulator, tick: int) -> Response:
    sg: dict[str, dict[str, Any]] = {}
    for ev in sim.board("bet9ja", tick):
        comp = ev.competition
        node = sg.setdefault(str(comp.b9_sgid), {"SG_DESC": comp.country, "NUM": 0, "G": {}})
        node["NUM"] += 1
        g = node["G"].setdefault(str(comp.b9_gid), {"G_DESC": comp.b9_name, "NUM": 0})
        g["NUM"] += 1
    total = sum(n["NUM"] for n in sg.values())
    return json_response({"R": "OK", "D": {"PAL": {"1": {"S_DESC": "Soccer", "NUM": total, "SG": sg}}}})


def _group(sim: Simulator, req: Request, tick: int, fx: Effects) -> Response:
    try:
        gid = int(req.query.get("GROUPID", ""))
    except ValueError:
        return _error("Invalid group", kind="listing")
    events = [ev for ev in sim.board("bet9ja", tick) if ev.competition.b9_gid == gid]
    if not events:
        return _error("Group not found", kind="listing")
    if fx.drop > 0:
        events = [ev for ev in events if (h(fx.drop_salt, ev.k) >> 11) / 2.0**53 >= fx.drop]
    items = []
    for ev in events:
        home, away = ev.team_names("bet9ja")
        odds = {}
        for inst in sim.instances("bet9ja", ev):
            if inst.spec.bet9ja_key == "S_1X2":  # the group market (GROUPMARKETID=1) only
                state = sim.model.state(ev, inst, "bet9ja", tick)
                if state is not None:
                    odds = {f"S_1X2_{o.label}": odds_str(c) for o, (c, _a) in zip(inst.outcomes, state.outcomes)}
        items.append({"ID": ev.bet9ja_id, "C": ev.bet9ja_code, "EXTID": str(ev.sr_id), "DS": f"{home} - {away}",
                      "STARTDATE": _start(ev), "SID": 1, "SGID": ev.competition.b9_sgid, "GID": gid, "O": odds})
    return json_response({"R": "OK", "D": {"E": items}}, kind="listing")
