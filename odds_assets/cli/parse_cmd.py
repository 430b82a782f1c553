"""``odds parse``: normalise one saved event-detail response and print one JSON line per outcome."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from odds_assets.errors import OddsAssetsError
from odds_assets.models import BOOKMAKERS, EventOdds

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "parse", help="normalise one event-detail response (JSON lines, one per outcome)",
        description="Print {bookmaker, sr_event_id, market_id, line, outcome, odds, active} per outcome.")
    parser.add_argument("--bookmaker", required=True, choices=BOOKMAKERS)
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.set_defaults(func=run)


def outcome_lines(odds: EventOdds) -> list[bytes]:
    """One JSON object per outcome; line and odds as decimal strings (line null when none)."""
    event = odds.event
    out = []
    for market in odds.markets:
        line = None if market.line is None else str(market.line)
        for outcome in market.outcomes:
            out.append(orjson.dumps({
                "bookmaker": event.bookmaker, "sr_event_id": event.sr_event_id,
                "market_id": market.market_id, "line": line, "outcome": outcome.name,
                "odds": None if outcome.odds is None else str(outcome.odds), "active": outcome.active,
            }))
    return out


def run(args: argparse.Namespace) -> int:
    from odds_assets.clients import parse_event

    try:
        body = args.file.read_bytes()
    except OSError as exc:
        print(f"odds parse: {exc}", file=sys.stderr)
        return 2
    try:
        odds = parse_event(args.bookmaker, body)
    except OddsAssetsError as exc:
        print(f"odds parse: {args.file}: {exc}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(b"".join(line + b"\n" for line in outcome_lines(odds)))
    return 0
