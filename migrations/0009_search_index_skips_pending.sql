-- 0009: the full-text and trigram indexes hold only indexed rows. A meeting
-- waiting for meeting_search_refresh has NULL search columns; GIN still
-- stores an entry for a NULL, so every bulk insert paid for two index
-- entries that no query can use. Text queries compare with strict
-- operators (@@, %, <%), from which PostgreSQL proves IS NOT NULL, so they
-- still use these indexes.
DROP INDEX meetings_search_doc_public;
DROP INDEX meetings_search_text_public;
CREATE INDEX meetings_search_doc_public ON meetings USING gin (search_doc)
    WITH (fastupdate = on, gin_pending_list_limit = 16384)
    WHERE status = 'published' AND deleted_at IS NULL AND search_doc IS NOT NULL;
CREATE INDEX meetings_search_text_public ON meetings USING gin (search_text gin_trgm_ops)
    WITH (fastupdate = on, gin_pending_list_limit = 16384)
    WHERE status = 'published' AND deleted_at IS NULL AND search_text IS NOT NULL;
