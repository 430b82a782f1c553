"""Market key functions: the SQL side of ``odds_assets.db.keys``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

The write engine reads state as one ``bigint`` key per (market id, line): ``market_id << 17 |
(line_hundredths + 65536)`` (why, in ``odds_assets/db/keys.py``). The statements in ``db/sql/`` spelled
the shifts, masks and offsets out; they now call these functions, so the encoding is written once in
Python and once here, and a test holds the two to each other.

They are single-SELECT ``LANGUAGE sql IMMUTABLE`` functions, not STRICT, whose results have exactly
the declared types: the planner inlines them into the calling statement, so they cost nothing, and
``h.market_id = odds_key_market_id(p.k)`` still reaches the history index like the spelled-out form.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UPGRADE = r"""
CREATE FUNCTION odds_market_key(market_id integer, line_hundredths smallint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$ SELECT (market_id::bigint << 17) + (line_hundredths + 65536) $fn$;

CREATE FUNCTION odds_key_market_id(k bigint) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$ SELECT (k >> 17)::integer $fn$;

CREATE FUNCTION odds_key_line_hundredths(k bigint) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$ SELECT ((k & 131071) - 65536)::smallint $fn$;
"""

DOWNGRADE = r"""
DROP FUNCTION IF EXISTS odds_key_line_hundredths(bigint);
DROP FUNCTION IF EXISTS odds_key_market_id(bigint);
DROP FUNCTION IF EXISTS odds_market_key(integer, smallint);
"""


def upgrade() -> None:
    """Create odds_market_key, odds_key_market_id and odds_key_line_hundredths."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Drop the market key functions."""
    op.execute(DOWNGRADE)
