"""Market margin rules: the catalogue's margin rule per market type, and the trader's view's margin by it.

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-29

``odds_side_by_side`` (0002) printed Σ 1/odds − 1 as every market's margin, so a double chance (each
result covered by two outcomes) read about 110 %. The margin is now the one ``odds_assets.analytics.margin``
computes: Σ 1/odds / k − 1, k the number of outcomes covering each result, only for an instance listing
exactly its type's outcome set, every outcome priced and bettable, of a type with a margin of its own
(NULL otherwise: multigoals ranges, early-payout "1UP" markets, incomplete sets).

``market_margin_rules`` is the SQL twin of the catalogue's rules (``MarketSpec.margin``): one row per
BetPawa market type with k (``covers``, NULL: no margin of its own) and its BetPawa outcome set. Like
migration 0005's key functions it is written here as literal rows, and a test holds the table to the
catalogue: a catalogue change to a rule or an outcome set needs a migration that updates the rows. A
market id without a row is taken as mutually exclusive with whatever outcomes it lists (as in Python).

The view is 0002's with its margin expression replaced; the statement is read from revision 0002 and
changed in one place (checked to match once), so the two cannot drift and the downgrade restores 0002's
view exactly.

Chained after 0006 (the board's read-only role).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RULES = r"""
-- One row per BetPawa market type: how many of its outcomes cover each result of a match (covers; NULL
-- when not the same for every result, so the type has no margin of its own) and its complete outcome set
-- (BetPawa labels). The SQL twin of the catalogue's MarginRule (odds_assets/markets/catalogue.py).
CREATE TABLE market_margin_rules (
    market_id integer PRIMARY KEY,
    name      text NOT NULL,
    covers    smallint CHECK (covers >= 1),
    outcomes  text[] NOT NULL
);

