-- Fingerprint of the data reports are computed from (report cache key).
-- A new or finished allocation run, a budget change and a closed statement each change it.
-- No parameters. Read only; touches only small tables.
SELECT concat_ws(':',
    (SELECT count(*) FROM attribution_allocationrun),
    (SELECT max(finished_at)::text FROM attribution_allocationrun),
    (SELECT count(*) FROM reports_budget),
    (SELECT max(updated_at)::text FROM reports_budget),
    (SELECT count(*) FROM reports_statement));
