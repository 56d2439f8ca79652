-- 0017: geocoding at import. Meetings with an address and no point that
-- the listings' own centroids cannot place are sent, when an operator
-- configures one, to a Nominatim-compatible geocoder. Its answers are kept
-- by query, the addresses it could not place too, so that a re-import
-- makes no new requests; and each meeting records whether its point came
-- from the geocoder.

CREATE TABLE geocode_cache (
    query       text        PRIMARY KEY,
    found       boolean     NOT NULL,
    lng         float8,
    lat         float8,
    rank        smallint    NOT NULL DEFAULT 0,
    geocoded_at timestamptz NOT NULL DEFAULT now(),
    CHECK (found = (lng IS NOT NULL AND lat IS NOT NULL)),
    CHECK (rank BETWEEN 0 AND 30)
);

COMMENT ON TABLE geocode_cache IS
    'A geocoder''s answers by query (the address as sent, lower case, spaces folded): the point and its precision, or found = false for an address it could not place.';
COMMENT ON COLUMN geocode_cache.rank IS
    'Nominatim''s address rank of the answer: 28-30 a house number, building or named place (a door); 26-27 a street; lower a postal code, town or wider (approximate); 0 not given.';

ALTER TABLE meetings ADD COLUMN geocoded boolean NOT NULL DEFAULT false;

COMMENT ON COLUMN meetings.geocoded IS
    'The point came from the geocoder at import, from the address (the record gave none, or one that contradicted the address); approximate when the geocoder placed only the street, postal code or town.';
