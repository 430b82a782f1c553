-- Daily analytics: one report's rows of one day, before they are written again ({table} is composed
-- with psycopg.sql.Identifier from a fixed list).
DELETE FROM {table} WHERE day = %(day)s
