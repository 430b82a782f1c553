-- The alembic revision the database is at (the table is missing before the first migration).
SELECT version_num FROM alembic_version
