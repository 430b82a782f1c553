-- A database of the embedded server (odds, dagster). {name} is composed as an identifier
-- (psycopg.sql.Identifier), never formatted as text.
CREATE DATABASE {name}
