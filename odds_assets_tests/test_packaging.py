"""The built wheel works outside the repository: it holds the package's data files (migrations, SQL,
Dagster instance settings, ``py.typed``), and installed into a fresh virtual environment, run from a
folder that is not a checkout, ``odds db up`` starts the embedded PostgreSQL and applies every
migration, ``odds db migrate`` is idempotent, the code location loads, and ``odds db down`` stops it.

The wheel's dependencies are pinned to ``uv.lock`` (``uv export``), so the install takes what
``./dev`` synced into uv's cache instead of resolving against the registry again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import psycopg
import pytest

from odds_assets.db.migrate import head_revision

REPO_ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.timeout(600)


def _uv() -> str:
    """The uv that ``./dev`` installs (``.odds/bootstrap``), else one on PATH; never a silent skip."""
    bootstrap = REPO_ROOT / ".odds" / "bootstrap" / "bin" / "uv"
    found = str(bootstrap) if bootstrap.exists() else shutil.which("uv")
    if not found:
        pytest.fail("uv not found: run ./dev setup (it installs uv into .odds/bootstrap)")
    return found


def _run(argv: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    out = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=timeout)
    assert out.returncode == 0, f"{' '.join(map(str, argv))} exited {out.returncode}:\n{out.stdout}\n{out.stderr}"
    return out


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _run([_uv(), "build", "--wheel", "--out-dir", dist, REPO_ROOT], cwd=dist)
    (found,) = dist.glob("odds_assets-*.whl")
    return found


def test_wheel_holds_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    in_repo = {p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "odds_assets").rglob("*")
               if p.is_file() and p.suffix in (".sql", ".mako", ".yaml", ".typed")}
    assert {"odds_assets/py.typed", "odds_assets/dagster.yaml", "odds_assets/db/migrations/script.py.mako"} <= in_repo
    assert in_repo <= names, sorted(in_repo - names)
    migrations = {p.relative_to(REPO_ROOT).as_posix()
                  for p in (REPO_ROOT / "odds_assets" / "db" / "migrations").rglob("*.py")}
    assert "odds_assets/db/migrations/env.py" in migrations and len(migrations) > 4
    assert migrations <= names, sorted(migrations - names)
    assert not any(n.startswith(("migrations/", "odds_assets_tests/", "benchmarks/")) for n in names)


def test_installed_wheel_runs_the_database_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    uv = _uv()
    venv = tmp_path / "venv"
    work = tmp_path / "elsewhere"  # the cwd of every command: not a checkout, nothing of the repo in it
    work.mkdir()
    constraints = tmp_path / "constraints.txt"
    _run([uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet",
          "--output-file", constraints], cwd=REPO_ROOT)
    started = time.monotonic()
    _run([uv, "venv", "--quiet", "--python", sys.executable, venv], cwd=work)
    _run([uv, "pip", "install", "--quiet", "--python", venv / "bin" / "python", "--constraints", constraints,
          wheel], cwd=work)
    print(f"wheel installed into a fresh venv in {time.monotonic() - started:.1f} s")

    # Only the installed wheel may be imported: no PYTHONPATH, no ODDS_DATABASE_URL (embedded server).
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "ODDS_DATABASE_URL", "ODDS_DAGSTER_DATABASE_URL")
           and not k.startswith("DAGSTER_")}
    env["ODDS_STATE_DIR"] = str(tmp_path / "state")
    env["DAGSTER_HOME"] = str(tmp_path / "dagster")
    bindir = venv / "bin"
    where = _run([bindir / "python", "-c", "import odds_assets; print(odds_assets.__file__)"], cwd=work, env=env)
    assert where.stdout.strip().startswith(str(venv)), where.stdout

    try:
        up = _run([bindir / "odds", "db", "up"], cwd=work, env=env, timeout=180)
        assert f"migrations at {head_revision()}" in up.stderr, up.stderr
        _run([bindir / "odds", "db", "migrate"], cwd=work, env=env)  # idempotent
        url = _run([bindir / "odds", "db", "url"], cwd=work, env=env).stdout.split()[1]
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
            assert conn.execute("SELECT count(*) FROM bookmakers").fetchone() == (3,)
        # what `odds demo` does with the installed package: its DAGSTER_HOME settings and the code
        # location loaded by module (no workspace.yaml)
        _run([bindir / "python", "-c", "import os, pathlib; from odds_assets.dagster_home import "
              "prepare_dagster_home; prepare_dagster_home(pathlib.Path(os.environ['DAGSTER_HOME']))"],
             cwd=work, env=env)
        assert "max_concurrent_runs" in (tmp_path / "dagster" / "dagster.yaml").read_text()
        bare = tmp_path / "bare-home"  # no storage configured: nothing to connect to
        bare.mkdir()
        _run([bindir / "dagster", "definitions", "validate", "-m", "odds_assets.definitions"], cwd=work,
             env={**env, "DAGSTER_HOME": str(bare)})
    finally:
        down = subprocess.run([bindir / "odds", "db", "down"], cwd=work, env=env, capture_output=True,
                              text=True, timeout=120)
    assert down.returncode == 0 and "embedded PostgreSQL stopped" in down.stderr, down.stderr
