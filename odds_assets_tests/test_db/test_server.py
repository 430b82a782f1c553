"""The embedded PostgreSQL: `odds db up/url/down` leave no process behind, and a SIGKILLed owner's stale
handle does not keep the server from being found, reused and stopped."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psutil
import psycopg

from odds_assets.db.server import start_embedded, stop_embedded


def _postgres_processes(pgdata) -> list[psutil.Process]:
    out = []
    for p in psutil.process_iter(["name", "cmdline"]):
        try:
            if p.info["name"] == "postgres" and str(pgdata) in " ".join(p.info["cmdline"] or []):
                out.append(p)
        except psutil.Error:
            pass
    return out


def _odds(*args, env):
    return subprocess.run([sys.executable, "-m", "odds_assets.cli", *args], env=env, capture_output=True,
                          text=True, timeout=180)


def test_cli_db_up_url_down(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("ODDS_DATABASE_URL",)}
    env["ODDS_STATE_DIR"] = str(tmp_path / "state")
    up = _odds("db", "up", env=env)
    assert up.returncode == 0, up.stderr
    url = _odds("db", "url", env=env)
    assert url.returncode == 0
    odds_url = url.stdout.split()[1]
    with psycopg.connect(odds_url) as conn:
        from odds_assets.db.migrate import head_revision

        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)
        assert conn.execute("SELECT count(*) FROM bookmakers").fetchone() == (3,)
    assert "dagster:" in url.stdout
    pgdata = tmp_path / "state" / "pgdata"
    assert _postgres_processes(pgdata)
    down = _odds("db", "down", env=env)
    assert down.returncode == 0
    assert _postgres_processes(pgdata) == []
    # url of a stopped server is a clear error, not a traceback
    url = _odds("db", "url", env=env)
    assert url.returncode == 2 and "not running" in url.stderr and "Traceback" not in url.stderr


def test_stale_handle_of_a_killed_owner_is_pruned(tmp_path):
    pgdata = tmp_path / "pgdata"
    server = start_embedded(pgdata)
    # a previous owner was SIGKILLed: its PID stays in the wheel's handle list
    (pgdata / ".handle_pids.json").write_text(json.dumps([2_000_000_000]))
    again = start_embedded(pgdata)  # finds the running server instead of starting a second one
    assert again.pid == server.pid
    assert stop_embedded(pgdata)
    assert _postgres_processes(pgdata) == []
    # restart after a stop works, data kept
    server = start_embedded(pgdata)
    with psycopg.connect(server.url("postgres")) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    stop_embedded(pgdata)
    assert _postgres_processes(pgdata) == []
