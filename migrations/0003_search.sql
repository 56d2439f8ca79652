-- 0003: search. The embedded full-text index on meetings (PostgreSQL full
-- text search with unaccent, prefix matching and pg_trgm typo tolerance),
-- the type vocabulary it expands codes with, and the outbox that carries
-- every change of a meeting to an external index (Meilisearch).

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- search_normalize lowercases s and strips its accents. unaccent() is only
-- STABLE (it reads its dictionary through the search path); pinning the
-- dictionary by name makes the result depend on s alone, so the function
-- may be declared IMMUTABLE and used in generated columns and indexes.
CREATE FUNCTION search_normalize(s text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT lower(public.unaccent('public.unaccent'::regdictionary, s))
$$;

COMMENT ON FUNCTION search_normalize(text) IS
    'Lowercase and strip accents; IMMUTABLE because the unaccent dictionary is pinned by name.';

-- meeting_type_vocabulary is meeting.Types (internal/meeting/types.go):
-- each code with its English and Spanish names. A Go test
-- (postgres.TestTypeVocabularyMatchesGo) fails when the two differ; a
-- change to the vocabulary is a new migration that replaces this function
-- and rewrites meetings.search_* (UPDATE meetings SET types = types).
CREATE FUNCTION meeting_type_vocabulary()
RETURNS TABLE (code text, name text, name_es text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES
    ('11', '11th Step Meditation', 'Meditación del Paso 11'),
    ('12x12', '12 Steps & 12 Traditions', '12 Pasos y 12 Tradiciones'),
    ('A', 'Secular', 'Secular'),
    ('ABSI', 'As Bill Sees It', 'Como lo ve Bill'),
    ('AF', 'Afrikaans', 'Afrikáans'),
    ('AL', 'Concurrent with Alateen', 'Concurrente con Alateen'),
    ('AL-AN', 'Concurrent with Al-Anon', 'Concurrente con Al-Anon'),
    ('AM', 'Amharic', 'Amárico'),
    ('AR', 'Arabic', 'Árabe'),
    ('ASL', 'American Sign Language', 'Lenguaje por señas'),
    ('B', 'Big Book', 'Libro Grande'),
    ('BA', 'Babysitting Available', 'Guardería disponible'),
    ('BE', 'Newcomer', 'Principiantes'),
    ('BG', 'Bulgarian', 'Búlgaro'),
    ('BI', 'Bisexual', 'Bisexual'),
    ('BRK', 'Breakfast', 'Desayuno'),
    ('C', 'Closed', 'Cerrada'),
    ('CAN', 'Candlelight', 'Luz de una vela'),
    ('CF', 'Child-Friendly', 'Niño amigable'),
    ('D', 'Discussion', 'Discusión'),
    ('DA', 'Danish', 'Danés'),
    ('DB', 'Digital Basket', 'Canasta digital'),
    ('DD', 'Dual Diagnosis', 'Diagnóstico dual'),
    ('DE', 'German', 'Alemán'),
    ('DR', 'Daily Reflections', 'Reflexiones Diarias'),
    ('EL', 'Greek', 'Griego'),
    ('EN', 'English', 'Inglés'),
    ('FA', 'Persian', 'Persa'),
    ('FF', 'Fragrance Free', 'Sin fragancia'),
    ('FI', 'Finnish', 'Finlandés'),
    ('FR', 'French', 'Francés'),
    ('G', 'Gay', 'Gay'),
    ('GR', 'Grapevine', 'La Viña'),
    ('H', 'Birthday', 'Cumpleaños'),
    ('HE', 'Hebrew', 'Hebreo'),
    ('HI', 'Hindi', 'Hindi'),
    ('HR', 'Croatian', 'Croata'),
    ('HU', 'Hungarian', 'Húngaro'),
    ('IS', 'Icelandic', 'Islandés'),
    ('ITA', 'Italian', 'Italiano'),
    ('JA', 'Japanese', 'Japonés'),
    ('KA', 'Georgian', 'Georgiano'),
    ('KOR', 'Korean', 'Coreano'),
    ('L', 'Lesbian', 'Lesbiana'),
    ('LGBTQ', 'LGBTQ', 'LGBTQ'),
    ('LIT', 'Literature', 'Literatura'),
    ('LS', 'Living Sober', 'Viviendo Sobrio'),
    ('LT', 'Lithuanian', 'Lituano'),
    ('M', 'Men', 'Hombres'),
    ('MED', 'Meditation', 'Meditación'),
    ('ML', 'Malayalam', 'Malayalam'),
    ('MT', 'Maltese', 'Maltés'),
    ('N', 'Native American', 'Nativo Americano'),
    ('NB', 'Non-Binary', 'No binario'),
    ('NDG', 'Indigenous', 'Indígena'),
    ('NE', 'Nepali', 'Nepalí'),
    ('NL', 'Dutch', 'Holandés'),
    ('NO', 'Norwegian', 'Noruego'),
    ('O', 'Open', 'Abierta'),
    ('OUT', 'Outdoor', 'Al aire libre'),
    ('P', 'Professionals', 'Profesionales'),
    ('POA', 'Proof of Attendance', 'Prueba de Asistencia'),
    ('POC', 'People of Color', 'Gente de color'),
    ('POL', 'Polish', 'Polaco'),
    ('POR', 'Portuguese', 'Portugués'),
    ('PUN', 'Punjabi', 'Punjabi'),
    ('RUS', 'Russian', 'Ruso'),
    ('S', 'Spanish', 'Español'),
    ('SEN', 'Seniors', 'Personas mayores'),
    ('SK', 'Slovak', 'Eslovaco'),
    ('SL', 'Slovenian', 'Esloveno'),
    ('SM', 'Smoking Permitted', 'Se permite fumar'),
    ('SP', 'Speaker', 'Orador'),
    ('ST', 'Step Study', 'Estudio de pasos'),
    ('SV', 'Swedish', 'Sueco'),
    ('T', 'Transgender', 'Transgénero'),
    ('TC', 'Location Temporarily Closed', 'Ubicación temporalmente cerrada'),
    ('TH', 'Thai', 'Tailandés'),
    ('TL', 'Tagalog', 'Tagalo'),
    ('TR', 'Tradition Study', 'Estudio de tradicion'),
    ('TUR', 'Turkish', 'Turco'),
    ('UK', 'Ukrainian', 'Ucraniano'),
    ('W', 'Women', 'Mujeres'),
    ('X', 'Wheelchair Access', 'Acceso en silla de ruedas'),
    ('XB', 'Wheelchair-Accessible Bathroom', 'Baño accesible para sillas de ruedas'),
    ('XT', 'Cross Talk Permitted', 'Se permite opinar'),
    ('Y', 'Young People', 'Gente joven'),
    ('ONL', 'Online', 'En línea'),
    ('NS', 'Non-Smoking', 'No fumar')
$$;

-- meeting_type_names returns the English and Spanish names of the known
-- codes in p_types, so that "big book", "women" or "español" find meetings
-- that list only the codes B, W or S. Unknown codes add nothing.
CREATE FUNCTION meeting_type_names(p_types text[])
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(v.name || ' ' || v.name_es, ' ' ORDER BY v.code), '')
    FROM meeting_type_vocabulary() v
    WHERE v.code = ANY (p_types)
$$;

-- search_join joins the words of a text array with spaces. array_to_string
-- is STABLE for arrays of any type; for text[] it depends on its input
-- alone.
CREATE FUNCTION search_join(a text[])
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT array_to_string(a, ' ')
$$;

-- The searchable text, computed by the database on every write (COPY,
-- importer, API) so that no writer can forget it.
ALTER TABLE meetings
    ADD COLUMN search_doc tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', search_normalize(name)), 'A') ||
        setweight(to_tsvector('simple', search_normalize(group_name || ' ' || meeting_type_names(types))), 'B') ||
        setweight(to_tsvector('simple', search_normalize(location_name || ' ' || city || ' ' || region || ' ' ||
            postal_code || ' ' || address || ' ' || formatted_address || ' ' || search_join(regions))), 'C') ||
        setweight(to_tsvector('simple', search_normalize(notes || ' ' || location_notes)), 'D')
    ) STORED,
    ADD COLUMN search_text text GENERATED ALWAYS AS (
        search_normalize(name || ' ' || group_name || ' ' || meeting_type_names(types) || ' ' ||
            location_name || ' ' || city || ' ' || search_join(regions) || ' ' || formatted_address)
    ) STORED;

