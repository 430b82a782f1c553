"""Wire conformance with the real captures (../shared/fixtures/real, SR match 68995116).

Both JSON trees are walked generically, array indices wildcarded (``markets[*]``) and the keys of
the dicts that are really maps wildcarded too (Bet9ja ``O``/``AUX``), giving ``path -> {types}``.
Then:

- every path a parser reads (the paths named in wire-formats.md plus the ``raw_path`` column of
  fixture_expectations.csv, wildcarded) exists in the capture — so the list itself is right — and in
  the simulator's responses, with the same JSON type;
- the simulator invents nothing: every path it emits exists in the capture with a compatible type.

Listing endpoints have no capture; their documented paths are checked against wire-formats.md types.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from odds_assets.simulator import SimulatorApp

from .conftest import BP_HEADERS, bp_listing_query, fetch, make_app

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "real"
BOOKS = ("betpawa", "sportybet", "bet9ja")

#: dicts whose keys are data (market keys, lines), not field names
MAP_PATHS = {"$.D.O", "$.D.E[*].O", "$.D.AUX", "$.D.AUX.*", "$.D.TRANS", "$.D.PAL", "$.D.PAL.*.SG", "$.D.PAL.*.SG.*.G"}

#: paths the parsers read, from wire-formats.md §1.5 / §2.5 / §3.4 (and §4.4 line rules)
DOCUMENTED: dict[str, list[str]] = {
    "betpawa": [
        "$.id", "$.name", "$.startTime", "$.widgets[*].id", "$.widgets[*].type", "$.widgets[*].retention",
        "$.participants[*].id", "$.participants[*].name", "$.participants[*].position",
        "$.competition.id", "$.competition.name", "$.region.id", "$.region.name", "$.category.id",
        "$.category.name", "$.markets[*].marketType.id", "$.markets[*].marketType.name",
        "$.markets[*].marketType.displayName", "$.markets[*].marketType.handicapType",
        "$.markets[*].row[*].handicap", "$.markets[*].row[*].formattedHandicap",
        "$.markets[*].row[*].prices[*].id", "$.markets[*].row[*].prices[*].name",
        "$.markets[*].row[*].prices[*].typeId", "$.markets[*].row[*].prices[*].price",
        "$.markets[*].row[*].prices[*].suspended", "$.markets[*].row[*].prices[*].handicap",
        "$.markets[*].row[*].prices[*].displayName",
    ],
    "sportybet": [
        "$.bizCode", "$.message", "$.data.eventId", "$.data.estimateStartTime", "$.data.status",
        "$.data.matchStatus", "$.data.homeTeamName", "$.data.awayTeamName", "$.data.homeTeamId",
        "$.data.awayTeamId", "$.data.sport.id", "$.data.sport.category.id", "$.data.sport.category.name",
        "$.data.sport.category.tournament.id", "$.data.sport.category.tournament.name",
        "$.data.eventSource.preMatchSource.sourceType", "$.data.eventSource.preMatchSource.sourceId",
        "$.data.markets[*].id", "$.data.markets[*].specifier", "$.data.markets[*].desc",
        "$.data.markets[*].status", "$.data.markets[*].outcomes[*].id", "$.data.markets[*].outcomes[*].desc",
        "$.data.markets[*].outcomes[*].odds", "$.data.markets[*].outcomes[*].isActive",
        "$.data.markets[*].outcomes[*].probability",
    ],
    "bet9ja": [
        "$.R", "$.D.ID", "$.D.C", "$.D.EXTID", "$.D.DS", "$.D.STARTDATE", "$.D.GN", "$.D.SG", "$.D.S",
        "$.D.GID", "$.D.SGID", "$.D.SID", "$.D.O", "$.D.O.*", "$.D.AUX", "$.D.AUX.*.*", "$.D.MK[*].ID",
        "$.D.MK[*].DS", "$.D.MK[*].SGNK[*]", "$.D.MK[*].MARKETID",
    ],
}

PathTypes = dict[str, set[str]]


def _type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


def walk(doc: Any, path: str = "$", acc: PathTypes | None = None) -> PathTypes:
    """``path -> set of JSON types`` with array indices (and map keys) wildcarded."""
    acc = {} if acc is None else acc
    acc.setdefault(path, set()).add(_type(doc))
    if isinstance(doc, dict):
        wild = path in MAP_PATHS
        for k, v in doc.items():
            walk(v, f"{path}.*" if wild else f"{path}.{k}", acc)
    elif isinstance(doc, list):
        for v in doc:
            walk(v, f"{path}[*]", acc)
    return acc


def _csv_paths() -> dict[str, set[str]]:
    """raw_path column -> wildcarded paths ("markets[0].row[1].prices[0].price", "D.O['S_OU@2.5_O']")."""
    out: dict[str, set[str]] = {b: set() for b in BOOKS}
    with open(REAL / "fixture_expectations.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            p = re.sub(r"\[\d+\]", "[*]", row["raw_path"])
            p = re.sub(r"\['[^']*'\]", ".*", p)
            out[row["bookmaker"]].add("$." + p)
    return out


def _capture(book: str) -> PathTypes:
    return walk(orjson.loads((REAL / f"{book}_event_sr68995116.json").read_bytes()))


def _simulated(app: SimulatorApp, book: str, n: int = 25) -> PathTypes:
    sim = app.sim
    reqs: list[tuple[str, str, dict[str, Any]]] = []
    for ev in sim.board(book, sim.tick())[:n]:
        if book == "betpawa":
            reqs.append(("GET", f"/api/sportsbook/v4/events/{ev.betpawa_id}", {"headers": BP_HEADERS}))
        elif book == "sportybet":
            reqs.append(("GET", "/api/ng/factsCenter/event",
                         {"params": {"eventId": f"sr:match:{ev.sr_id}", "productId": 3}}))
        else:
            reqs.append(("GET", "/desktop/feapi/PalimpsestAjax/GetEvent", {"params": {"EVENTID": ev.bet9ja_id}}))
    acc: PathTypes = {}
    for r in fetch(app, *reqs):
        assert r.status_code == 200
        walk(r.json(), acc=acc)
    return acc


@pytest.fixture(scope="module")
def app() -> SimulatorApp:
    # a high status rate so suspended / placeholder shapes appear in the sample too
    return make_app(events=150, status_rate=0.3)


def _compatible(sim_types: set[str], real_types: set[str]) -> bool:
    # null is how both sides say "no line"/"no value"; it is only compatible where the capture has it
    return sim_types <= real_types


@pytest.mark.parametrize("book", BOOKS)
def test_parser_paths_exist_with_the_same_types(app: SimulatorApp, book: str) -> None:
    real, sim = _capture(book), _simulated(app, book)
    paths = set(DOCUMENTED[book]) | _csv_paths()[book]
    assert len(paths) >= 15
    problems = []
    for p in sorted(paths):
        if p not in real:
            problems.append(f"{p}: not in the capture (bad path list)")
        elif p not in sim:
            problems.append(f"{p}: missing in the simulator (capture has {sorted(real[p])})")
        elif not _compatible(sim[p], real[p]):
            problems.append(f"{p}: simulator {sorted(sim[p])} vs capture {sorted(real[p])}")
        elif (real[p] - {"null"}) and not (sim[p] - {"null"}):
            problems.append(f"{p}: simulator only ever sends null")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("book", BOOKS)
def test_simulator_invents_no_fields(app: SimulatorApp, book: str) -> None:
    real, sim = _capture(book), _simulated(app, book)
    extra = {p: sorted(t) for p, t in sim.items() if p not in real or not _compatible(t, real[p])}
    assert not extra, extra


def test_listing_paths_documented_in_wire_formats(app: SimulatorApp) -> None:
    sim = app.sim
    gid = sim.board("bet9ja", sim.tick())[0].competition.b9_gid
    bp, sb, b9, b9s, cats = fetch(
        app,
        ("GET", "/api/sportsbook/v4/events/lists/by-queries", {"params": {"q": bp_listing_query(take=10)},
                                                                "headers": BP_HEADERS}),
        ("GET", "/api/ng/factsCenter/pcUpcomingEvents",
         {"params": {"sportId": "sr:sport:1", "marketId": "1,18", "pageSize": 10, "pageNum": 1}}),
        ("GET", "/desktop/feapi/PalimpsestAjax/GetEventsInGroupV2", {"params": {"GROUPID": gid, "DISP": 0}}),
        ("GET", "/desktop/feapi/PalimpsestAjax/GetSports", {"params": {"DISP": 0}}),
        ("GET", "/api/sportsbook/v4/categories/list/2", {"params": {"includeRegions": "true"},
                                                         "headers": BP_HEADERS}),
    )
    expected = {
        id(bp): {"$.responses[*].responses[*].id": {"string"}, "$.responses[*].responses[*].startTime": {"string"},
                 "$.responses[*].responses[*].participants[*].name": {"string"},
                 "$.responses[*].responses[*].competition.id": {"string"}},
        id(sb): {"$.bizCode": {"int"}, "$.data.totalNum": {"int"},
                 "$.data.tournaments[*].events[*].eventId": {"string"},
                 "$.data.tournaments[*].events[*].estimateStartTime": {"int"},
                 "$.data.tournaments[*].events[*].markets[*].outcomes[*].odds": {"string"}},
        id(b9): {"$.R": {"string"}, "$.D.E[*].ID": {"int"}, "$.D.E[*].C": {"string"}, "$.D.E[*].EXTID": {"string"},
                 "$.D.E[*].DS": {"string"}, "$.D.E[*].STARTDATE": {"string"}, "$.D.E[*].O.*": {"string"}},
        id(b9s): {"$.D.PAL.*.S_DESC": {"string"}, "$.D.PAL.*.SG.*.SG_DESC": {"string"},
                  "$.D.PAL.*.SG.*.G.*.G_DESC": {"string"}, "$.D.PAL.*.SG.*.G.*.NUM": {"int"}},
        id(cats): {"$.withRegions[*].regions[*].competitions[*].competition.id": {"string"}},
    }
    for resp in (bp, sb, b9, b9s, cats):
        assert resp.status_code == 200
        types = walk(resp.json())
        for path, want in expected[id(resp)].items():
            assert types.get(path) == want, (path, types.get(path))
