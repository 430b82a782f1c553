"""Initial schema: events, per-book events, current odds, partitioned change-only history, snapshots.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Outcomes of one market are stored as one compact text, identical in current and history, so that
# change detection is an exact string comparison and a history row stays small (issue [foundation]
# target: <= 150 bytes per row with its index). Grammar (see odds_assets.snapshot):
#   outcome(;outcome)*   outcome = name "=" odds? "!"?   ("!" = not bettable; odds absent = no price)
# with "\" escaping ";", "=", "!" and "\" inside names. odds_outcomes_jsonb() expands it for people.
UPGRADE = r"""
CREATE TABLE bookmakers (
    id   smallint PRIMARY KEY,
    name text NOT NULL,
    CONSTRAINT uq_bookmakers_name UNIQUE (name)
);
INSERT INTO bookmakers (id, name) VALUES (1, 'betpawa'), (2, 'sportybet'), (3, 'bet9ja');

-- One row per SportRadar match. Names and kick-off come from BetPawa (the reference book) when it
-- lists the match, otherwise from the first book that did.
CREATE TABLE events (
    sr_event_id      bigint PRIMARY KEY,
    home             text NOT NULL,
    away             text NOT NULL,
    kickoff          timestamptz NOT NULL,
    competition      text,
    country          text,
    source_bookmaker smallint NOT NULL REFERENCES bookmakers (id),
    first_seen_at    timestamptz NOT NULL,
    CONSTRAINT ck_events_sr_event_id_positive CHECK (sr_event_id > 0)
);
CREATE INDEX ix_events_kickoff ON events (kickoff);

-- The same match as each book lists it. last_seen_at is the latest scrape that read the event
-- COMPLETELY: it is also what confirms that event's current market rows (see market_odds_current_v),
-- which is why it is the only per-scrape update (one row per event, not per market).
CREATE TABLE bookmaker_events (
    sr_event_id        bigint NOT NULL REFERENCES events (sr_event_id),
    bookmaker          smallint NOT NULL REFERENCES bookmakers (id),
    bookmaker_event_id text NOT NULL,
    home               text NOT NULL,
    away               text NOT NULL,
    kickoff            timestamptz NOT NULL,
    competition        text,
    country            text,
    first_seen_at      timestamptz NOT NULL,
    last_seen_at       timestamptz NOT NULL,
    CONSTRAINT pk_bookmaker_events PRIMARY KEY (sr_event_id, bookmaker)
) WITH (fillfactor = 70);
CREATE INDEX ix_bookmaker_events_bookmaker_event_id ON bookmaker_events (bookmaker, bookmaker_event_id);

-- One row per (event, book, BetPawa market id, line). line NULL = a market without a line; a line of 0
-- (handicap 0) is a different, real line: hence NULLS NOT DISTINCT, which ON CONFLICT can target.
-- fillfactor leaves room on each page so the few rows a scrape changes are updated in place (HOT).
CREATE TABLE market_odds_current (
    sr_event_id     bigint NOT NULL,
    bookmaker       smallint NOT NULL REFERENCES bookmakers (id),
    market_id       integer NOT NULL,
    line            numeric,
    outcomes        text NOT NULL,
    first_seen_at   timestamptz NOT NULL,
    last_updated_at timestamptz NOT NULL,
    confirmed_at    timestamptz NOT NULL,
    unavailable_at  timestamptz,
    CONSTRAINT uq_market_odds_current_key UNIQUE NULLS NOT DISTINCT (sr_event_id, bookmaker, market_id, line)
) WITH (fillfactor = 80);

-- Append-only, change-only. outcomes NULL = the market became unavailable at captured_at.
-- Size matters here (every change of every market, kept for the retention period): the line is exact
-- fixed-point hundredths in a smallint, with -32768 for "no line" (NOT NULL, so no index null bitmap),
-- and columns are ordered widest first, which keeps an index entry at 32 bytes and most rows at 72.
-- market_odds_history_v shows the line as numeric (NULL for none), like market_odds_current.
CREATE TABLE market_odds_history (
    captured_at     timestamptz NOT NULL,
    sr_event_id     bigint NOT NULL,
    market_id       integer NOT NULL,
    bookmaker       smallint NOT NULL,
    line_hundredths smallint NOT NULL,
    outcomes        text,
    CONSTRAINT uq_market_odds_history_key
        UNIQUE (sr_event_id, market_id, bookmaker, line_hundredths, captured_at)
) PARTITION BY RANGE (captured_at);

