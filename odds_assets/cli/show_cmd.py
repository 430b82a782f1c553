"""``odds show SR_ID [--market M] [--json]``: the three books side by side for one event."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("show", help="one event's books side by side: odds, best price, margins, last changes",
                       description="Current odds of one event at betpawa, sportybet and bet9ja side by side, "
                                   "per market and line, with the best active price, each book's margin and "
                                   "its last change; an event past its kick-off, or a book that no longer lists "
                                   "it, is marked off the board (since when). Reads ODDS_DATABASE_URL or the "
                                   "running embedded server.")
    p.add_argument("sr_event_id", type=int, metavar="SR_ID", help="SportRadar match id")
    p.add_argument("--market", metavar="MARKET", help="only this market: catalogue name (1x2_ft) or BetPawa id")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from odds_assets.trader.data import connect, resolve_market
    from odds_assets.trader.show import load_show, render_json, render_table

    market_id = resolve_market(args.market) if args.market else None
    with connect() as conn:
        data = load_show(conn, args.sr_event_id, market_id)
    if args.json:
        json.dump(render_json(data), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_table(data, market_filter=market_id))
    return 0
