-- Retention: one whole day of history goes at once. {partition} is composed as an identifier
-- (psycopg.sql.Identifier), never formatted as text.
DROP TABLE IF EXISTS {partition}
