"""Running the simulator under uvicorn: in the foreground (the CLI) or in a background thread
(tests and benchmarks that need real HTTP on loopback)."""

from __future__ import annotations

import gc
import socket
import threading
import time
from types import TracebackType

import uvicorn

from odds_assets.simulator.app import SimulatorApp

__all__ = ["ServerThread", "free_port", "serve"]


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (good enough on loopback for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _config(app: SimulatorApp, host: str, port: int, log_level: str) -> uvicorn.Config:
    # httptools + uvloop when installed: the parser is most of the per-request cost.
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False,
                          lifespan="off", loop="auto", http="auto", timeout_keep_alive=30)


def serve(app: SimulatorApp, host: str = "127.0.0.1", port: int = 8765, *, log_level: str = "info") -> None:
    """Serve until interrupted (this process is the simulator's own, so it may tune the GC)."""
    # The caches hold millions of small tuples and dicts that live for many ticks; with the default
    # thresholds the cyclic GC rescans them constantly (measured: ~40 % of a cold detail's time).
    # Nothing here builds reference cycles on the hot path, so collect rarely.
    gc.set_threshold(200_000, 50, 100)
    uvicorn.Server(_config(app, host, port, log_level)).run()


class ServerThread:
    """``with ServerThread(app) as base_url:`` — uvicorn on a free loopback port in a daemon thread."""

    def __init__(self, app: SimulatorApp, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.app = app
        self.host = host
        self.port = port or free_port(host)
        # uvicorn (>= 0.29) captures signals only when run in the main thread, so this thread leaves
        # the test process's handlers alone
        self._server = uvicorn.Server(_config(app, host, self.port, "warning"))
        self._thread = threading.Thread(target=self._server.run, name="odds-simulator", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"simulator did not start on {self.base_url}")
            time.sleep(0.02)
        return self.base_url

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