COMMENT ON COLUMN meetings.search_doc IS
    'Full-text document: name (A), group and type names (B), place (C), notes (D); ''simple'' configuration over unaccented lowercase text, so prefixes of any word match.';
COMMENT ON COLUMN meetings.search_text IS
    'Unaccented lowercase name, group, type names, location name, city, service areas and formatted address: the text that trigram (typo-tolerant) matching runs on.';

CREATE INDEX meetings_search_doc_public ON meetings USING gin (search_doc)
    WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX meetings_search_text_public ON meetings USING gin (search_text gin_trgm_ops)
    WHERE status = 'published' AND deleted_at IS NULL;

-- Place search (GET /v1/places) groups public meetings by city and by
-- postal code; these indexes find the candidates by prefix or trigram.
CREATE INDEX meetings_city_public ON meetings USING gin (search_normalize(city) gin_trgm_ops)
    WHERE status = 'published' AND deleted_at IS NULL AND geog IS NOT NULL AND city <> '';
CREATE INDEX meetings_postal_code_public ON meetings (upper(postal_code) text_pattern_ops)
    WHERE status = 'published' AND deleted_at IS NULL AND geog IS NOT NULL AND postal_code <> '';

-- search_sync says whether changes are queued for an external index. It
-- is switched on by "meetingfinder reindex" and by serve when MEILI_URL is
-- set; while it is off (the PostgreSQL-only setup) writers pay nothing.
CREATE TABLE search_sync (
    id         boolean     PRIMARY KEY DEFAULT true CHECK (id),
    enabled    boolean     NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO search_sync DEFAULT VALUES;

COMMENT ON TABLE search_sync IS 'One row: enabled = changes to meetings are queued in search_outbox for an external index.';

-- search_outbox holds the ids of meetings changed since the external index
-- last saw them. Rows are written by the triggers below in the same
-- transaction as the change, so a change is never lost; the worker deletes
-- a row only after the index has acknowledged it.
CREATE TABLE search_outbox (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id      bigint      NOT NULL,
    op              text        NOT NULL CHECK (op IN ('upsert', 'delete')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        int         NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text        NOT NULL DEFAULT ''
);

COMMENT ON COLUMN search_outbox.op IS 'upsert = the row was inserted or updated (the worker re-reads it: a row no longer public is deleted from the index); delete = the row is gone.';
COMMENT ON COLUMN search_outbox.next_attempt_at IS 'Earliest time of the next delivery attempt (exponential backoff after failures).';

CREATE INDEX search_outbox_due ON search_outbox (next_attempt_at, id);

-- Statement-level triggers with transition tables: one INSERT … SELECT per
-- statement, however many rows it touches, and nothing at all while sync
-- is off.
CREATE FUNCTION search_outbox_enqueue()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM search_sync WHERE enabled) THEN
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

CREATE TRIGGER meetings_search_insert AFTER INSERT ON meetings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_enqueue();
CREATE TRIGGER meetings_search_update AFTER UPDATE ON meetings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_enqueue();
CREATE TRIGGER meetings_search_delete AFTER DELETE ON meetings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_enqueue();
