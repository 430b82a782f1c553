"""``odds coverage``: mapping coverage per book over saved event-detail responses."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from odds_assets.errors import OddsAssetsError
from odds_assets.models import BOOKMAKERS

__all__ = ["detect_bookmaker", "register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "coverage", help="market-mapping coverage per book over event-detail responses",
        description="twin%% = mapped share of instances whose BetPawa twin exists for the same event; "
                    "all%% = mapped share of all instances; bp%% = BetPawa instances with a mapped twin.")
    parser.add_argument("files", type=Path, nargs="+", metavar="FILE")
    parser.set_defaults(func=run)


def detect_bookmaker(path: Path, body: bytes) -> str | None:
    """The book of a saved response: from the file name, else from the envelope's shape."""
    for book in BOOKMAKERS:
        if book in path.name.lower():
            return book
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if isinstance(doc, dict):
        if "bizCode" in doc:
            return "sportybet"
        if "R" in doc and "D" in doc:
            return "bet9ja"
        if "widgets" in doc or "markets" in doc:
            return "betpawa"
    return None


def run(args: argparse.Namespace) -> int:
    from odds_assets.clients import parse_event_detailed
    from odds_assets.markets.coverage import coverage, format_table
    from odds_assets.markets.normalise import ParsedEvent

    parsed: dict[str, list[ParsedEvent]] = {}
    status = 0
    for path in args.files:
        try:
            body = path.read_bytes()
        except OSError as exc:
            print(f"odds coverage: {exc}", file=sys.stderr)
            status = 2
            continue
        book = detect_bookmaker(path, body)
        if book is None:
            print(f"odds coverage: {path}: cannot tell which bookmaker this is", file=sys.stderr)
            status = 2
            continue
        try:
            parsed.setdefault(book, []).append(parse_event_detailed(book, body))
        except OddsAssetsError as exc:
            print(f"odds coverage: {path}: {exc}", file=sys.stderr)
            status = 1
    rows = coverage({b: parsed[b] for b in BOOKMAKERS if b in parsed})
    print(format_table(rows))
    return status
