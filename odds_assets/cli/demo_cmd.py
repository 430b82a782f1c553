"""``odds demo [down]``: the offline demo — embedded PostgreSQL, simulator, Dagster UI and daemon, the
traders' board."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="run the offline demo (Ctrl-C stops it); `odds demo down` stops one")
    p.add_argument("action", nargs="?", choices=["up", "down"], default="up")
    p.add_argument("--events", type=int, default=300, help="simulated events per book (default 300)")
    p.add_argument("--cadence", type=int, default=1, help="scrape cadence in minutes (default 1)")
    p.add_argument("--port", type=int, default=3000, help="Dagster UI port (default 3000)")
    p.add_argument("--sim-port", type=int, default=8765, help="simulator port (default 8765)")
    p.add_argument("--web-port", type=int, default=None,
                   help="the traders' board's port (default 8080, or a free one when 8080 is taken)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--faults", default=None, help="simulator fault spec, e.g. 'betpawa:429=0.1'")
    p.add_argument("--state-dir", type=Path, default=None, help="state folder (default ODDS_STATE_DIR or .odds)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from odds_assets.db.server import state_dir
    from odds_assets.demo import DemoConfig, run_foreground, stop_recorded_stack

    state = (args.state_dir or state_dir()).resolve()
    if args.action == "down":
        stopped = stop_recorded_stack(state, say=lambda s: print(f"==> {s}"))
        print("==> stopped" if stopped else "==> no demo recorded in " + str(state))
        return 0
    config = DemoConfig(state=state, events=args.events, cadence_minutes=args.cadence, ui_port=args.port,
                        sim_port=args.sim_port, web_port=args.web_port, seed=args.seed, faults=args.faults)
    return run_foreground(config)
