"""Shared fixtures for the client tests: the real captures in ../shared and MockTransport helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
REAL = SHARED / "fixtures" / "real"


def capture(bookmaker: str) -> bytes:
    return (REAL / f"{bookmaker}_event_sr68995116.json").read_bytes()


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.fail(f"real captures not found at {REAL} (../shared must sit beside the repo)")
    return REAL
