"""The static checks configured in pyproject.toml pass: ``ruff check`` (lint and import order) and
``mypy`` (the baseline for everything, strict for the modules listed there).

They run here so that the README's test command (``./dev test``, CI's ``.ci/run``) includes them; a
focused run (``pytest odds_assets_tests/test_db``) leaves them out. Both come from the dev dependency
group of the virtual environment running the tests, read their settings from pyproject.toml and keep
their caches under ``.odds/``; mypy takes ~25 s from a cold cache (a fresh clone), ~1 s warm.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = BIN / tool
    if not exe.exists():
        pytest.fail(f"{exe} missing: the dev dependency group is not installed (./dev setup)")
    return subprocess.run([str(exe), *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)


def test_ruff() -> None:
    out = _run("ruff", "check", "--no-fix", "--output-format", "concise")
    assert out.returncode == 0, f"ruff check found problems:\n{out.stdout}{out.stderr}"


def test_mypy() -> None:
    out = _run("mypy")
    assert out.returncode == 0, f"mypy found problems:\n{out.stdout}{out.stderr}"
