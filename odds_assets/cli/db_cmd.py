"""``odds db up|down|url|migrate|maintain``: the odds database (embedded unless ODDS_DATABASE_URL)."""

from __future__ import annotations

import argparse
import os
import sys


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("db", help="start/stop the embedded PostgreSQL, print URLs, migrate, maintain partitions")
    dsub = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = dsub.add_parser("up", help="start the embedded server (unless ODDS_DATABASE_URL), create databases, migrate")
    up.set_defaults(func=_up)
    down = dsub.add_parser("down", help="stop the embedded server")
    down.set_defaults(func=_down)
    url = dsub.add_parser("url", help="print the connection URLs (odds, then dagster)")
    url.add_argument("--sqlalchemy", action="store_true", help="print SQLAlchemy URLs (psycopg / psycopg2)")
    url.set_defaults(func=_url)
    mig = dsub.add_parser("migrate", help="apply migrations to the odds database")
    mig.set_defaults(func=_migrate)
    mt = dsub.add_parser("maintain", help="create history partitions ahead and drop expired ones")
    mt.add_argument("--days-ahead", type=int, default=int(os.environ.get("ODDS_PARTITIONS_AHEAD_DAYS", "3")))
    mt.add_argument("--retention-days", type=int, default=int(os.environ.get("ODDS_RETENTION_DAYS", "30")))
    mt.set_defaults(func=_maintain)


def _up(args: argparse.Namespace) -> int:
    from odds_assets.db import migrate
    from odds_assets.db.server import ensure_databases, resolve_urls

    urls = resolve_urls(start=True)
    ensure_databases(urls)
    migrate.upgrade(urls.odds)
    where = "ODDS_DATABASE_URL" if os.environ.get("ODDS_DATABASE_URL") else "embedded PostgreSQL"
    print(f"database up ({where}), migrations at {migrate.current_revision(urls.odds)}", file=sys.stderr)
    print(f"odds:    {urls.odds}")
    print(f"dagster: {urls.dagster}")
    return 0


def _down(args: argparse.Namespace) -> int:
    from odds_assets.db.server import stop_embedded

    if os.environ.get("ODDS_DATABASE_URL"):
        print("ODDS_DATABASE_URL is set: that server is not ours to stop", file=sys.stderr)
        return 0
    stopped = stop_embedded()
    print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running", file=sys.stderr)
    return 0


def _url(args: argparse.Namespace) -> int:
    from odds_assets.db.server import resolve_urls, to_sqlalchemy_url

    urls = resolve_urls(start=False)
    if args.sqlalchemy:
        print(f"odds:    {to_sqlalchemy_url(urls.odds, 'psycopg')}")
        print(f"dagster: {to_sqlalchemy_url(urls.dagster, 'psycopg2')}")
    else:
        print(f"odds:    {urls.odds}")
        print(f"dagster: {urls.dagster}")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from odds_assets.db import migrate
    from odds_assets.db.server import ensure_databases, resolve_urls

    urls = resolve_urls(start=False)
    ensure_databases(urls)
    migrate.upgrade(urls.odds)
    print(f"migrated to {migrate.current_revision(urls.odds)}", file=sys.stderr)
    return 0


def _maintain(args: argparse.Namespace) -> int:
    import psycopg

    from odds_assets.db.partitions import maintain_partitions
    from odds_assets.db.server import resolve_urls

    urls = resolve_urls(start=False)
    with psycopg.connect(urls.odds, autocommit=True) as conn:
        res = maintain_partitions(conn, days_ahead=args.days_ahead, retention_days=args.retention_days)
    print(f"created {len(res.created)} {res.created}, dropped {len(res.dropped)} {res.dropped}, kept {res.kept}"
          + (f"; analytics rows deleted {res.analytics_deleted}" if res.analytics_deleted else ""))
    return 0
