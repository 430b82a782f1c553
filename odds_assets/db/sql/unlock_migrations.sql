SELECT pg_advisory_unlock(hashtext('odds_assets.migrate'))
