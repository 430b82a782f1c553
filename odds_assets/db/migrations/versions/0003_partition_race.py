"""Make history partition creation safe for concurrent first writers of a day.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

Two writers creating the same day's partition could both pass the existence check of 0001's function:
an advisory lock does not make the waiting session re-read the catalog, so it could still miss the
table the first one just committed and fail with duplicate_table. CREATE TABLE IF NOT EXISTS plus an
exception handler makes the second creation a no-op.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UPGRADE = r"""
CREATE OR REPLACE FUNCTION odds_ensure_history_partition(day date) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    part text := format('market_odds_history_p%s', to_char(day, 'YYYYMMDD'));
BEGIN
    IF to_regclass(part) IS NULL THEN
        BEGIN
            EXECUTE format(
                'CREATE TABLE IF NOT EXISTS %I PARTITION OF market_odds_history FOR VALUES FROM (%L) TO (%L)',
                part,
                (day::timestamp AT TIME ZONE 'UTC'),
                ((day + 1)::timestamp AT TIME ZONE 'UTC'));
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            NULL;  -- created concurrently by another writer: exactly what we wanted
        END;
    END IF;
    RETURN part;
END
$fn$;
"""

DOWNGRADE = r"""
CREATE OR REPLACE FUNCTION odds_ensure_history_partition(day date) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    part text := format('market_odds_history_p%s', to_char(day, 'YYYYMMDD'));
BEGIN
    IF to_regclass(part) IS NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('odds_ensure_history_partition'));
        IF to_regclass(part) IS NULL THEN
            EXECUTE format(
                'CREATE TABLE %I PARTITION OF market_odds_history FOR VALUES FROM (%L) TO (%L)',
                part,
                (day::timestamp AT TIME ZONE 'UTC'),
                ((day + 1)::timestamp AT TIME ZONE 'UTC'));
        END IF;
    END IF;
    RETURN part;
END
$fn$;
"""


def upgrade() -> None:
    """Concurrency-safe odds_ensure_history_partition."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Restore 0001's odds_ensure_history_partition."""
    op.execute(DOWNGRADE)
