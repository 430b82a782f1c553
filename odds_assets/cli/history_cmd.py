"""``odds history SR_ID --market M [--line L] [--since T] [--until T] [--json] [--plot out.png]``: each
book's price path for one market line of one event."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone


def _timestamp(text: str) -> datetime:
    """ISO 8601 date or time; naive values are UTC (the database's and the tables' zone)."""
    try:
        ts = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r} (e.g. 2026-11-24T12:00Z)") from None
    return ts.replace(tzinfo=timezone.utc) if ts.utcoffset() is None else ts.astimezone(timezone.utc)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("history", help="each book's price path for one market line of one event",
                       description="The changes of one market line of one event at each book, from "
                                   "market_odds_history (view odds_price_path): a table, JSON or a chart.")
    p.add_argument("sr_event_id", type=int, metavar="SR_ID", help="SportRadar match id")
    p.add_argument("--market", required=True, metavar="MARKET",
                   help="catalogue name (1x2_ft, over_under_ft) or BetPawa market id")
    p.add_argument("--line", metavar="L", help="the line (2.5, -0.25, 0; 'none' for no line); required when "
                                               "the market has several")
    p.add_argument("--since", type=_timestamp, metavar="TIME", help="from this time (ISO 8601, UTC if naive)")
    p.add_argument("--until", type=_timestamp, metavar="TIME", help="up to this time, inclusive")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    p.add_argument("--plot", metavar="OUT.png", help="also draw the price path per book to this PNG")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from odds_assets.trader.data import TraderError, connect, parse_line, resolve_market
    from odds_assets.trader.history import load_history, render_json, render_table

    market_id = resolve_market(args.market)
    line = parse_line(args.line) if args.line is not None else None
    if args.since and args.until and args.since > args.until:
        raise TraderError(f"--since {args.since.isoformat()} is after --until {args.until.isoformat()}")
    with connect() as conn:
        data = load_history(conn, args.sr_event_id, market_id, line, args.line is not None, args.since, args.until)
    if args.json:
        json.dump(render_json(data), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_table(data))
    if args.plot:
        from odds_assets.trader.plot import plot_price_path

        out = plot_price_path(data, args.plot)
        print(f"price path written to {out}", file=sys.stderr)
    return 0
