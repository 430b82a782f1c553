"""PostgreSQL: the embedded server, migrations, history partitions and the write engine."""
