-- 0007: search indexing off the write path. The generated search columns
-- of 0003/0006 were computed, and their GIN indexes updated, inside every
-- INSERT and UPDATE: loading 100,000 meetings took 24 s with them and
-- 6.4 s without. They become plain columns filled afterwards by
-- meeting_search_refresh (run by serve every few seconds, and by demo,
-- import and reindex when they finish), so a write only stores the
-- meeting and text search sees it a few seconds later.
--
-- Existing rows are left NULL here (the migration is instant however big
-- the table); serve indexes them in the background at start, and
-- "meetingfinder reindex" does it at once.

ALTER TABLE meetings DROP COLUMN search_doc, DROP COLUMN search_text;

ALTER TABLE meetings
    ADD COLUMN search_doc tsvector,
    ADD COLUMN search_text text;

COMMENT ON COLUMN meetings.search_doc IS
    'Full-text document: name (A), group (B), place (C), notes (D); ''simple'' configuration over unaccented lowercase text, so prefixes of any word match. NULL until meeting_search_refresh indexes the row (again after a change of the text it reads).';
COMMENT ON COLUMN meetings.search_text IS
    'Unaccented lowercase name, group, location name, city, service areas and formatted address: the text that trigram (typo-tolerant) matching runs on. Filled with search_doc.';

-- The same partial indexes as 0006. fastupdate (the default, made
-- explicit) queues new entries in a pending list that is merged in bulk;
-- the refresh clears the list when it has indexed a batch run, so queries
-- do not scan it.
CREATE INDEX meetings_search_doc_public ON meetings USING gin (search_doc)
    WITH (fastupdate = on, gin_pending_list_limit = 16384)
    WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX meetings_search_text_public ON meetings USING gin (search_text gin_trgm_ops)
    WITH (fastupdate = on, gin_pending_list_limit = 16384)
    WHERE status = 'published' AND deleted_at IS NULL;

-- The rows waiting to be indexed, in id order: the refresh reads the next
-- batch from here instead of scanning the table past the indexed rows.
CREATE INDEX meetings_search_pending ON meetings (id)
    WHERE search_doc IS NULL AND status = 'published' AND deleted_at IS NULL;

-- meeting_search_refresh fills search_doc and search_text (the expressions
-- of 0006) for up to batch public rows that have none and returns how many
-- it did. Rows are claimed with FOR UPDATE SKIP LOCKED, so concurrent
-- callers share the work and never index a row twice; a row changed by a
-- writer meanwhile waits for the writer (and is re-read after it).
CREATE FUNCTION meeting_search_refresh(batch int)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    n int;
BEGIN
    -- Filling the search columns is no change of the meeting: the outbox
    -- (search_outbox_enqueue) skips it.
    PERFORM set_config('meetingfinder.search_refresh', 'on', true);
    UPDATE meetings m SET
        search_doc =
            setweight(to_tsvector('simple', search_normalize(m.name)), 'A') ||
            setweight(to_tsvector('simple', search_normalize(m.group_name)), 'B') ||
            setweight(to_tsvector('simple', search_normalize(m.location_name || ' ' || m.city || ' ' || m.region || ' ' ||
                m.postal_code || ' ' || m.address || ' ' || m.formatted_address || ' ' || search_join(m.regions))), 'C') ||
            setweight(to_tsvector('simple', search_normalize(m.notes || ' ' || m.location_notes)), 'D'),
        search_text =
            search_normalize(m.name || ' ' || m.group_name || ' ' || m.location_name || ' ' || m.city || ' ' ||
                search_join(m.regions) || ' ' || m.formatted_address)
    -- = ANY(ARRAY(…)) rather than IN (…): the rows are then fetched by
    -- primary key, where IN is planned as a hash join over the whole table.
    WHERE m.id = ANY (ARRAY(
        SELECT p.id FROM meetings p
        WHERE p.search_doc IS NULL AND p.status = 'published' AND p.deleted_at IS NULL
        ORDER BY p.id
        LIMIT batch
        FOR UPDATE SKIP LOCKED
    ))
    AND m.search_doc IS NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('meetingfinder.search_refresh', 'off', true);
    RETURN n;
END
$$;

COMMENT ON FUNCTION meeting_search_refresh(int) IS
    'Index up to batch public meetings whose search_doc is NULL (FOR UPDATE SKIP LOCKED: concurrent callers share the work); returns how many.';

-- A change of any text the search columns are made of clears them, so the
-- refresh indexes the meeting again. The WHEN clause is evaluated before
-- the trigger function is called: an UPDATE that changes none of these
-- columns (moderation notes, times, an unchanged re-import) costs nothing
-- and keeps its index entry. A meeting that becomes public again is
-- re-indexed too (belt and braces: its columns are current unless a change
-- bypassed this trigger).
CREATE FUNCTION meeting_search_invalidate()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_doc := NULL;
    NEW.search_text := NULL;
    RETURN NEW;
END
$$;

CREATE TRIGGER meetings_search_invalidate BEFORE UPDATE ON meetings
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name
       OR OLD.group_name IS DISTINCT FROM NEW.group_name
       OR OLD.location_name IS DISTINCT FROM NEW.location_name
       OR OLD.city IS DISTINCT FROM NEW.city
       OR OLD.region IS DISTINCT FROM NEW.region
       OR OLD.postal_code IS DISTINCT FROM NEW.postal_code
       OR OLD.address IS DISTINCT FROM NEW.address
       OR OLD.formatted_address IS DISTINCT FROM NEW.formatted_address
       OR OLD.regions IS DISTINCT FROM NEW.regions
       OR OLD.notes IS DISTINCT FROM NEW.notes
       OR OLD.location_notes IS DISTINCT FROM NEW.location_notes
       OR (NEW.status = 'published' AND NEW.deleted_at IS NULL
           AND (OLD.status IS DISTINCT FROM 'published' OR OLD.deleted_at IS NOT NULL)))
    EXECUTE FUNCTION meeting_search_invalidate();

-- The outbox (0003) as before, except that the refresh's own UPDATE is not
-- queued: it changes nothing an external index holds.
CREATE OR REPLACE FUNCTION search_outbox_enqueue()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM search_sync WHERE enabled)
       OR current_setting('meetingfinder.search_refresh', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        INSERT INTO search_outbox (meeting_id, op) SELECT id, 'delete' FROM old_rows;
    ELSE
        INSERT INTO search_outbox (meeting_id, op) SELECT id, 'upsert' FROM new_rows;
    END IF;
    RETURN NULL;
END
$$;
