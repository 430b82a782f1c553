"""Backfill: 6 windows × 3 bookmakers re-derived from the archive (no network) as one range run per
bookmaker for each asset (what Dagster makes of a single-run backfill of a multi-partitioned asset),
into an empty database, twice: the history is identical, and equals the ground truth window by window."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from odds_assets.defs.common.partitions import partition_key
from odds_assets.models import BOOKMAKERS

from ..conftest import drop_database, make_database
from ..factories import scalar
from ._dagster import materializations, meta
from .conftest import STEP, T0, Pipeline, history_as_of, history_rows, make_defs, truth_markets


def test_backfill_from_archive_twice_gives_identical_history(pipeline: Pipeline, pg_admin_url: str,
                                                             odds_template_url: str) -> None:
    windows = [T0 + k * STEP for k in range(6)]
    for w in windows:
        pipeline.scrape_all(w)  # live scrapes: archived, never written
    pipeline.app.sim.faults.set({"*": {"500": 1.0}})  # from here on the network would fail
    pipeline.at(windows[-1] + 10 * STEP)

    url = make_database(pg_admin_url, odds_template_url)
    try:
        p = Pipeline(make_defs(pipeline.settings, pipeline.archive_url, url, pipeline.sim_url), pipeline.instance,
                     pipeline.app, pipeline.sim_url, pipeline.archive_url, url, pipeline.settings)

        def backfill() -> list:
            for job in ("scrape_odds_job", "write_odds_job"):
                for book in BOOKMAKERS:
                    tags = {"dagster/asset_partition_range_start": str(partition_key(book, windows[0])),
                            "dagster/asset_partition_range_end": str(partition_key(book, windows[-1]))}
                    result = p.defs.resolve_job_def(job).execute_in_process(instance=p.instance, tags=tags)
                    assert result.success
                    mats = materializations(result)
                    assert len(mats) == len(windows)  # one per window, recorded per partition
                    if job == "scrape_odds_job":
                        per_window = meta(mats[0])["per_window"]
                        assert all(w["source"] == "archive" for w in per_window)
            with p.conn() as conn:
                return history_rows(conn)

        first = backfill()
        second = backfill()
        assert first and first == second
        with p.conn() as conn:
            for book in BOOKMAKERS:
                for w in windows:
                    t = w + timedelta(seconds=30)
                    truth = truth_markets(p.app, book, t)
                    assert history_as_of(conn, book, t, {sr for sr, *_ in truth}) == truth
    finally:
        drop_database(pg_admin_url, url)


# ---- backfill after a mapping improvement, over a database that already holds later windows ----

@contextmanager
def _mapping_without(market_id: int) -> Iterator[None]:
    """The parsers as they were before market ``market_id`` was mapped (the cached spec tables the
    parsers read, with every spec of that BetPawa id taken out; restored afterwards)."""
    from odds_assets.markets import normalise

    by_id = [normalise.betpawa_specs(), normalise.sportybet_specs()]  # one spec per id
    by_key = normalise.bet9ja_specs()  # a Bet9ja key can be shared: a list of specs
    saved_by_id, saved_by_key = [dict(t) for t in by_id], dict(by_key)
    try:
        for table in by_id:
            for mid, spec in list(table.items()):
                if spec.betpawa_id == market_id:
                    del table[mid]
        for key, specs in list(by_key.items()):
            kept = [s for s in specs if s.betpawa_id != market_id]
            if kept:
                by_key[key] = kept
            else:
                del by_key[key]
        yield
    finally:
        for table, old in zip(by_id, saved_by_id):
            table.clear()
            table.update(old)
        by_key.clear()
        by_key.update(saved_by_key)


def _model_board(truth: dict, complete: set[int], drop_market: int | None) -> dict:
    """The simulator's ground truth in the reference model's form, for the events the scrape read
    completely, after the scrape's price quarantine (1.01-1000: an outcome outside loses its price and
    turns inactive), without ``drop_market`` (the old mapping)."""
    lo, hi = Decimal("1.01"), Decimal("1000")
    board = {}
    for sr, eo in truth.items():
        if sr not in complete:
            continue
        e = eo.event
        meta = {"bookmaker_event_id": e.bookmaker_event_id, "home": e.home, "away": e.away,
                "kickoff": e.kickoff, "competition": e.competition, "country": e.country}
        markets = {}
        for m in eo.markets:
            if m.market_id == drop_market:
                continue
            markets[(m.market_id, m.line)] = tuple(
                (o.name, None, False) if o.odds is not None and not (lo <= o.odds <= hi) else
                (o.name, o.odds, o.active) for o in m.outcomes)
        board[sr] = (meta, markets)
    return board


def test_backfill_after_a_mapping_change_over_later_windows_equals_the_model(pipeline: Pipeline) -> None:
    """Six windows scraped and written live with a mapping that lacks O/U (5000); the mapping is fixed
    and windows 1-3 are backfilled from the archive while windows 4-5 stay as written: the database
    ends as applying the latest version of every window once, in order, would leave it — history row
    by row, and current with its timestamps — computed by the independent reference model from the
    simulator's ground truth."""
    from odds_assets.archive import Archive
    from odds_assets.models import BOOKMAKER_IDS
    from odds_assets_tests.test_db.reference_model import ReferenceModel
    from odds_assets_tests.test_db.test_engine_model import db_current, db_history

    windows = [T0 + k * STEP for k in range(6)]
    with _mapping_without(5000):
        for w in windows:
            pipeline.scrape_all(w)
            for book in BOOKMAKERS:
                pipeline.write(book, w)
    archive = Archive(pipeline.archive_url)
    with pipeline.conn() as conn:
        assert scalar(conn, "SELECT count(*) FROM market_odds_history WHERE market_id = 5000") == 0
    pipeline.app.sim.faults.set({"*": {"500": 1.0}})  # a backfill never touches the network
    pipeline.at(windows[-1] + 10 * STEP)
    redo = windows[1:4]
    for job in ("scrape_odds_job", "write_odds_job"):
        for book in BOOKMAKERS:
            tags = {"dagster/asset_partition_range_start": str(partition_key(book, redo[0])),
                    "dagster/asset_partition_range_end": str(partition_key(book, redo[-1]))}
            assert pipeline.defs.resolve_job_def(job).execute_in_process(
                instance=pipeline.instance, tags=tags).success

    model = ReferenceModel()
    for book in BOOKMAKERS:
        for w in windows:
            snap = archive.window(book, w).read_snapshot()  # which events were read completely, and when
            truth = pipeline.app.sim.ground_truth(book, snap.captured_at.timestamp())
            complete = set(snap.events["sr_event_id"].tolist())
            model.apply(BOOKMAKER_IDS[book], snap.captured_at,
                        _model_board(truth, complete, None if w in redo else 5000))
    with pipeline.conn() as conn:
        expected = model.history()
        assert any(k[2] == 5000 for k in expected)  # the backfill brought the new market in
        assert db_history(conn) == expected
        assert db_current(conn) == {
            k: (r.outcomes, r.available, r.first_seen_at, r.last_updated_at, r.unavailable_at, r.last_confirmed_at)
            for k, r in model.current().items()}
