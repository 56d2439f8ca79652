-- 0004: organizations that publish their own listings through the API,
-- their API keys (and the admin keys that moderate), public change
-- requests, and the audit log of every change made through the API.

CREATE TABLE organizations (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL UNIQUE CHECK (name <> ''),
    trusted    boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE organizations IS 'Intergroups, facilitators, churches, groups: publishers that keep their own listings (meetings.org_id).';
COMMENT ON COLUMN organizations.trusted IS 'Listings of a trusted organization are published directly; others wait for an admin (status pending).';

CREATE TABLE api_keys (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    prefix     text        NOT NULL UNIQUE,
    hash       bytea       NOT NULL UNIQUE,
    org_id     bigint      REFERENCES organizations (id) ON DELETE CASCADE,
    role       text        NOT NULL CHECK (role IN ('org','admin')),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CONSTRAINT api_keys_role_org CHECK ((role = 'admin') = (org_id IS NULL))
);

COMMENT ON TABLE api_keys IS 'Bearer keys. The key itself is shown once at creation and never stored.';
COMMENT ON COLUMN api_keys.prefix IS 'The first characters of the key (mf_ and 8 more), to name a key in lists, logs and the audit without revealing it.';
COMMENT ON COLUMN api_keys.hash IS 'SHA-256 of the whole key. Keys carry 192 random bits, so a fast hash is enough.';
COMMENT ON COLUMN api_keys.role IS 'org = acts for org_id on its own listings; admin = moderates every listing (org_id NULL).';

ALTER TABLE meetings ADD COLUMN status_reason text NOT NULL DEFAULT '';
COMMENT ON COLUMN meetings.status_reason IS 'Why an admin rejected the listing; shown to the owning organization.';

ALTER TABLE meetings ADD CONSTRAINT meetings_org_id
    FOREIGN KEY (org_id) REFERENCES organizations (id);

CREATE INDEX meetings_org ON meetings (org_id, id) WHERE org_id IS NOT NULL;
CREATE INDEX meetings_moderation ON meetings (status, id) WHERE status <> 'published' AND deleted_at IS NULL;

CREATE TABLE change_requests (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id  bigint      NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    proposed    jsonb       NOT NULL,
    contact     text        NOT NULL DEFAULT '',
    status      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open','applied','dismissed')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    resolved_by text        NOT NULL DEFAULT ''
);

COMMENT ON TABLE change_requests IS 'Corrections proposed by the public for a listing, applied or dismissed by its owner or an admin.';
COMMENT ON COLUMN change_requests.proposed IS 'A JSON merge patch over the listing''s API input shape (name, day, location.address, …).';
COMMENT ON COLUMN change_requests.contact IS 'How to reach the requester, if given; shown only to the owner and admins, never logged.';
COMMENT ON COLUMN change_requests.resolved_by IS 'The actor (org:ID or admin:PREFIX) that applied or dismissed it.';

CREATE INDEX change_requests_meeting ON change_requests (meeting_id, id);
CREATE INDEX change_requests_open ON change_requests (id) WHERE status = 'open';

CREATE TABLE audit_log (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id bigint      NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    actor      text        NOT NULL,
    action     text        NOT NULL CHECK (action IN ('create','replace','patch','delete','approve','reject','change_request','upload')),
    note       text        NOT NULL DEFAULT '',
    before     jsonb,
    after      jsonb,
    at         timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE audit_log IS 'Every change made to a listing through the API: who, when, what, and the listing before and after.';
COMMENT ON COLUMN audit_log.actor IS 'org:ID, admin:KEY_PREFIX, or import:SOURCE.';
COMMENT ON COLUMN audit_log.note IS 'The reason of a rejection, or which change request was applied.';
COMMENT ON COLUMN audit_log.before IS 'The listing before the change (meeting.Meeting as encoding/json writes it); NULL for a creation.';
COMMENT ON COLUMN audit_log.after IS 'The listing after the change; NULL for a deletion (the row stays, with deleted_at set).';

CREATE INDEX audit_log_meeting ON audit_log (meeting_id, id);
