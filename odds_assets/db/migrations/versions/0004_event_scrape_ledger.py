"""The ledger of complete event scrapes: which events each applied snapshot read completely.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

The write engine is right in any order only if it knows, for every event, WHEN it was scraped
completely: history as of t is the board of each event's latest complete scrape at or before t, and a
market is gone from the NEXT complete scrape of its event that lacks it. ``bookmaker_events`` keeps only
the latest; history keeps only changes. So each ``snapshots`` row now carries the sorted SportRadar ids
of the events that snapshot scraped completely (one compact array per window, not one row per event:
2,000 ids are 16 KB per book and window, against ~80 bytes × 2,000 for a row per event scrape).

``bookmaker_event_history`` keeps each book's names, ids and kick-off of an event change-only (a row
at its first complete scrape and at every complete scrape that read them differently), so that the
names "from the latest complete scrape" stay right when a re-derivation removes or inserts a scrape.

Rows written before this revision have no such record; they are filled with the events whose
``bookmaker_events`` span (first_seen_at .. last_seen_at) covers the snapshot's time — the best the
stored data can tell (an event that failed a window in between is counted as scraped) — and each
per-book event gets one version, its current names, from its first scrape. Maintenance
deletes ``snapshots`` rows past retention together with the history partitions.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UPGRADE = r"""
ALTER TABLE snapshots ADD COLUMN event_ids bigint[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN snapshots.event_ids IS
    'sorted SportRadar ids of the events this snapshot scraped completely (the write engine''s ledger)';
UPDATE snapshots s SET event_ids = coalesce((
    SELECT array_agg(be.sr_event_id ORDER BY be.sr_event_id)
    FROM bookmaker_events be
    WHERE be.bookmaker = s.bookmaker AND s.captured_at BETWEEN be.first_seen_at AND be.last_seen_at), '{}');

CREATE TABLE bookmaker_event_history (
    bookmaker          smallint NOT NULL REFERENCES bookmakers (id),
    sr_event_id        bigint NOT NULL,
    captured_at        timestamptz NOT NULL,
    bookmaker_event_id text NOT NULL,
    home               text NOT NULL,
    away               text NOT NULL,
    kickoff            timestamptz NOT NULL,
    competition        text,
    country            text,
    CONSTRAINT pk_bookmaker_event_history PRIMARY KEY (bookmaker, sr_event_id, captured_at)
);
INSERT INTO bookmaker_event_history
SELECT bookmaker, sr_event_id, first_seen_at, bookmaker_event_id, home, away, kickoff, competition, country
FROM bookmaker_events;
"""

DOWNGRADE = r"""
DROP TABLE IF EXISTS bookmaker_event_history;
ALTER TABLE snapshots DROP COLUMN event_ids;
"""


def upgrade() -> None:
    """Add snapshots.event_ids (the ledger of complete event scrapes) and bookmaker_event_history."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Drop bookmaker_event_history and snapshots.event_ids."""
    op.execute(DOWNGRADE)
