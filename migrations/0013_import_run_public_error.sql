-- 0013: the reason of a failed run that anyone may read (GET /v1/sources
-- shows it to anonymous callers); error keeps the details for admins.
ALTER TABLE import_runs ADD COLUMN error_public text NOT NULL DEFAULT '';

COMMENT ON COLUMN import_runs.error_public IS
    'why the run failed, in plain words naming no host, address, path or URL (error has the details); empty for runs before migration 0012';
