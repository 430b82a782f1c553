"""``odds simulator``: serve the offline BetPawa / SportyBet / Bet9ja simulator on one host and port."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``simulator`` subcommand."""
    p = subparsers.add_parser(
        "simulator", help="serve the offline bookmaker simulator (all three books, one port)",
        description="Serve BetPawa v4, SportyBet factsCenter and Bet9ja feapi from one seeded world. "
                    "Control: GET/POST /_sim/clock, /_sim/faults, /_sim/scenario, GET /_sim/truth?book=…&t=…")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--events", type=int, default=500, help="events on each board at any moment")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--change-rate", type=float, default=0.05,
                   help="share of market instances whose odds change per 5 minutes")
    p.add_argument("--status-rate", type=float, default=0.01,
                   help="share of market instances suspended or removed per 5 minutes")
    p.add_argument("--tick-seconds", type=int, default=60, help="the world is constant within a tick")
    p.add_argument("--markets-per-event", type=int, default=50, help="catalogue instances per event (light boards)")
    p.add_argument("--light", action="store_true",
                   help="light boards (about --markets-per-event catalogue instances per event) instead of the "
                        "realistic ones (real-sized details with the real pages' unmapped markets and fields)")
    p.add_argument("--absent-rate", type=float, default=0.05,
                   help="share of events SportyBet / Bet9ja do not list")
    p.add_argument("--horizon-hours", type=float, default=72.0)
    p.add_argument("--betpawa-price-key", choices=("price", "odds"), default="price")
    p.add_argument("--faults", default=None,
                   help='e.g. "betpawa:429=0.05,latency=10-50;bet9ja:403=0.1" or a JSON object')
    p.add_argument("--scenario", default=None,
                   help='planted facts for the analytics: a JSON object (\'{}\' or "on" = every default), '
                        'e.g. \'{"betpawa_lag_minutes": 5, "margins": {"betpawa": 0.06}}\'; default: none')
    p.add_argument("--slow-seconds", type=float, default=30.0, help="delay of the 'slow' fault")
    p.add_argument("--freeze-at", default=None, help="start with the clock frozen (epoch seconds or ISO-8601)")
    p.add_argument("--no-warm", dest="warm", action="store_false",
                   help="do not render every detail once from the first request on (by default the server does, "
                        "between requests, so the first scrapes meet the steady state a real bookmaker's is in)")
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    # imported here so `odds --help` stays fast and does not need uvicorn
    from odds_assets.simulator import SimulatorConfig, create_app, parse_faults, parse_scenario, parse_time, serve

    parse_faults(args.faults)  # fail fast on a bad spec, before binding the port
    parse_scenario(args.scenario)
    config = SimulatorConfig(
        seed=args.seed, events=args.events, tick_seconds=args.tick_seconds, change_rate=args.change_rate,
        status_rate=args.status_rate, horizon_hours=args.horizon_hours, absent_rate=args.absent_rate,
        markets_per_event=args.markets_per_event, betpawa_price_key=args.betpawa_price_key,
        faults=args.faults, scenario=args.scenario, slow_seconds=args.slow_seconds,
        frozen_at=parse_time(args.freeze_at) if args.freeze_at else None, realistic=not args.light,
        warm=args.warm,
    )
    print(f"odds simulator: http://{args.host}:{args.port}  (seed {args.seed}, {args.events} events per board, "
          f"{'light' if args.light else 'realistic'} boards)")
    serve(create_app(config), args.host, args.port, log_level=args.log_level)
    return 0
