-- Window analytics: hash or merge joins only, for the rest of the transaction: the summaries of the
-- unchanged exposed outcomes join whole tables, where a nested loop planned on stale statistics took a
-- minute (seen at full size right after the first window).
SET LOCAL enable_nestloop = off
