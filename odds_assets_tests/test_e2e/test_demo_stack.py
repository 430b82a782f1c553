"""End to end: the demo stack as a newcomer starts it (embedded PostgreSQL, simulator, dagster-daemon,
dagster-webserver; 1-minute windows), run for 3 windows, then checked through Dagster's GraphQL API,
against the simulator's ground truth, and in a real browser (Debian's chromium driven by Playwright,
no browser download). Screenshots are saved under ``artifacts/e2e/`` (or ``$ODDS_ARTIFACTS_DIR``).
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest

from odds_assets.demo import DemoConfig, start_stack
from odds_assets.models import BOOKMAKER_IDS, BOOKMAKERS, Outcome
from odds_assets.snapshot import canonical_decimal, encode_outcomes

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
WINDOWS = 3
TIMEOUT_S = 330
CHROMIUM = os.environ.get("ODDS_CHROMIUM", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _artifacts() -> Path:
    path = Path(os.environ.get("ODDS_ARTIFACTS_DIR", REPO / "artifacts")) / "e2e"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    state = Path(tempfile.mkdtemp(prefix="odds-e2e-"))
    saved = {k: os.environ.get(k) for k in ("ODDS_DATABASE_URL", "ODDS_STATE_DIR")}
    os.environ.pop("ODDS_DATABASE_URL", None)
    os.environ["ODDS_STATE_DIR"] = str(state)
    config = DemoConfig(state=state, events=40, cadence_minutes=1, ui_port=_free_port(), sim_port=_free_port())
    started = start_stack(config, say=lambda s: print(f"[e2e] {s}"))
    pids = [p.pid for p in started.processes.values()]
    try:
        yield started
    finally:
        started.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        leftovers = [pid for pid in pids if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
        shutil.copytree(state / "logs", _artifacts() / "logs", dirs_exist_ok=True)
        shutil.rmtree(state, ignore_errors=True)
        assert leftovers == [], f"processes left running: {leftovers}"


def _windows_written(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT b.name, count(s.*) FROM bookmakers b LEFT JOIN snapshots s "
                            "ON s.bookmaker = b.id GROUP BY b.name").fetchall()
    return dict(rows)


@pytest.fixture(scope="module")
def after_three_windows(stack):
    deadline = time.monotonic() + TIMEOUT_S
    written: dict[str, int] = {}
    while time.monotonic() < deadline:
        assert not stack.dead(), f"demo processes died: {stack.dead()}"
        written = _windows_written(stack.urls.odds)
        if all(written.get(b, 0) >= WINDOWS for b in BOOKMAKERS):
            return stack
        time.sleep(5)
    pytest.fail(f"not every bookmaker wrote {WINDOWS} windows within {TIMEOUT_S} s: {written}; "
                f"logs in {stack.config.state / 'logs'}")


def _graphql(stack, query: str, variables: dict | None = None) -> dict:
    r = httpx.post(f"{stack.ui_url}/graphql", json={"query": query, "variables": variables or {}}, timeout=60)
    r.raise_for_status()
    body = r.json()
    assert "errors" not in body, body.get("errors")
    return body["data"]


ASSET_NODES = """
{ assetNodes { assetKey { path } isPartitioned
    assetChecksOrError { ... on AssetChecks { checks { name } } } } }
"""
MATERIALIZATIONS = """
query($key: AssetKeyInput!) { assetOrError(assetKey: $key) { ... on Asset {
    assetMaterializations(limit: 200) { partition runId } } } }
"""
CHECK_EXECUTIONS = """
query($key: AssetKeyInput!, $name: String!) {
  assetCheckExecutions(assetKey: $key, checkName: $name, limit: 200) {
    status partition evaluation { severity } } }
