"""The traders' board: a read-only web server (FastAPI) over the odds database, no Dagster.

    app        create_app: pages, API, static files, errors, middleware
    routes     the pages (/, /event/…, /path/…) and their JSON/CSV twins under /api/, the live stream
    board      the board's data: key markets side by side, read once per window, filtered per request
    views      the event and price-path pages' data (the trader's view, odds_assets.trader, plus status)
    freshness  each book's last written window, its age, the freshness check's rule, Dagster links
    params     request parameters checked (400 on bad input)
    csvout     CSV written from the JSON
    live       NOTIFY odds_window → server-sent events
    auth       token (off loopback), loopback check
    pool       a few reused read-only connections
    state      what the routes share
    serve      `odds web`: uvicorn with a graceful-shutdown timeout
    templates/, static/   Jinja2 pages, the page script and style (plotly.js comes from the plotly package)
"""

from __future__ import annotations

from odds_assets.web.app import create_app

__all__ = ["create_app"]
