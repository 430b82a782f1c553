"""CSV exports, written from the JSON the API returns for the same request, so the two always agree: one
row per quote (board and event: event/market/line × outcome × book), one per price change (path).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

__all__ = ["BOARD_COLUMNS", "EVENT_COLUMNS", "PATH_COLUMNS", "board_rows", "event_rows", "path_rows", "to_csv"]

BOARD_COLUMNS = ("sr_event_id", "kickoff", "competition", "country", "home", "away", "market", "line", "outcome",
                 "bookmaker", "odds", "state", "margin_pct", "best_competitor_odds", "betpawa_vs_market")
EVENT_COLUMNS = ("sr_event_id", "market_id", "market", "line", "outcome", "bookmaker", "odds", "state",
                 "best_odds", "best_bookmakers", "margin_pct", "last_changed_at", "betpawa_vs_market")
PATH_COLUMNS = ("sr_event_id", "market_id", "line", "bookmaker", "outcome", "captured_at", "odds", "state")


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The header and rows as CSV text (``None`` is an empty field)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue()


def board_rows(board: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """``/api/board`` JSON → one row per event × key market × outcome × book."""
    markets = {m["key"]: m for m in board["markets"]}
    for ev in board["events"]:
        head = (ev["sr_event_id"], ev["kickoff"], ev["competition"], ev["country"], ev["home"], ev["away"])
        for key, m in ev["markets"].items():
            for o in m["outcomes"]:
                for book, q in o["books"].items():
                    yield (*head, key, markets[key]["line"], o["outcome"], book, q["odds"], q["state"],
                           m["margin_pct"][book], o["best_competitor"]["odds"], o["betpawa_vs_market"])


def event_rows(event: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """``/api/event/{sr_id}`` JSON → one row per market × line × outcome × book."""
    sr = event["event"]["sr_event_id"]
    for m in event["markets"]:
        for lb in m["lines"]:
            for o in lb["outcomes"]:
                for book, q in o["books"].items():
                    yield (sr, m["market_id"], m["name"], lb["line"], o["outcome"], book, q["odds"], q["state"],
                           o["best_odds"], " ".join(o["best_bookmakers"]), lb["margin_pct"][book],
                           lb["last_changed_at"][book], o["betpawa_vs_market"])


def path_rows(path: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """``/api/path/…`` JSON → one row per book × outcome × change."""
    sr = path["event"]["sr_event_id"]
    for p in path["paths"]:
        for pt in p["points"]:
            yield (sr, path["market_id"], p["line"], p["bookmaker"], p["outcome"], pt["captured_at"], pt["odds"],
                   pt["state"])
