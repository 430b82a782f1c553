"""The read-only role of the traders' board: ``odds_web`` may connect and SELECT, nothing else.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

``odds web`` connects as this role (``odds_assets.db.server.web_url``; ``ODDS_WEB_DATABASE_URL``
overrides), so the board is read-only by construction, not by the care of its code:

- SELECT on every table and view of ``public``, now and (default privileges) on the tables the migrating
  role creates later. A query on the partitioned ``market_odds_history`` checks privileges on the parent
  only, so the daily partitions maintenance adds later need no grant.
- ``default_transaction_read_only`` and a 5 s ``statement_timeout`` as the role's own settings: a guard
  (the role could switch the first off itself), the missing grants are the wall.

A role belongs to the whole server (the cluster), a grant to one database. Many databases on one server
run this migration — the test suite migrates one per test, maybe in parallel — so the role and its
settings are created only when missing, and a concurrent creator's ``duplicate_object`` /
``unique_violation`` is taken as "done". The downgrade revokes this database's grants and keeps the role,
which other databases of the server may still use.

The role has no password: the embedded server trusts local connections; on a server that asks for one,
set it out of band (``ALTER ROLE odds_web PASSWORD …``) and put it in ``ODDS_WEB_DATABASE_URL``.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UPGRADE = r"""
DO $do$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'odds_web') THEN
        BEGIN
            CREATE ROLE odds_web LOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- created meanwhile by the migration of another database on this server
        END;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
                   WHERE r.rolname = 'odds_web' AND s.setdatabase = 0
                     AND s.setconfig @> ARRAY['default_transaction_read_only=on', 'statement_timeout=5s']) THEN
        BEGIN
            ALTER ROLE odds_web SET default_transaction_read_only = on;
            ALTER ROLE odds_web SET statement_timeout = '5s';
        EXCEPTION WHEN unique_violation THEN
            NULL;  -- set meanwhile by the migration of another database (both inserted the settings row)
        END;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO odds_web', current_database());
END
$do$;
GRANT USAGE ON SCHEMA public TO odds_web;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO odds_web;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO odds_web;
"""

DOWNGRADE = r"""
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM odds_web;
REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM odds_web;
REVOKE USAGE ON SCHEMA public FROM odds_web;
DO $do$
BEGIN
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM odds_web', current_database());
END
$do$;
"""


def upgrade() -> None:
    """Create the role odds_web (if missing) and grant it CONNECT, USAGE and SELECT in this database."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Revoke odds_web's privileges in this database (the role stays: other databases may use it)."""
    op.execute(DOWNGRADE)