INSERT INTO market_margin_rules (market_id, name, covers, outcomes) VALUES
    (3668, '1x2_1h', 1, ARRAY['1', 'X', '2']),
    (3685, '1x2_2h', 1, ARRAY['1', 'X', '2']),
    (3743, '1x2_ft', 1, ARRAY['1', 'X', '2']),
    (3747, 'asian_handicap_1h', 1, ARRAY['1', '2']),
    (3756, 'asian_handicap_2h', 1, ARRAY['1', '2']),
    (3774, '2way_handicap_ft', 1, ARRAY['1', '2']),
    (3789, 'btts_1h', 1, ARRAY['Yes', 'No']),
    (3792, 'btts_2h', 1, ARRAY['Yes', 'No']),
    (3795, 'btts_ft', 1, ARRAY['Yes', 'No']),
    (3801, 'away_clean_sheet_1h', 1, ARRAY['Yes', 'No']),
    (3804, 'away_clean_sheet_2h', 1, ARRAY['Yes', 'No']),
    (3807, 'away_clean_sheet_ft', 1, ARRAY['Yes', 'No']),
    (3810, 'home_clean_sheet_1h', 1, ARRAY['Yes', 'No']),
    (3813, 'home_clean_sheet_2h', 1, ARRAY['Yes', 'No']),
    (3816, 'home_clean_sheet_ft', 1, ARRAY['Yes', 'No']),
    (3819, 'correct_score_1h', 1, ARRAY['Other', '0-0', '0-1', '0-2', '1-0', '1-1', '1-2', '2-0', '2-1', '2-2']),
    (4063, 'correct_score_2h', 1, ARRAY['Other', '0-0', '0-1', '0-2', '1-0', '1-1', '1-2', '2-0', '2-1', '2-2']),
    (4429, 'correct_score_ft', 1, ARRAY['Other', '0-0', '0-1', '0-2', '0-3', '0-4', '0-5', '0-6', '1-0', '1-1',
         '1-2', '1-3', '1-4', '1-5', '2-0', '2-1', '2-2', '2-3', '2-4', '3-0', '3-1', '3-2', '3-3', '4-0', '4-1',
         '4-2', '5-0', '5-1', '6-0']),
    (4673, 'double_chance_1h', 2, ARRAY['1X', 'X2', '12']),
    (4681, 'double_chance_2h', 2, ARRAY['1X', 'X2', '12']),
    (4693, 'double_chance_ft', 2, ARRAY['1X', 'X2', '12']),
    (4697, 'draw_no_bet_1h', 1, ARRAY['1', '2']),
    (4700, 'draw_no_bet_2h', 1, ARRAY['1', '2']),
    (4703, 'draw_no_bet_ft', 1, ARRAY['1', '2']),
    (4706, 'htft', 1, ARRAY['1/1', '1/X', '1/2', 'X/1', 'X/X', 'X/2', '2/1', '2/X', '2/2']),
    (4716, 'handicap_3way_1h', 1, ARRAY['1', 'X', '2']),
    (4720, 'handicap_3way_2h', 1, ARRAY['1', 'X', '2']),
    (4724, 'handicap_3way_ft', 1, ARRAY['1', 'X', '2']),
    (4728, 'highest_scoring_half', 1, ARRAY['First Half', 'Second Half', 'Equal']),
    (4732, 'away_highest_scoring_half', 1, ARRAY['First Half', 'Second Half', 'Equal']),
    (4736, 'home_highest_scoring_half', 1, ARRAY['First Half', 'Second Half', 'Equal']),
    (4794, 'odd_even_1h', 1, ARRAY['Odd', 'Even']),
    (4809, 'odd_even_2h', 1, ARRAY['Odd', 'Even']),
    (4833, 'odd_even_ft', 1, ARRAY['Odd', 'Even']),
    (4836, 'away_odd_even_ft', 1, ARRAY['Odd', 'Even']),
    (4842, 'home_odd_even_ft', 1, ARRAY['Odd', 'Even']),
    (4870, 'last_goal_ft', 1, ARRAY['1', '2', 'No Goal']),
    (4898, 'exact_goals_1h', 1, ARRAY['2+', '0', '1']),
    (4912, 'exact_goals_2h', 1, ARRAY['2+', '0', '1']),
    (4926, 'exact_goals_ft', 1, ARRAY['6+', '0', '1', '2', '3', '4', '5']),
    (4938, 'away_exact_goals_ft', 1, ARRAY['2', '3+', '0', '1']),
    (4942, 'home_exact_goals_ft', 1, ARRAY['2', '3+', '0', '1']),
    (4958, 'over_under_1h', 1, ARRAY['Over', 'Under']),
    (4961, 'away_over_under_1h', 1, ARRAY['Over', 'Under']),
    (4964, 'home_over_under_1h', 1, ARRAY['Over', 'Under']),
    (4976, 'over_under_2h', 1, ARRAY['Over', 'Under']),
    (4979, 'away_over_under_2h', 1, ARRAY['Over', 'Under']),
    (4982, 'home_over_under_2h', 1, ARRAY['Over', 'Under']),
    (5000, 'over_under_ft', 1, ARRAY['Over', 'Under']),
    (5003, 'away_over_under_ft', 1, ARRAY['Over', 'Under']),
    (5006, 'home_over_under_ft', 1, ARRAY['Over', 'Under']),
    (5042, 'away_win_to_nil_ft', 1, ARRAY['Yes', 'No']),
    (5051, 'home_win_to_nil_ft', 1, ARRAY['Yes', 'No']),
    (80000, 'double_chance_1up_ft', NULL, ARRAY['1X', 'X2', '12']),
    (1096755, '1x2_over_under_ft', 1, ARRAY['1 - Over', 'X - Over', '2 - Over', '1 - Under', 'X - Under',
         '2 - Under']),
    (1096764, 'over_under_bookings_ft', 1, ARRAY['Over', 'Under']),
    (1096765, 'bookings_over_under_1h', 1, ARRAY['Over', 'Under']),
    (1096766, 'sending_off_ft', 1, ARRAY['Yes', 'No']),
    (1096768, 'home_bookings_ft', 1, ARRAY['0-1', '2', '3', '4+']),
    (1096769, 'home_bookings_1h', 1, ARRAY['0', '1', '2', '3+']),
    (1096770, 'away_bookings_ft', 1, ARRAY['0-1', '2', '3', '4+']),
    (1096771, 'away_bookings_1h', 1, ARRAY['0', '1', '2', '3+']),
    (1096774, '1x2_bookings_ft', 1, ARRAY['1', 'X', '2']),
    (1096775, 'bookings_1x2_1h', 1, ARRAY['1', 'X', '2']),
    (1096776, 'bookings_exact_ft', 1, ARRAY['0-3', '4', '5', '6', '7', '8', '9', '10', '11', '12+']),
    (1096777, 'bookings_exact_1h', 1, ARRAY['0', '1', '2', '3', '4', '5', '6+']),
    (1096778, 'home_sending_off_ft', 1, ARRAY['Yes', 'No']),
    (1096780, 'away_sending_off_ft', 1, ARRAY['Yes', 'No']),
    (1096782, 'which_team_to_score', 1, ARRAY['No Goal', 'Home', 'Away', 'Both']),
    (1096783, 'over_under_corners_ft', 1, ARRAY['Over', 'Under']),
    (1096784, 'corners_over_under_1h', 1, ARRAY['Over', 'Under']),
    (1096785, 'corner_handicap_ft', 1, ARRAY['1', '2']),
    (1096786, 'corner_handicap_1h', 1, ARRAY['1', '2']),
    (1096787, '1x2_corners_ft', 1, ARRAY['1', 'X', '2']),
    (1096788, 'corners_1x2_1h', 1, ARRAY['1', 'X', '2']),
    (1096789, 'corners_odd_even_ft', 1, ARRAY['Odd', 'Even']),
    (1096790, 'corners_odd_even_1h', 1, ARRAY['Odd', 'Even']),
    (1096793, 'home_corners_ft', 1, ARRAY['0-2', '3-4', '5-6', '7+']),
    (1096794, 'home_corners_1h', 1, ARRAY['0-1', '2', '3', '4+']),
    (1096795, 'last_corner_ft', 1, ARRAY['No Corner', '1', '2']),
    (1096796, 'last_corner_1h', 1, ARRAY['No Corner', '1', '2']),
    (1096797, 'away_corners_ft', 1, ARRAY['0-2', '3-4', '5-6', '7+']),
    (1096802, 'away_corners_1h', 1, ARRAY['0-1', '2', '3', '4+']),
    (1096803, 'corners_exact_ft', 1, ARRAY['0-8', '9-11', '12+']),
    (1096804, 'corners_exact_1h', 1, ARRAY['0-4', '5-6', '7+']),
    (1096805, 'home_win_both_halves', 1, ARRAY['Yes', 'No']),
    (1096806, 'home_win_either_half', 1, ARRAY['Yes', 'No']),
    (1096807, 'home_score_both_halves', 1, ARRAY['Yes', 'No']),
    (1096808, 'away_win_both_halves', 1, ARRAY['Yes', 'No']),
    (1096809, 'away_win_either_half', 1, ARRAY['Yes', 'No']),
    (1096814, 'away_score_both_halves', 1, ARRAY['Yes', 'No']),
    (3591790, '1x2_btts_ft', 1, ARRAY['1 - Yes', '1 - No', '2 - Yes', '2 - No', 'X - Yes', 'X - No']),
    (4613062, 'over_under_btts_ft', 1, ARRAY['Over & Yes', 'Over & No', 'Under & Yes', 'Under & No']),
    (28000014, 'double_chance_btts_ft', 2, ARRAY['1X - Yes', '1X - No', '12 - Yes', '12 - No', 'X2 - Yes',
         'X2 - No']),
    (28000021, 'double_chance_btts_1h', 2, ARRAY['1X - Yes', '1X - No', '12 - Yes', '12 - No', 'X2 - Yes',
         'X2 - No']),
    (28000028, 'double_chance_btts_2h', 2, ARRAY['1X - Yes', '1X - No', '12 - Yes', '12 - No', 'X2 - Yes',
         'X2 - No']),
    (28000035, 'multiscores_ft', 1, ARRAY['1:0, 2:0 or 3:0', '0:1, 0:2 or 0:3', '4:0, 5:0 or 6:0',
         '0:4, 0:5 or 0:6', '2:1, 3:1 or 4:1', '1:2, 1:3 or 1:4', '3:2, 4:2, 4:3 or 5:1', '2:3, 2:4, 3:4 or 1:5',
         'Other Home Win', 'Other Away Win', 'Draw']),
    (28000047, 'multigoals_ft', NULL, ARRAY['1-2', '1-3', '1-4', '1-5', '1-6', '2-3', '2-4', '2-5', '2-6', '3-4',
         '3-5', '3-6', '4-5', '4-6', '5-6', '7+', 'No goal']),
    (28000065, 'multigoals_1h', NULL, ARRAY['1-2', '1-3', '2-3', '4+', 'No goal']),
    (28000071, 'multigoals_2h', NULL, ARRAY['1-2', '1-3', '2-3', '4+', 'No goal']),
    (28000077, 'home_multigoals_ft', NULL, ARRAY['1-2', '1-3', '2-3', '4+', 'No goal']),
    (28000083, 'away_multigoals_ft', NULL, ARRAY['1-2', '1-3', '2-3', '4+', 'No goal']),
    (28000089, 'double_chance_over_under_ft', 2, ARRAY['1X - Under', '12 - Under', 'X2 - Under', '1X - Over',
         '12 - Over', 'X2 - Over']),
    (28000173, '1x2_10min', 1, ARRAY['1', 'X', '2']),
    (28000209, 'winning_margin', 1, ARRAY['Home by 1', 'Home by 2', 'Home by 3+', 'Away by 1', 'Away by 2',
         'Away by 3+', 'Draw']),
    (28000224, 'next_goal_ft', 1, ARRAY['1', 'None', '2']),
    (28000228, 'htft_correct_score', 1, ARRAY['0-0/0-0', '0-0/0-1', '0-0/0-2', '0-0/0-3', '0-0/1-0', '0-0/1-1',
         '0-0/1-2', '0-0/2-0', '0-0/2-1', '0-0/3-0', '0-0/4+', '0-1/0-1', '0-1/0-2', '0-1/0-3', '0-1/1-1',
         '0-1/1-2', '0-1/2-1', '0-1/4+', '0-2/0-2', '0-2/0-3', '0-2/1-2', '0-2/4+', '0-3/0-3', '0-3/4+', '1-0/1-0',
         '1-0/1-1', '1-0/1-2', '1-0/2-0', '1-0/2-1', '1-0/3-0', '1-0/4+', '1-1/1-1', '1-1/1-2', '1-1/2-1',
         '1-1/4+', '1-2/1-2', '1-2/4+', '2-0/2-0', '2-0/2-1', '2-0/3-0', '2-0/4+', '2-1/2-1', '2-1/4+', '3-0/3-0',
         '3-0/4+', '4+/4+']),
    (28000279, 'htft_over_under', 1, ARRAY['1/1 and Under', '1/X and Under', '1/2 and Under', 'X/1 and Under',
         'X/X and Under', 'X/2 and Under', '2/1 and Under', '2/X and Under', '2/2 and Under', '1/1 and Over',
         '1/X and Over', '1/2 and Over', 'X/1 and Over', 'X/X and Over', 'X/2 and Over', '2/1 and Over',
         '2/X and Over', '2/2 and Over']),
    (28000810, '1x2_1up_ft', NULL, ARRAY['1', 'X', '2']);
