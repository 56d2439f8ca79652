-- 0011: the embedded text index moves out of meetings into a table of its
-- own, built in Go. Filling meetings.search_doc/search_text (0007) wrote a
-- new version of every meeting row, and so an entry in every index of
-- meetings, and ran unaccent and to_tsvector per row: at most ~10,000
-- meetings/s. Now the indexer (postgres.DB.RefreshSearch) reads the
-- meetings named in search_queue, builds their documents in Go
-- (internal/postgres/searchdoc.go) and writes them to meeting_search with
-- COPY; a full rebuild writes a new table and swaps it in.

DROP TRIGGER meetings_search_invalidate ON meetings;
DROP FUNCTION meeting_search_invalidate();
DROP FUNCTION meeting_search_refresh(int);
DROP INDEX meetings_search_pending;
ALTER TABLE meetings DROP COLUMN search_doc, DROP COLUMN search_text;

-- No parallel scans: a text query reads a few hundred rows, and starting
-- workers costs more than that.
CREATE TABLE meeting_search (
    meeting_id bigint   PRIMARY KEY,
    doc        tsvector NOT NULL
) WITH (parallel_workers = 0);

COMMENT ON TABLE meeting_search IS
    'The embedded text index: one row per public meeting that has been indexed (postgres.DB.RefreshSearch). Rows of meetings no longer public are deleted by the indexer; queries also join meetings and check it is public.';
COMMENT ON COLUMN meeting_search.doc IS
    'Words of the name (A), group (B), place (C) and notes (D), lowercased and unaccented in Go; plus tokens people cannot type: =<name key>, ~1<letter> and ~2<two letters> prefixes, ~t<type code>, ~g<level>:<row>:<col> geo cells (see internal/postgres/searchdoc.go).';

CREATE INDEX meeting_search_doc ON meeting_search USING gin (doc)
    WITH (fastupdate = on, gin_pending_list_limit = 4096);

-- search_queue names the meetings whose document must be (re)built or
-- removed. The triggers below fill it in the writer's transaction; the
-- indexer takes rows out with FOR UPDATE SKIP LOCKED, so several may run.
CREATE TABLE search_queue (
    meeting_id bigint NOT NULL
);

COMMENT ON TABLE search_queue IS
    'Meetings to index again (duplicates allowed): written by the meetings_search_queue_* triggers, emptied by postgres.DB.RefreshSearch.';

CREATE FUNCTION search_queue_insert()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_queue (meeting_id) SELECT id FROM new_rows;
    RETURN NULL;
END
$$;

CREATE FUNCTION search_queue_delete()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_queue (meeting_id) SELECT id FROM old_rows;
    RETURN NULL;
END
$$;

-- An UPDATE queues only the rows whose indexed text, types, point or
-- visibility changed: an unchanged re-import costs a join and no queue row.
CREATE FUNCTION search_queue_update()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_queue (meeting_id)
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.name, o.group_name, o.location_name, o.city, o.region, o.postal_code, o.address,
           o.formatted_address, o.regions, o.notes, o.location_notes, o.types, o.status, o.deleted_at)
       IS DISTINCT FROM
          (n.name, n.group_name, n.location_name, n.city, n.region, n.postal_code, n.address,
           n.formatted_address, n.regions, n.notes, n.location_notes, n.types, n.status, n.deleted_at)
       OR (o.geog IS NULL) <> (n.geog IS NULL)
       OR NOT ST_Equals(o.geog::geometry, n.geog::geometry);
    RETURN NULL;
END
$$;

CREATE TRIGGER meetings_search_queue_insert AFTER INSERT ON meetings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_queue_insert();
CREATE TRIGGER meetings_search_queue_update AFTER UPDATE ON meetings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_queue_update();
CREATE TRIGGER meetings_search_queue_delete AFTER DELETE ON meetings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_queue_delete();

-- Every existing meeting waits for its first document; serve (or
-- "meetingfinder reindex") builds them all in one bulk run.
INSERT INTO search_queue (meeting_id) SELECT id FROM meetings;

-- search_words is the vocabulary of the index: every distinct word of the
-- documents, for typo correction (a query word that is not a word of the
-- index is looked up here by edit distance, and the query then runs
-- with the corrected words). The indexer adds the words of every document
-- it writes, in the same transaction, so a new word is known as soon as
-- it is searchable and is never "corrected" away. Words whose last
-- meeting went away stay until the next full rebuild.
CREATE TABLE search_words (
    word text COLLATE "C" PRIMARY KEY,
    ndoc int  NOT NULL DEFAULT 1
);

COMMENT ON TABLE search_words IS
    'Distinct words of meeting_search.doc, for typo correction (fuzzystrmatch). Added to by every index write, rebuilt by a full reindex.';
COMMENT ON COLUMN search_words.word IS
    'A word as searchWords (Go) writes it; byte order (COLLATE "C"), so that the primary key also finds the words starting with given letters.';
COMMENT ON COLUMN search_words.ndoc IS
    'How many documents held the word at the last full rebuild (1 for words added since): breaks ties between corrections, common words first.';

-- Corrections are the words with the query word's first letter (a range
-- of the primary key) within a small Levenshtein distance: fuzzystrmatch.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