"""


def test_every_bookmaker_materialised_with_passing_checks(after_three_windows):
    stack = after_three_windows
    nodes = _graphql(stack, ASSET_NODES)["assetNodes"]
    by_name = {"/".join(n["assetKey"]["path"]): n for n in nodes}
    assert "odds_snapshot" in by_name, sorted(by_name)
    partitioned = [n for n in nodes if n["isPartitioned"]]
    assert partitioned
    for node in partitioned:
        key = {"path": node["assetKey"]["path"]}
        mats = _graphql(stack, MATERIALIZATIONS, {"key": key})["assetOrError"]["assetMaterializations"]
        books = {m["partition"].split("|")[0] for m in mats if m["partition"]}
        assert set(BOOKMAKERS) <= books, (key, books)
        checks = (node.get("assetChecksOrError") or {}).get("checks") or []
        for check in checks:
            execs = _graphql(stack, CHECK_EXECUTIONS, {"key": key, "name": check["name"]})["assetCheckExecutions"]
            assert execs, f"check {check['name']} on {key} never ran"
            failed = [e for e in execs if e["status"] in ("FAILED", "EXECUTION_FAILED")
                      and (e["evaluation"] or {}).get("severity") == "ERROR"]
            assert not failed, f"check {check['name']} on {key} failed with ERROR: {failed[:3]}"


def _truth(stack, book: str, t: datetime) -> dict[int, dict]:
    r = httpx.get(f"{stack.simulator_url}/_sim/truth", params={"book": book, "t": t.isoformat()}, timeout=60)
    r.raise_for_status()
    out = {}
    for ev in r.json()["events"]:
        markets = {}
        for m in ev["markets"]:
            line = None if m["line"] is None else canonical_decimal(Decimal(m["line"]))
            outs = [Outcome(o["name"], None if o["odds"] is None else Decimal(o["odds"]), o["active"])
                    for o in m["outcomes"]]
            markets[(m["market_id"], line)] = encode_outcomes(outs)
        out[ev["sr_event_id"]] = markets
    return out


def test_current_and_history_equal_ground_truth(after_three_windows):
    stack = after_three_windows
    with psycopg.connect(stack.urls.odds) as conn:
        for book in BOOKMAKERS:
            bid = BOOKMAKER_IDS[book]
            times = [r[0] for r in conn.execute(
                "SELECT captured_at FROM snapshots WHERE bookmaker = %s ORDER BY captured_at", (bid,))]
            assert len(times) >= WINDOWS
            for t in times:
                truth = _truth(stack, book, t)
                assert truth, f"{book}: the simulator showed no events at {t}"
                # history as of t, for the events the book showed at t
                rows = conn.execute(
                    "SELECT DISTINCT ON (sr_event_id, market_id, line_hundredths) sr_event_id, market_id, "
                    "odds_line_from_hundredths(line_hundredths)::text, outcomes FROM market_odds_history "
                    "WHERE bookmaker = %s AND captured_at <= %s AND sr_event_id = ANY(%s) "
                    "ORDER BY sr_event_id, market_id, line_hundredths, captured_at DESC",
                    (bid, t, list(truth))).fetchall()
                as_of: dict[int, dict] = {}
                for sr, mid, line, outcomes in rows:
                    if outcomes is not None:
                        as_of.setdefault(sr, {})[(mid, line)] = outcomes
                for sr, markets in truth.items():
                    assert as_of.get(sr, {}) == markets, f"{book} event {sr} at {t}: history != truth"
            # current equals the truth at the latest window
            last = times[-1]
            truth = _truth(stack, book, last)
            rows = conn.execute(
                "SELECT sr_event_id, market_id, line::text, outcomes FROM market_odds_current "
                "WHERE bookmaker = %s AND unavailable_at IS NULL AND sr_event_id = ANY(%s)",
                (bid, list(truth))).fetchall()
            current: dict[int, dict] = {}
            for sr, mid, line, outcomes in rows:
                current.setdefault(sr, {})[(mid, line)] = outcomes
            assert current == {sr: m for sr, m in truth.items() if m}, f"{book}: current != truth at {last}"


def _open(page, url: str) -> None:
    page.goto(url, wait_until="networkidle", timeout=120_000)
    skip = page.get_by_role("button", name="Skip")  # the UI's first-visit "join the community" dialog
    if skip.count():
        skip.first.click()


def test_ui_renders_asset_graph_and_partitions(after_three_windows):
    import re

    from playwright.sync_api import sync_playwright

    stack = after_three_windows
    out = _artifacts()
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            # the asset graph around the snapshot asset: odds_snapshot -> current_odds
            _open(page, f"{stack.ui_url}/assets/odds_snapshot?view=lineage&lineageScope=downstream")
            page.get_by_text("current_odds").first.wait_for(state="visible", timeout=60_000)
            page.get_by_text("odds_snapshot").first.wait_for(state="visible", timeout=60_000)
            page.wait_for_timeout(1500)  # let the graph finish laying out before the picture
            page.screenshot(path=str(out / "asset_graph.png"))
            # the partitions page: bookmaker x window with materialised partitions
            _open(page, f"{stack.ui_url}/assets/odds_snapshot?view=partitions")
            materialized = page.get_by_text(re.compile(r"Materialized \([1-9][0-9]*\)"))
            materialized.first.wait_for(state="visible", timeout=60_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(out / "odds_snapshot_partitions.png"))
            text = page.inner_text("body")
            count = int(re.search(r"Materialized \(([0-9]+)\)", text).group(1))
            assert count >= WINDOWS * len(BOOKMAKERS), text[:500]
            assert all(b in text for b in BOOKMAKERS)
        finally:
            browser.close()
    for name in ("asset_graph.png", "odds_snapshot_partitions.png"):
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
