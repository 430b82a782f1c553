"""The ``odds`` command. Each subcommand lives in its own module here and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (returning an exit code)."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

__all__ = ["main"]

# Subcommand modules, in the order `odds --help` lists them.
_COMMAND_MODULES = ("demo", "db", "simulator", "parse", "coverage", "show", "history", "web")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="odds", description="odds_assets: football pre-match odds pipeline")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _COMMAND_MODULES:
        modname = f"{__name__}.{name}_cmd"
        if importlib.util.find_spec(modname) is None:
            continue  # a subcommand still being built
        importlib.import_module(modname).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from odds_assets.errors import OddsAssetsError

    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except OddsAssetsError as exc:
        print(f"odds {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
