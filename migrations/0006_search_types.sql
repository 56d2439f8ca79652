-- 0006: match type names at query time instead of storing them.
-- Expanding type codes into names inside the generated search columns
-- (0003) cost about 0.1 ms a row in a non-inlinable SQL function, which
-- made bulk loads (the demo's COPY, large imports) eight times slower. The
-- search columns are rebuilt without the names; a query word that names a
-- type ("women", "big book", "español") is turned into type codes in Go
-- (search.TypeCodes, from meeting.Types) and matched against
-- meetings.types, which has its own GIN index.

ALTER TABLE meetings DROP COLUMN search_doc, DROP COLUMN search_text;

ALTER TABLE meetings
    ADD COLUMN search_doc tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', search_normalize(name)), 'A') ||
        setweight(to_tsvector('simple', search_normalize(group_name)), 'B') ||
        setweight(to_tsvector('simple', search_normalize(location_name || ' ' || city || ' ' || region || ' ' ||
            postal_code || ' ' || address || ' ' || formatted_address || ' ' || search_join(regions))), 'C') ||
        setweight(to_tsvector('simple', search_normalize(notes || ' ' || location_notes)), 'D')
    ) STORED,
    ADD COLUMN search_text text GENERATED ALWAYS AS (
        search_normalize(name || ' ' || group_name || ' ' || location_name || ' ' || city || ' ' ||
            search_join(regions) || ' ' || formatted_address)
    ) STORED;

COMMENT ON COLUMN meetings.search_doc IS
    'Full-text document: name (A), group (B), place (C), notes (D); ''simple'' configuration over unaccented lowercase text, so prefixes of any word match. Type names are matched at query time against types.';
COMMENT ON COLUMN meetings.search_text IS
    'Unaccented lowercase name, group, location name, city, service areas and formatted address: the text that trigram (typo-tolerant) matching runs on.';

CREATE INDEX meetings_search_doc_public ON meetings USING gin (search_doc)
    WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX meetings_search_text_public ON meetings USING gin (search_text gin_trgm_ops)
    WHERE status = 'published' AND deleted_at IS NULL;

DROP FUNCTION meeting_type_names(text[]);
DROP FUNCTION meeting_type_vocabulary();
