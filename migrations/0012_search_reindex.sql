-- 0012: the progress of a rebuild of the external search index
-- ("meetingfinder reindex" with MEILI_URL), so that a rebuild cut off
-- halfway (a crash, a deploy, Meilisearch going away) resumes where the
-- index last confirmed, instead of sending a million meetings again.
-- One row at most: there is one external index.

CREATE TABLE search_reindex (
    singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    started_at  timestamptz NOT NULL,
    total       bigint      NOT NULL,
    last_id     bigint      NOT NULL,
    sent        bigint      NOT NULL,
    finished_at timestamptz
);

COMMENT ON TABLE search_reindex IS
    'The rebuild of the external search index under way or last done: every public meeting with an id up to last_id, as of the rebuild''s reads, is confirmed in the index. Written by postgres.Outbox.Reindex.';