CREATE FUNCTION odds_line_hundredths(line numeric) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$ SELECT coalesce((line * 100)::smallint, (-32768)::smallint) $fn$;

CREATE FUNCTION odds_line_from_hundredths(h smallint) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE WHEN h = -32768 THEN NULL ELSE trim_scale(h::numeric / 100) END
$fn$;

-- One row per applied snapshot (bookmaker × scrape time): what the write engine did.
CREATE TABLE snapshots (
    bookmaker    smallint NOT NULL REFERENCES bookmakers (id),
    captured_at  timestamptz NOT NULL,
    events       integer NOT NULL,
    markets      integer NOT NULL,
    new          integer NOT NULL,
    changed      integer NOT NULL,
    unchanged    integer NOT NULL,
    gone         integer NOT NULL,
    back         integer NOT NULL,
    history_rows integer NOT NULL,
    historical   boolean NOT NULL,
    applied_at   timestamptz NOT NULL DEFAULT now(),
    write_ms     double precision NOT NULL,
    CONSTRAINT pk_snapshots PRIMARY KEY (bookmaker, captured_at)
);

CREATE FUNCTION odds_outcomes_jsonb(enc text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT jsonb_agg(jsonb_build_object(
               'name', regexp_replace(m[1], '\\(.)', '\1', 'g'),
               'odds', CASE WHEN m[2] = '' THEN NULL ELSE m[2]::numeric END,
               'active', m[3] = '')
           ORDER BY ord)
    FROM regexp_matches(enc, '((?:[^;=!\\]|\\.)+)=([0-9.]*)(!?)(?:;|$)', 'g') WITH ORDINALITY AS t(m, ord)
$fn$;

-- Creates the daily history partition holding day (UTC) if it does not exist; safe under concurrency.
CREATE FUNCTION odds_ensure_history_partition(day date) RETURNS text
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

-- Current odds for people: book names, outcomes as JSON, and last_confirmed_at (the latest scrape
-- that saw the market), derived from the event's last complete scrape instead of a per-row update.
CREATE VIEW market_odds_current_v AS
SELECT c.sr_event_id,
       b.name AS bookmaker,
       c.market_id,
       c.line,
       odds_outcomes_jsonb(c.outcomes) AS outcomes,
       c.unavailable_at IS NULL AS available,
       c.first_seen_at,
       c.last_updated_at,
       CASE WHEN c.unavailable_at IS NULL THEN greatest(c.confirmed_at, be.last_seen_at)
            ELSE c.confirmed_at END AS last_confirmed_at,
       c.unavailable_at
FROM market_odds_current c
JOIN bookmakers b ON b.id = c.bookmaker
LEFT JOIN bookmaker_events be ON be.sr_event_id = c.sr_event_id AND be.bookmaker = c.bookmaker;

CREATE VIEW market_odds_history_v AS
SELECT h.sr_event_id,
       b.name AS bookmaker,
       h.market_id,
       odds_line_from_hundredths(h.line_hundredths) AS line,
       h.captured_at,
       h.outcomes IS NOT NULL AS available,
       odds_outcomes_jsonb(h.outcomes) AS outcomes
FROM market_odds_history h
JOIN bookmakers b ON b.id = h.bookmaker;
"""

DOWNGRADE = r"""
DROP VIEW IF EXISTS market_odds_history_v;
DROP VIEW IF EXISTS market_odds_current_v;
DROP FUNCTION IF EXISTS odds_ensure_history_partition(date);
DROP FUNCTION IF EXISTS odds_outcomes_jsonb(text);
DROP FUNCTION IF EXISTS odds_line_hundredths(numeric);
DROP FUNCTION IF EXISTS odds_line_from_hundredths(smallint);
DROP TABLE IF EXISTS snapshots;
DROP TABLE IF EXISTS market_odds_history;
DROP TABLE IF EXISTS market_odds_current;
DROP TABLE IF EXISTS bookmaker_events;
DROP TABLE IF EXISTS events;
DROP TABLE IF EXISTS bookmakers;
"""


def upgrade() -> None:
    """Create the initial schema."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Drop the initial schema."""
    op.execute(DOWNGRADE)
