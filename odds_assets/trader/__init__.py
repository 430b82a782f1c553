"""The trader's view: one event's three books side by side, and each book's price path.

Plain psycopg + formatting (no Dagster), read through the views of migration 0002
(``odds_side_by_side``, ``odds_price_path``). Used by ``odds show`` and ``odds history``.

    data     queries and typed rows (event header, side-by-side blocks, price paths, market lookup)
    show     the side-by-side table and its JSON
    history  the price-path table and its JSON
    plot     the price path as a PNG chart (matplotlib, Agg)
"""

from __future__ import annotations

from odds_assets.trader.data import TraderError

__all__ = ["TraderError"]