"""

# 0002's margin of one book's market row, and what replaces it (both inside the aggregating lateral
# over the market's outcomes m; r is the market type's rule row, NULL for a type the table lacks)
OLD_MARGIN = """\
            SELECT CASE WHEN c.unavailable_at IS NULL
                             AND bool_and((m ->> 'active')::boolean AND m ->> 'odds' IS NOT NULL)
                        THEN round((sum(1 / (m ->> 'odds')::numeric) - 1) * 100, 4) END AS margin_pct
            FROM jsonb_array_elements(j.outcomes) AS m"""
NEW_MARGIN = """\
            -- margin = sum(1/odds) / covers - 1 (odds_assets.analytics.margin): a complete set (exactly
            -- the type's outcomes: no duplicate names exist, so a subset of the same size is the set),
            -- every outcome priced and bettable, a type with a margin of its own
            SELECT CASE WHEN c.unavailable_at IS NULL
                             AND bool_and((m ->> 'active')::boolean AND m ->> 'odds' IS NOT NULL)
                             AND (r.market_id IS NULL
                                  OR (r.covers IS NOT NULL AND count(*) = cardinality(r.outcomes)
                                      AND array_agg(m ->> 'name') <@ r.outcomes))
                        THEN round((sum(1 / (m ->> 'odds')::numeric) / coalesce(r.covers, 1) - 1) * 100, 4)
                   END AS margin_pct
            FROM jsonb_array_elements(j.outcomes) AS m"""
OLD_FROM = "        CROSS JOIN LATERAL (SELECT odds_outcomes_jsonb(c.outcomes) AS outcomes) AS j\n"
NEW_FROM = OLD_FROM + "        LEFT JOIN market_margin_rules r ON r.market_id = c.market_id\n"


def _view_0002() -> str:
    """0002's ``CREATE VIEW odds_side_by_side`` statement, as ``CREATE OR REPLACE VIEW``."""
    path = Path(__file__).with_name("0002_trader_views.py")
    spec = importlib.util.spec_from_file_location("odds_migration_0002", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text: str = module.UPGRADE
    start = text.index("CREATE VIEW odds_side_by_side")
    end = text.index(";", start) + 1
    return "CREATE OR REPLACE VIEW" + text[start + len("CREATE VIEW"):end]


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise RuntimeError("revision 0002's odds_side_by_side is not the one this revision changes")
    return text.replace(old, new)


def upgrade() -> None:
    """Create market_margin_rules and compute odds_side_by_side's margins by them."""
    op.execute(RULES)
    view = _replace_once(_replace_once(_view_0002(), OLD_MARGIN, NEW_MARGIN), OLD_FROM, NEW_FROM)
    op.execute(view)


def downgrade() -> None:
    """Restore 0002's odds_side_by_side and drop market_margin_rules."""
    op.execute(_view_0002())
    op.execute("DROP TABLE IF EXISTS market_margin_rules")
