"""Realistic boards against the real captures (../shared/fixtures/real, one event per book) as the oracle.

Per book, a sample of simulated event details: each body within ±25 % of the real body's size; market
instances (counted on the JSON itself, as the real page lists them: BetPawa (market id, row handicap)
pairs, SportyBet market objects, Bet9ja ``KEY[@LINE]`` groups of ``O`` keys) within ±20 % of the
capture's per event and ±10 % on average; every key the real detail has at each level (array items and
map-like dicts merged) present in the sample; the clients parse every body to exactly the ground truth;
two simulators with one seed and time serve identical bytes; light boards stay light.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from odds_assets.clients import parse_event_detailed
from odds_assets.simulator import SimulatorApp

from .conftest import BP_HEADERS, T0, fetch, make_app

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "real"
BOOKS = ("betpawa", "sportybet", "bet9ja")
#: dicts whose keys are data (market keys, lines, translation keys), not field names
MAPS = {"$.D.O", "$.D.AUX", "$.D.AUX.*", "$.D.TRANS"}
SAMPLE = 8


def instance_count(book: str, doc: Any) -> int:
    """Market instances of one event detail, read off the JSON as the book's page lists them."""
    if book == "betpawa":
        return len({(m["marketType"]["id"], r.get("handicap")) for m in doc["markets"] for r in m["row"]})
    if book == "sportybet":
        return len(doc["data"]["markets"])
    return len({key.rpartition("_")[0] for key in doc["D"]["O"]})


def keys_by_level(doc: Any, path: str = "$", acc: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """``path -> keys seen there``, array items merged (``[*]``), map-like dicts' keys wildcarded."""
    acc = {} if acc is None else acc
    if isinstance(doc, dict):
        wild = path in MAPS
        if not wild:
            acc.setdefault(path, set()).update(doc)
        for k, v in doc.items():
            keys_by_level(v, f"{path}.*" if wild else f"{path}.{k}", acc)
    elif isinstance(doc, list):
        for v in doc:
            keys_by_level(v, f"{path}[*]", acc)
    return acc


def _real(book: str) -> bytes:
    return (REAL / f"{book}_event_sr68995116.json").read_bytes()


def _details(app: SimulatorApp, book: str, n: int = SAMPLE) -> list[tuple[int, bytes]]:
    """(SR id, body) of the first ``n`` events of the book's board, fetched through the ASGI app."""
    sim = app.sim
    events = sim.board(book, sim.tick())[:n]
    reqs: list[tuple[str, str, dict[str, Any]]] = []
    for ev in events:
        if book == "betpawa":
            reqs.append(("GET", f"/api/sportsbook/v4/events/{ev.betpawa_id}", {"headers": BP_HEADERS}))
        elif book == "sportybet":
            reqs.append(("GET", "/api/ng/factsCenter/event",
                         {"params": {"eventId": f"sr:match:{ev.sr_id}", "productId": 3}}))
        else:
            reqs.append(("GET", "/desktop/feapi/PalimpsestAjax/GetEvent", {"params": {"EVENTID": ev.bet9ja_id}}))
    out = []
    for ev, r in zip(events, fetch(app, *reqs)):
        assert r.status_code == 200, (book, r.status_code)
        out.append((ev.sr_id, r.content))
    return out


@pytest.fixture(scope="module")
def app() -> SimulatorApp:
    # the default rates: ~1 % of instances suspended or removed per 5 minutes, as on the real pages
    return make_app(events=30)


@pytest.fixture(scope="module")
def details(app: SimulatorApp) -> dict[str, list[tuple[int, bytes]]]:
    return {book: _details(app, book) for book in BOOKS}


@pytest.mark.parametrize("book", BOOKS)
def test_size_and_instances_match_the_real_capture(details: dict[str, list[tuple[int, bytes]]], book: str) -> None:
    real = _real(book)
    real_count = instance_count(book, orjson.loads(real))
    sizes = [len(body) for _, body in details[book]]
    counts = [instance_count(book, orjson.loads(body)) for _, body in details[book]]
    assert all(0.75 * len(real) <= s <= 1.25 * len(real) for s in sizes), (book, len(real), sizes)
    assert all(0.8 * real_count <= c <= 1.2 * real_count for c in counts), (book, real_count, counts)
    assert 0.9 * real_count <= sum(counts) / len(counts) <= 1.1 * real_count, (book, real_count, counts)


@pytest.mark.parametrize("book", BOOKS)
def test_every_key_of_the_real_detail_is_served(details: dict[str, list[tuple[int, bytes]]], book: str) -> None:
    real = keys_by_level(orjson.loads(_real(book)))
    served: dict[str, set[str]] = {}
    for _, body in details[book]:
        keys_by_level(orjson.loads(body), acc=served)
    missing = {path: sorted(keys - served.get(path, set())) for path, keys in real.items()
               if keys - served.get(path, set())}
    assert not missing, (book, missing)


@pytest.mark.parametrize("book", BOOKS)
def test_clients_parse_realistic_details_to_the_truth(app: SimulatorApp,
                                                      details: dict[str, list[tuple[int, bytes]]], book: str) -> None:
    truth = app.sim.ground_truth(book, T0)
    unmapped = 0
    for sr, body in details[book]:
        got = parse_event_detailed(book, body).odds
        want = truth[sr]
        assert got.event == want.event, (book, sr)
        assert frozenset(got.markets) == frozenset(want.markets), (book, sr)
        assert (dict(got.unmapped), got.instances_total) == (dict(want.unmapped), want.instances_total), (book, sr)
        unmapped += sum(want.unmapped.values())
    assert unmapped > 0, book  # the unmapped markets are really there (and counted)


def test_same_seed_and_time_serve_identical_bytes() -> None:
    a, b = make_app(events=12), make_app(events=12)
    for book in BOOKS:
        first, second = _details(a, book, 2), _details(b, book, 2)
        assert first == second, book
    # and again one tick on, after the clock moved on both
    for sim_app in (a, b):
        sim_app.sim.clock.advance(60)
    assert _details(a, "sportybet", 2) == _details(b, "sportybet", 2)


def test_light_boards_keep_catalogue_instances_only() -> None:
    app = make_app(events=12, realistic=False)
    for book in BOOKS:
        for _, body in _details(app, book, 3):
            assert len(body) < 0.5 * len(_real(book)), book
            assert instance_count(book, orjson.loads(body)) < 80, book
