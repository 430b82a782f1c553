"""Window-level market analytics: fair prices and BetPawa's edge, exposure episodes, their views.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

Written by ``odds_assets.analytics.window`` (the Dagster assets ``fair_prices`` and ``exposure``); the
definitions are in that module's docstring and the README ("Analytics").

Storage follows the changes, not the board (2,000 events × 50 markets is ~250,000 outcome rows a window):

- ``fair_prices_current``: one row per event × market × line × outcome that has a fair price or a
  complete set of best prices, holding the latest computed window's values; a window rewrites only the
  rows whose values changed (``changed_at`` = the window they took these values) and deletes the rows
  that no longer exist.
- ``fair_prices_history``: change-only, a row only when an outcome's values changed in a window
  (``present`` false: the row stopped existing at that window), so the state as of any computed window
  is the latest row at or before it.
- ``analytics_windows``: one row per asset and computed window (the ledger: which windows are computed,
  and their figures), so "the window the current values were computed for" is one row, not a column
  rewritten on every outcome row.
- ``exposure_episodes``: one row per episode (open: ``ended_at`` NULL).

``fair_prices_v`` and ``exposure_open_v`` are the views for people (event, kick-off, teams, market
name, line, outcome, odds, fair odds, edge). SELECT on all of them is granted to the board's read-only
role ``odds_web`` (migration 0006; its default privileges would cover the tables, the grant makes it
explicit for the views too).
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UPGRADE = r"""
CREATE TABLE analytics_windows (
    asset        text NOT NULL,
    window_start timestamptz NOT NULL,
    window_end   timestamptz NOT NULL,
    computed_at  timestamptz NOT NULL DEFAULT now(),
    figures      jsonb NOT NULL DEFAULT '{}',
    CONSTRAINT pk_analytics_windows PRIMARY KEY (asset, window_start)
);

-- line_hundredths as in market_odds_history (-32768 = no line); odds exact numeric; probabilities and
-- edges float8 (margin removal is irrational, see odds_assets.analytics.fair)
CREATE TABLE fair_prices_current (
    sr_event_id      bigint NOT NULL,
    market_id        integer NOT NULL,
    line_hundredths  smallint NOT NULL,
    outcome          text NOT NULL,
    changed_at       timestamptz NOT NULL,
    betpawa_odds     numeric,
    fair_probability double precision,
    fair_odds        double precision,
    edge             double precision,
    competitors      text,
    method           text NOT NULL,
    best_odds        numeric,
    best_bookmakers  text,
    market_implied   double precision,
    arbitrage        boolean NOT NULL,
    CONSTRAINT pk_fair_prices_current PRIMARY KEY (sr_event_id, market_id, line_hundredths, outcome)
);

CREATE TABLE fair_prices_history (
    window_start     timestamptz NOT NULL,
    sr_event_id      bigint NOT NULL,
    market_id        integer NOT NULL,
    line_hundredths  smallint NOT NULL,
    outcome          text NOT NULL,
    present          boolean NOT NULL,
    betpawa_odds     numeric,
    fair_probability double precision,
    fair_odds        double precision,
    edge             double precision,
    competitors      text,
    method           text,
    best_odds        numeric,
    best_bookmakers  text,
    market_implied   double precision,
    arbitrage        boolean,
    CONSTRAINT pk_fair_prices_history PRIMARY KEY (sr_event_id, market_id, line_hundredths, outcome, window_start)
);
CREATE INDEX ix_fair_prices_history_window ON fair_prices_history (window_start);

CREATE TABLE exposure_episodes (
    sr_event_id         bigint NOT NULL,
    market_id           integer NOT NULL,
    line_hundredths     smallint NOT NULL,
    outcome             text NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('edge', 'arb')),
    started_at          timestamptz NOT NULL,
    ended_at            timestamptz,
    peak_at             timestamptz NOT NULL,
    peak_edge           double precision,
    peak_betpawa_odds   numeric,
    peak_fair_odds      double precision,
    peak_market_implied double precision,
    first_mover         text,
    first_move_at       timestamptz,
    betpawa_age_s       double precision,
    sportybet_age_s     double precision,
    bet9ja_age_s        double precision,
    correction_s        double precision,
    CONSTRAINT pk_exposure_episodes PRIMARY KEY (sr_event_id, market_id, line_hundredths, outcome, kind, started_at),
    CONSTRAINT ck_exposure_episodes_interval CHECK (ended_at IS NULL OR ended_at > started_at)
);
CREATE INDEX ix_exposure_episodes_open ON exposure_episodes (started_at) WHERE ended_at IS NULL;
CREATE INDEX ix_exposure_episodes_ended ON exposure_episodes (ended_at);

CREATE VIEW fair_prices_v AS
SELECT f.sr_event_id, e.kickoff, e.home, e.away, e.competition,
       f.market_id, r.name AS market, odds_line_from_hundredths(f.line_hundredths) AS line, f.outcome,
       f.betpawa_odds, round(f.fair_odds::numeric, 4) AS fair_odds, f.fair_probability,
       round((f.edge * 100)::numeric, 3) AS edge_pct, f.competitors, f.method,
       f.best_odds, f.best_bookmakers, round((f.market_implied * 100)::numeric, 3) AS best_implied_pct,
       f.arbitrage, f.changed_at,
       (SELECT max(w.window_start) FROM analytics_windows w WHERE w.asset = 'fair_prices') AS window_start
FROM fair_prices_current f
LEFT JOIN events e ON e.sr_event_id = f.sr_event_id
LEFT JOIN market_margin_rules r ON r.market_id = f.market_id;

CREATE VIEW exposure_open_v AS
SELECT x.sr_event_id, e.kickoff, e.home, e.away, e.competition,
       x.market_id, r.name AS market, odds_line_from_hundredths(x.line_hundredths) AS line, x.outcome, x.kind,
       x.started_at, x.peak_at, round((x.peak_edge * 100)::numeric, 3) AS peak_edge_pct,
       x.peak_betpawa_odds, round(x.peak_fair_odds::numeric, 4) AS peak_fair_odds,
       round((x.peak_market_implied * 100)::numeric, 3) AS peak_best_implied_pct,
       f.betpawa_odds, round(f.fair_odds::numeric, 4) AS fair_odds, round((f.edge * 100)::numeric, 3) AS edge_pct,
       x.first_mover, x.first_move_at, x.betpawa_age_s, x.sportybet_age_s, x.bet9ja_age_s
FROM exposure_episodes x
LEFT JOIN events e ON e.sr_event_id = x.sr_event_id
LEFT JOIN market_margin_rules r ON r.market_id = x.market_id
LEFT JOIN fair_prices_current f ON f.sr_event_id = x.sr_event_id AND f.market_id = x.market_id
 AND f.line_hundredths = x.line_hundredths AND f.outcome = x.outcome
WHERE x.ended_at IS NULL;

GRANT SELECT ON analytics_windows, fair_prices_current, fair_prices_history, exposure_episodes,
                fair_prices_v, exposure_open_v TO odds_web;
"""

DOWNGRADE = r"""
DROP VIEW IF EXISTS exposure_open_v;
DROP VIEW IF EXISTS fair_prices_v;
DROP TABLE IF EXISTS exposure_episodes;
DROP TABLE IF EXISTS fair_prices_history;
DROP TABLE IF EXISTS fair_prices_current;
DROP TABLE IF EXISTS analytics_windows;
"""


def upgrade() -> None:
    """Create the window analytics tables and views; grant SELECT to odds_web."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Drop the window analytics tables and views."""
    op.execute(DOWNGRADE)
