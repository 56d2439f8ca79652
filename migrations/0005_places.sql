-- 0005: places. A summary of where public meetings are, built from the
-- listings themselves, so that "meetings near Scranton" works with no
-- outside geocoder: one row per city (city, region, country) and per
-- postal code, with the centre of its meetings and how many there are.
-- Listings without a city but with a North American formatted address
-- ("337 Spring St, West Pittston, PA 18643, USA") contribute the city,
-- state and postal code read from it.
--
-- It is a materialized view: serve refreshes it periodically and
-- "meetingfinder reindex" refreshes it at once.

CREATE MATERIALIZED VIEW places AS
WITH parts AS (
    SELECT m.geog::geometry AS g, m.city, m.region, m.postal_code, m.country,
           CASE WHEN m.city = '' OR m.postal_code = '' THEN
               regexp_match(m.formatted_address,
                   ', ([^,]+), ([A-Z]{2}) ([0-9]{5}(?:-[0-9]{4})?|[A-Z][0-9][A-Z] ?[0-9][A-Z][0-9])(?:, ([^,]+))?$')
           END AS a
    FROM meetings m
    WHERE m.status = 'published' AND m.deleted_at IS NULL AND m.geog IS NOT NULL AND NOT m.approximate
), p AS (
    SELECT g,
           btrim(coalesce(nullif(city, ''), a[1], '')) AS city,
           upper(btrim(coalesce(nullif(region, ''), a[2], ''))) AS region,
           upper(btrim(coalesce(nullif(postal_code, ''), a[3], ''))) AS postal_code,
           upper(btrim(CASE
               WHEN country <> '' THEN country
               WHEN a[3] ~ '^[0-9]' THEN 'US'
               WHEN a[3] IS NOT NULL THEN 'CA'
               ELSE '' END)) AS country
    FROM parts
)
SELECT 'city'::text AS kind,
       search_normalize(city) AS key, region, country,
       concat_ws(', ', min(city), nullif(region, ''), nullif(country, '')) AS name,
       ST_Y(ST_Centroid(ST_Collect(g))) AS lat, ST_X(ST_Centroid(ST_Collect(g))) AS lng,
       count(*)::int AS meetings
FROM p WHERE city <> ''
GROUP BY search_normalize(city), region, country
UNION ALL
SELECT 'postal_code', lower(postal_code), '', country,
       concat_ws(', ', postal_code, nullif(country, '')),
       ST_Y(ST_Centroid(ST_Collect(g))), ST_X(ST_Centroid(ST_Collect(g))),
       count(*)::int
FROM p WHERE postal_code <> ''
GROUP BY postal_code, country;

COMMENT ON MATERIALIZED VIEW places IS
    'Cities and postal codes of public meetings with their centre and meeting count; refreshed by serve and reindex.';
COMMENT ON COLUMN places.key IS 'Unaccented lowercase city name, or lowercase postal code: what a query is matched against.';

-- REFRESH … CONCURRENTLY needs a unique index; readers are never blocked.
CREATE UNIQUE INDEX places_identity ON places (kind, key, region, country);
CREATE INDEX places_key_trgm ON places USING gin (key gin_trgm_ops);

-- 0003's expression indexes for grouping meetings by city and postal code
-- at query time are superseded by this view.
DROP INDEX meetings_city_public;
DROP INDEX meetings_postal_code_public;
