"""``odds web [--host 127.0.0.1] [--port 8080] [--dagster-url URL]``: the traders' board in a browser."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("web", help="the traders' board in a browser (read-only)",
                       description="Serve the traders' board: upcoming events with the three books side by side, "
                                   "each event's markets, price paths, freshness, live updates; JSON and CSV "
                                   "under /api/. Reads the odds database (ODDS_DATABASE_URL or the running "
                                   "embedded server) as the read-only role odds_web, or ODDS_WEB_DATABASE_URL. "
                                   "A non-loopback --host needs ODDS_WEB_TOKEN.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--dagster-url", metavar="URL",
                   help="the Dagster UI's address (e.g. http://127.0.0.1:3000), to link each book's freshness to "
                        "its current_odds partitions")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from odds_assets.web.serve import serve

    serve(args.host, args.port, dagster_url=args.dagster_url)
    return 0
