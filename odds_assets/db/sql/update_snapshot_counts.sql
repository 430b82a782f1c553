-- A late or re-derived window changes how its events' NEXT complete scrapes classify (against the new
-- state before them): their snapshots rows are adjusted by the given differences, so every row keeps
-- saying what its window is.
UPDATE snapshots s
SET new = s.new + d.new, changed = s.changed + d.changed, unchanged = s.unchanged + d.unchanged,
    gone = s.gone + d.gone, back = s.back + d.back,
    history_rows = s.history_rows + d.new + d.changed + d.gone + d.back
FROM unnest(%(ts)s::timestamptz[], %(new)s::int[], %(changed)s::int[], %(unchanged)s::int[], %(gone)s::int[],
            %(back)s::int[]) AS d(captured_at, new, changed, unchanged, gone, back)
WHERE s.bookmaker = %(b)s AND s.captured_at = d.captured_at
