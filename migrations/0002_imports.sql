-- 0002: imports. Each imported meeting carries a hash of its content so a
-- re-import can tell changed rows from unchanged ones without comparing
-- every column; sources holds the configured feeds and their HTTP cache
-- validators; import_runs keeps the outcome of every run.

ALTER TABLE meetings ADD COLUMN content_hash bytea;

COMMENT ON COLUMN meetings.content_hash IS
    'Hash of the content last written by an import (see postgres.contentHash); an import rewrites the row, and bumps updated_at, only when it differs. NULL for rows not written by an import.';

CREATE TABLE sources (
    name             text        PRIMARY KEY,
    location         text        NOT NULL,
    format           text        NOT NULL CHECK (format IN ('meetingguide','bmlt','csv','naws')),
    program          text        NOT NULL DEFAULT '',
    timezone         text        NOT NULL DEFAULT '',
    mapping          text        NOT NULL DEFAULT '',
    refresh_interval interval,
    etag             text        NOT NULL DEFAULT '',
    last_modified    text        NOT NULL DEFAULT '',
    last_run_id      bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE sources IS 'Feeds and files that meetings are imported from; meetings.source names one of them.';
COMMENT ON COLUMN sources.location IS 'An http(s) URL or a local path; may carry an access key, so it is never shown publicly with its query.';
COMMENT ON COLUMN sources.program IS 'Program of records that do not name one; empty = the importer''s default.';
COMMENT ON COLUMN sources.timezone IS 'IANA zone for meetings whose record gives none; empty = infer from the point.';
COMMENT ON COLUMN sources.refresh_interval IS 'How often serve re-imports the source; NULL = only on demand.';
COMMENT ON COLUMN sources.etag IS 'ETag of the last successfully applied fetch, sent back as If-None-Match.';
COMMENT ON COLUMN sources.last_modified IS 'Last-Modified of the last successfully applied fetch, sent back as If-Modified-Since.';

CREATE TABLE import_runs (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source         text        NOT NULL REFERENCES sources (name) ON DELETE CASCADE,
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz NOT NULL,
    status         text        NOT NULL CHECK (status IN ('ok','failed','held_back','not_modified')),
    parsed         int         NOT NULL DEFAULT 0,
    inserted       int         NOT NULL DEFAULT 0,
    updated        int         NOT NULL DEFAULT 0,
    restored       int         NOT NULL DEFAULT 0,
    unchanged      int         NOT NULL DEFAULT 0,
    removed        int         NOT NULL DEFAULT 0,
    rejected       int         NOT NULL DEFAULT 0,
    flagged        int         NOT NULL DEFAULT 0,
    held_back      text        NOT NULL DEFAULT '',
    error          text        NOT NULL DEFAULT '',
    problems       jsonb       NOT NULL DEFAULT '[]',
    problems_total int         NOT NULL DEFAULT 0
);

COMMENT ON TABLE import_runs IS 'One row per import of a source, whatever its outcome.';
COMMENT ON COLUMN import_runs.status IS 'ok = applied; failed = nothing changed (error says why); held_back = the safety valve refused to apply (held_back says why); not_modified = the server answered 304.';
COMMENT ON COLUMN import_runs.problems IS 'The first problems of the run (rejected and flagged records), as meeting.Problem JSON; problems_total counts them all.';

CREATE INDEX import_runs_source ON import_runs (source, id DESC);

ALTER TABLE sources ADD CONSTRAINT sources_last_run
    FOREIGN KEY (last_run_id) REFERENCES import_runs (id) ON DELETE SET NULL;

