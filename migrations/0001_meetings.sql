-- 0001: meetings, the source of truth, with the spatial and filter indexes
-- and the function that computes a meeting's current or next occurrence in
-- its own time zone.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE meetings (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source            text        NOT NULL,
    external_id       text        NOT NULL,
    group_key         text        NOT NULL DEFAULT '',
    name              text        NOT NULL,
    program           text        NOT NULL CHECK (program IN ('aa','na','smart','al-anon','celebrate-recovery','activity','other')),
    day               smallint    CHECK (day BETWEEN 0 AND 6),
    start_time        time,
    end_time          time,
    timezone          text,
    types             text[]      NOT NULL DEFAULT '{}',
    attendance        text        NOT NULL CHECK (attendance IN ('in_person','hybrid','online','inactive')),
    location_name     text        NOT NULL DEFAULT '',
    address           text        NOT NULL DEFAULT '',
    city              text        NOT NULL DEFAULT '',
    region            text        NOT NULL DEFAULT '',
    postal_code       text        NOT NULL DEFAULT '',
    country           text        NOT NULL DEFAULT '',
    formatted_address text        NOT NULL DEFAULT '',
    regions           text[]      NOT NULL DEFAULT '{}',
    location_notes    text        NOT NULL DEFAULT '',
    geog              geography(Point, 4326),
    approximate       boolean     NOT NULL DEFAULT false,
    online_url        text        NOT NULL DEFAULT '',
    online_url_notes  text        NOT NULL DEFAULT '',
    online_phone      text        NOT NULL DEFAULT '',
    online_phone_notes text       NOT NULL DEFAULT '',
    notes             text        NOT NULL DEFAULT '',
    group_name        text        NOT NULL DEFAULT '',
    url               text        NOT NULL DEFAULT '',
    status            text        NOT NULL DEFAULT 'published' CHECK (status IN ('published','pending','rejected')),
    org_id            bigint,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    CONSTRAINT meetings_source_external_id UNIQUE (source, external_id),
    CONSTRAINT meetings_scheduled CHECK ((day IS NULL) = (start_time IS NULL))
);

COMMENT ON COLUMN meetings.day IS 'Weekday in the meeting''s own time zone, 0 = Sunday; NULL with start_time NULL = by appointment.';
COMMENT ON COLUMN meetings.start_time IS 'Local wall-clock start in the meeting''s own time zone.';
COMMENT ON COLUMN meetings.end_time IS 'Local wall-clock end; earlier than start_time when the meeting runs past midnight; NULL = unknown (one hour is assumed).';
COMMENT ON COLUMN meetings.timezone IS 'IANA zone name; NULL when unknown (flagged at import; such meetings get no next_start).';
COMMENT ON COLUMN meetings.group_key IS 'Shared by the rows of one listing held on several days.';
COMMENT ON COLUMN meetings.geog IS 'The meeting place (WGS 84). NULL when the listing has no real point.';
COMMENT ON COLUMN meetings.approximate IS 'The location is only a locality (e.g. an online meeting''s city), not a door to walk to.';
COMMENT ON COLUMN meetings.status IS 'Moderation state; only published rows are public.';
COMMENT ON COLUMN meetings.deleted_at IS 'Set when a meeting is removed (recoverable); public queries skip such rows.';

-- The public rows are the ones every query reads; the indexes cover only them.
CREATE INDEX meetings_geog_public ON meetings USING gist (geog)
    WHERE status = 'published' AND deleted_at IS NULL;
-- Without a point, results are ordered by (day, start time, id), with
-- by-appointment meetings (no day) last; this index serves that order and
-- its keyset pagination.
CREATE INDEX meetings_schedule_public ON meetings ((coalesce(day, 7)), (coalesce(start_time, '00:00'::time)), id)
    WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX meetings_types_public ON meetings USING gin (types)
    WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX meetings_group_key ON meetings (source, group_key);

-- local_instant returns the instant at which the wall clock of zone p_tz
-- reads p_local. When the clock reads it twice (the hour repeated when
-- daylight-saving time ends) it returns the first, since people arrive when
-- their clock first shows the meeting's time; a time skipped by a
-- daylight-saving start is read with the offset in force before the jump
-- (02:30 becomes 03:30), as PostgreSQL and Go both do.
CREATE FUNCTION local_instant(p_local timestamp, p_tz text)
RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    a   timestamptz := p_local AT TIME ZONE p_tz;
    x   timestamptz := a - interval '3 hours';
    off interval    := (x AT TIME ZONE p_tz) - (x AT TIME ZONE 'UTC');
    c   timestamptz := (p_local - off) AT TIME ZONE 'UTC';
BEGIN
    IF c < a AND (c AT TIME ZONE p_tz) = p_local THEN
        RETURN c;
    END IF;
    RETURN a;
END
$$;

-- meeting_occurrence returns the start of the occurrence of a weekly meeting
-- that is in progress at p_at, or else of its next occurrence, computed on
-- the wall clock of the meeting's own zone (so a 19:00 meeting stays at
-- 19:00 local across daylight-saving changes). NULL when the meeting has no
-- day, time or zone.
CREATE FUNCTION meeting_occurrence(p_day smallint, p_start time, p_end time, p_tz text, p_at timestamptz)
RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    lnow  timestamp;
    back  int;
    d0    date;
    s0    timestamptz;
    dur   interval;
BEGIN
    IF p_day IS NULL OR p_start IS NULL OR p_tz IS NULL THEN
        RETURN NULL;
    END IF;
    lnow := p_at AT TIME ZONE p_tz;
    back := (extract(dow FROM lnow)::int - p_day + 7) % 7;
    d0 := lnow::date - back;
    s0 := local_instant(d0 + p_start, p_tz);
    IF p_end IS NULL THEN
        dur := interval '1 hour';
    ELSIF p_end > p_start THEN
        dur := p_end - p_start;
    ELSE
        dur := (p_end - p_start) + interval '24 hours';
    END IF;
    IF s0 > p_at OR p_at < s0 + dur THEN
        RETURN s0;
    END IF;
    RETURN local_instant((d0 + 7) + p_start, p_tz);
END
$$;

COMMENT ON FUNCTION meeting_occurrence(smallint, time, time, text, timestamptz) IS
    'Start of the occurrence in progress at p_at, else of the next one, in the meeting''s own zone.';
