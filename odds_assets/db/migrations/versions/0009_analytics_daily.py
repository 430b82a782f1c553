"""Daily market analytics: opening/closing prices, margin report, who moves first, coverage gaps.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29

One table per report, each keyed by the UTC ``day`` it reports on; ``odds_assets.db.analytics_daily``
computes a day and writes it idempotently (the day's rows deleted, then inserted, in one transaction).
The definitions are that module's docstring and the README ("Analytics → Daily reports"). Lines are
stored as history stores them (exact hundredths, ``-32768`` = no line); the views show them as numeric
(NULL = no line), books by name, margins in percent.

``odds_outcome_list(enc)`` reads the compact outcomes text of ``market_odds_history`` (migration 0001's
grammar) as rows (ord, name, odds text, active): a plain split for the common text without ``\\``
escapes, the regular expression of ``odds_outcomes_jsonb`` otherwise — the same reading, faster.

The read-only role ``odds_web`` (migration 0006) gets SELECT on every table and view here.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UPGRADE = r"""
CREATE FUNCTION odds_outcome_list(enc text)
RETURNS TABLE (ord bigint, name text, odds text, active boolean)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT t.ord, split_part(t.x, '=', 1), rtrim(split_part(t.x, '=', 2), '!'), right(t.x, 1) <> '!'
    FROM unnest(string_to_array(enc, ';')) WITH ORDINALITY AS t(x, ord)
    WHERE strpos(enc, '\') = 0
    UNION ALL
    SELECT t.ord, regexp_replace(t.m[1], '\\(.)', '\1', 'g'), t.m[2], t.m[3] = ''
    FROM regexp_matches(enc, '((?:[^;=!\\]|\\.)+)=([0-9.]*)(!?)(?:;|$)', 'g') WITH ORDINALITY AS t(m, ord)
    WHERE strpos(enc, '\') > 0
$fn$;

-- opening / closing: one row per event x book x market x line x outcome, the event owned by its kick-off day
CREATE TABLE analytics_opening_closing (
    day             date NOT NULL,
    sr_event_id     bigint NOT NULL,
    bookmaker       smallint NOT NULL REFERENCES bookmakers (id),
    market_id       integer NOT NULL,
    line_hundredths smallint NOT NULL,
    outcome         text NOT NULL,
    kickoff         timestamptz NOT NULL,
    opening_odds    numeric,
    opening_at      timestamptz,
    closing_odds    numeric,
    closing_at      timestamptz,
    closing_seen_at timestamptz,
    closing_age_s   double precision,
    low_confidence  boolean NOT NULL,
    CONSTRAINT pk_analytics_opening_closing
        PRIMARY KEY (day, sr_event_id, bookmaker, market_id, line_hundredths, outcome)
);

-- margin report: per day, book x competition x market type x time-to-kick-off bucket
CREATE TABLE analytics_margin_report (
    day            date NOT NULL,
    bookmaker      smallint NOT NULL REFERENCES bookmakers (id),
    competition    text NOT NULL,
    market_id      integer NOT NULL,
    bucket         text NOT NULL CHECK (bucket IN ('7d+', '3-7d', '24-72h', '<24h')),
    observations   integer NOT NULL,
    with_margin    integer NOT NULL,
    mean_margin    double precision,
    median_margin  double precision,
    min_margin     double precision,
    max_margin     double precision,
    CONSTRAINT pk_analytics_margin_report PRIMARY KEY (day, bookmaker, competition, market_id, bucket)
);

-- who moves first: per day, book pair (book_a < book_b) x market type
CREATE TABLE analytics_lead_lag (
    day             date NOT NULL,
    book_a          smallint NOT NULL REFERENCES bookmakers (id),
    book_b          smallint NOT NULL REFERENCES bookmakers (id),
    market_id       integer NOT NULL,
    pairs           integer NOT NULL,
    a_first         integer NOT NULL,
    b_first         integer NOT NULL,
    ties            integer NOT NULL,
    events          integer NOT NULL,
    median_lag_s    double precision,
    median_lag_a_first_s double precision,
    median_lag_b_first_s double precision,
    CONSTRAINT ck_analytics_lead_lag_pair CHECK (book_a < book_b),
    CONSTRAINT pk_analytics_lead_lag PRIMARY KEY (day, book_a, book_b, market_id)
);

-- coverage gaps: per day, competition and competitor, against BetPawa
CREATE TABLE analytics_coverage_gaps (
    day                      date NOT NULL,
    competition              text NOT NULL,
    bookmaker                smallint NOT NULL REFERENCES bookmakers (id),
    betpawa_events           integer NOT NULL,
    competitor_events        integer NOT NULL,
    shared_events            integer NOT NULL,
    events_not_at_betpawa    integer NOT NULL,
    events_not_at_competitor integer NOT NULL,
    markets_not_at_betpawa   integer NOT NULL,
    events_with_market_gaps  integer NOT NULL,
    CONSTRAINT pk_analytics_coverage_gaps PRIMARY KEY (day, competition, bookmaker)
);

-- the gaps one by one: an event one side lists and the other does not, or a market (type and line) a
-- competitor offers for a shared event and BetPawa does not
CREATE TABLE analytics_coverage_gap_details (
    day             date NOT NULL,
    competition     text NOT NULL,
    bookmaker       smallint NOT NULL REFERENCES bookmakers (id),
    kind            text NOT NULL
        CHECK (kind IN ('event_not_at_betpawa', 'event_not_at_competitor', 'market_not_at_betpawa')),
    sr_event_id     bigint NOT NULL,
    market_id       integer,
    line_hundredths smallint
);
CREATE INDEX ix_analytics_coverage_gap_details_day ON analytics_coverage_gap_details (day, competition);

CREATE VIEW opening_closing_v AS
SELECT o.day, o.sr_event_id, e.home, e.away, e.competition, o.kickoff, b.name AS bookmaker, o.market_id,
       r.name AS market, odds_line_from_hundredths(o.line_hundredths) AS line, o.outcome,
       o.opening_odds, o.opening_at, o.closing_odds, o.closing_at, o.closing_seen_at, o.closing_age_s,
       o.low_confidence
FROM analytics_opening_closing o
JOIN bookmakers b ON b.id = o.bookmaker
LEFT JOIN events e ON e.sr_event_id = o.sr_event_id
LEFT JOIN market_margin_rules r ON r.market_id = o.market_id;

CREATE VIEW margin_report_v AS
SELECT m.day, b.name AS bookmaker, m.competition, m.market_id, r.name AS market, m.bucket, m.observations,
       m.with_margin, round((m.mean_margin * 100)::numeric, 4) AS mean_margin_pct,
       round((m.median_margin * 100)::numeric, 4) AS median_margin_pct,
       round((m.min_margin * 100)::numeric, 4) AS min_margin_pct,
       round((m.max_margin * 100)::numeric, 4) AS max_margin_pct
FROM analytics_margin_report m
JOIN bookmakers b ON b.id = m.bookmaker
LEFT JOIN market_margin_rules r ON r.market_id = m.market_id;

CREATE VIEW lead_lag_v AS
SELECT l.day, ba.name AS book_a, bb.name AS book_b, l.market_id, r.name AS market, l.pairs, l.a_first,
       l.b_first, l.ties, l.events,
       CASE WHEN l.a_first > l.b_first THEN ba.name WHEN l.b_first > l.a_first THEN bb.name END AS leader,
       l.median_lag_s, l.median_lag_a_first_s, l.median_lag_b_first_s
FROM analytics_lead_lag l
JOIN bookmakers ba ON ba.id = l.book_a
JOIN bookmakers bb ON bb.id = l.book_b
LEFT JOIN market_margin_rules r ON r.market_id = l.market_id;

CREATE VIEW coverage_gaps_v AS
SELECT g.day, g.competition, b.name AS competitor, g.betpawa_events, g.competitor_events, g.shared_events,
       g.events_not_at_betpawa, g.events_not_at_competitor, g.markets_not_at_betpawa, g.events_with_market_gaps
FROM analytics_coverage_gaps g
JOIN bookmakers b ON b.id = g.bookmaker;

CREATE VIEW coverage_gap_details_v AS
SELECT d.day, d.competition, b.name AS competitor, d.kind, d.sr_event_id, e.home, e.away, e.kickoff,
       d.market_id, r.name AS market, odds_line_from_hundredths(d.line_hundredths) AS line
FROM analytics_coverage_gap_details d
JOIN bookmakers b ON b.id = d.bookmaker
LEFT JOIN events e ON e.sr_event_id = d.sr_event_id
LEFT JOIN market_margin_rules r ON r.market_id = d.market_id;

GRANT SELECT ON analytics_opening_closing, analytics_margin_report, analytics_lead_lag, analytics_coverage_gaps,
    analytics_coverage_gap_details, opening_closing_v, margin_report_v, lead_lag_v, coverage_gaps_v,
    coverage_gap_details_v TO odds_web;
"""

DOWNGRADE = r"""
DROP VIEW IF EXISTS coverage_gap_details_v;
DROP VIEW IF EXISTS coverage_gaps_v;
DROP VIEW IF EXISTS lead_lag_v;
DROP VIEW IF EXISTS margin_report_v;
DROP VIEW IF EXISTS opening_closing_v;
DROP TABLE IF EXISTS analytics_coverage_gap_details;
DROP TABLE IF EXISTS analytics_coverage_gaps;
DROP TABLE IF EXISTS analytics_lead_lag;
DROP TABLE IF EXISTS analytics_margin_report;
DROP TABLE IF EXISTS analytics_opening_closing;
DROP FUNCTION IF EXISTS odds_outcome_list(text);
"""


def upgrade() -> None:
    """Create the daily reports' tables, their views, odds_outcome_list, and odds_web's grants."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Drop the daily reports' views, tables and odds_outcome_list."""
    op.execute(DOWNGRADE)
