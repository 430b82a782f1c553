"""Bet9ja desktop feapi (``/desktop/feapi/PalimpsestAjax/...``) in its real wire format.

Quirks reproduced: the ``{"R":"OK","D":…}`` envelope (``R:"E"`` for unknown events or groups);
odds as a flat ``O`` dict of ``S_<MARKET>[@<LINE>]_<OUTCOME>`` -> string ("3.1", "19"; "1" when
there is no price); lines listed in ``AUX`` (int for whole lines, float otherwise); market metadata
in ``MK``; ``EXTID`` = SR id; ``STARTDATE`` "YYYY-MM-DD HH:MM:SS" in UTC; ``S_OU`` holds half lines
only and whole/quarter totals sit under ``S_OUA`` (no BetPawa twin, served unmapped).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import orjson

from odds_assets.markets.catalogue import CATALOGUE
from odds_assets.simulator import _real_shapes as shapes
from odds_assets.simulator._hash import h
from odds_assets.simulator._http import Effects, Request, Response, json_response
from odds_assets.simulator.markets import InstanceDef, bet9ja_key, line_str
from odds_assets.simulator.realistic import EXTRA_META, B9Extra, fragments, guide_text, json_fragment

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


# ---------------------------------------------------------------- realistic boards

_CATMARKET = [{"CODE": code, "VALUE": value} for code, value in shapes.B9_CATMARKET]


def _aux_text_value(line: str) -> int | float:
    v = float(line)
    return int(v) if v.is_integer() else v


def _mk_entry(key: str, inst: InstanceDef) -> dict[str, Any]:
    """``MK`` metadata of a key: the real page's (labels, ids, categories) where the capture has the key,
    generated otherwise; the description is generated either way."""
    real = shapes.B9_MK.get(key)
    if real is not None:
        ds, p, vw, gcat, market_id, cnt, cnt_label, outcomes = real
        return {"ID": key, "DS": ds, "MDESC": guide_text(ds), "P": p, "VW": vw, "GCAT": gcat, "MARKETID": market_id,
                "M_PAYOUT": "120", "CNT": cnt, "CNTLABEL": cnt_label, "SGN": [label for _, label in outcomes],
                "SGNK": [suffix for suffix, _ in outcomes]}
    name = inst.spec.name.rsplit("_", 1)[0].replace("_", " ").title()
    return {"ID": key, "DS": name, "MDESC": guide_text(name), "P": str(inst.priority + 1), "VW": "0",
            "GCAT": _GCAT.get(inst.spec.period, "OTHER"), "MARKETID": str(300 + inst.spec_index), "M_PAYOUT": "120",
            "CNT": "G" if inst.line_q is not None else "GR",
            "CNTLABEL": "Goals" if inst.line_q is not None else "Generic Result",
            "SGN": [o.bp or o.label for o in inst.outcomes], "SGNK": [o.label for o in inst.outcomes]}


def _mk_fragment(key: str, inst: InstanceDef) -> orjson.Fragment:
    return json_fragment(_mk_entry(key, inst))


def _trans() -> dict[str, Any]:
    """The translation table every realistic event carries: names and outcome labels of every market the
    real page translates and of every catalogue key, and the counter labels (the same for all events)."""
    out: dict[str, Any] = {}
    for key, (name, mh, outcomes) in shapes.B9_TRANS.items():
        out[f"M#{key}"] = {"NAME": name, "DESC": guide_text(name)}
        for suffix, label, mcu in outcomes:
            out[f"M#{key}_{suffix}"] = label
            if mcu is not None:
                out[f"MCU#{key}_{suffix}"] = mcu
        if mh is not None:
            out[f"MH#{key}"] = mh
    for spec in CATALOGUE:
        ckey = spec.bet9ja_key
        if ckey and f"M#{ckey}" not in out:
            name = spec.name.rsplit("_", 1)[0].replace("_", " ").title()
            out[f"M#{ckey}"] = {"NAME": name, "DESC": guide_text(name)}
            for o in spec.outcomes:
                if o.bet9ja is not None:
                    out[f"M#{ckey}_{o.bet9ja}"] = o.betpawa or o.bet9ja
    for code, label in shapes.B9_CNT.items():
        out[f"CNT#{code}"] = label
    return out


_TRANS: list[Any] = []


def _trans_fragment() -> Any:
    if not _TRANS:
        _TRANS.append(json_fragment(_trans()))
    return _TRANS[0]


def _real_odds(inst: InstanceDef, key: str, line: str | None, outcomes: tuple[tuple[int, bool], ...]) -> bytes:
    # one instance's O entries as JSON object members (no braces), joined with the others' into O
    prefix = key if line is None else f"{key}@{line}"
    return orjson.dumps({f"{prefix}_{o.label}": odds_str(c) for o, (c, _a) in zip(inst.outcomes, outcomes)})[1:-1]


def real_event_dict(sim: Simulator, ev: SimEvent, tick: int) -> dict[str, Any]:
    """``D`` of ``GetEvent`` on a realistic board: every field of the real page, including market metadata
    and the translation table; each instance's ``O`` entries rendered once per state."""
    home, away = ev.team_names("bet9ja")
    comp = ev.competition
    cache = fragments(sim, "bet9ja", tick)
    parts: list[bytes] = []
    aux: dict[str, dict[str, Any]] = {}
    mk: dict[str, Any] = {}
    for inst, state in sim.event_state("bet9ja", ev, tick):
        if state is None:
            continue
        t = EXTRA_META.get(inst.spec.name)
        line: str | None
        if isinstance(t, B9Extra):
            key, line = t.key, t.line
        else:
            key = bet9ja_key(inst)
            line = None if inst.spec.line_kind == "other" or inst.line_q is None else line_str(inst.line_q)
        parts.append(cache.get(inst.key, state, partial(_real_odds, inst, key, line, state.outcomes)))
        if line is not None:
            aux.setdefault(key, {})[line] = _aux_text_value(line)
        if key not in mk:
            mk[key] = cache.get(("MK", key), None, partial(_mk_fragment, key, inst))
    start = _start(ev)
    return {
        "INCTYPE": 0, "ST": 1, "GID": comp.b9_gid, "SPORTCAST_FIXTURE_ID": str(500_000 + h(ev.k, 11) % 100_000),
        "C": ev.bet9ja_code, "STARTDATE": start, "SGID": comp.b9_sgid, "EXTID": str(ev.sr_id),
        "PLAYER_EID": 9_000_000 + h(ev.k, 12) % 1_000_000, "DS": f"{home} - {away}", "SID": 1, "P": 0, "PRV": 1,
        "IS_BOOSTED": False, "IS_BETBUILDER": True, "ENDVISIBILITYDATE": start, "ID": ev.bet9ja_id, "PL": 0,
        "TYPE": 0, "ISSTREAMINGVIDEO": h(ev.k, 13) % 2 == 0, "PLAYER_SID": 301, "GN": comp.b9_name, "GP": 99,
        "SG": comp.country, "S": "Soccer", "O": orjson.Fragment(b"{" + b",".join(parts) + b"}"), "AUX": aux,
        "EXCLUDED_BONUS": [], "BOOSTED_ODDS": [], "BOOSTED_MARKETS": [], "MK": list(mk.values()),
        "CATMARKET": _CATMARKET, "TRANS": _trans_fragment(),
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
        render = real_event_dict if sim.config.realistic else event_dict
        body = sim.detail_body("bet9ja", ev, tick, None,
                               lambda: orjson.dumps({"R": "OK", "D": render(sim, ev, tick)}))
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
