-- 0018: who maintains each listing, as its feed says: the Meeting Guide
-- specification's feedback_emails and feedback_url (where to send a
-- correction) and its entity fields (the intergroup, area or district
-- that publishes it). They are public in the feeds and shown as they
-- came; they are never logged.

ALTER TABLE meetings
    ADD COLUMN feedback_emails text[] NOT NULL DEFAULT '{}',
    ADD COLUMN feedback_url    text   NOT NULL DEFAULT '',
    ADD COLUMN entity          text   NOT NULL DEFAULT '',
    ADD COLUMN entity_email    text   NOT NULL DEFAULT '',
    ADD COLUMN entity_location text   NOT NULL DEFAULT '',
    ADD COLUMN entity_logo     text   NOT NULL DEFAULT '',
    ADD COLUMN entity_phone    text   NOT NULL DEFAULT '',
    ADD COLUMN entity_url      text   NOT NULL DEFAULT '';

COMMENT ON COLUMN meetings.feedback_emails IS
    'Where the feed says to send corrections of this listing (e-mail addresses); public in the feed, never logged.';
COMMENT ON COLUMN meetings.feedback_url IS
    'A page (http, https) or mailto: URL for corrections of this listing, as the feed gives it.';
COMMENT ON COLUMN meetings.entity IS
    'The entity (intergroup, area, district) that publishes the listing, with its entity_email, entity_location, entity_logo (URL), entity_phone and entity_url (web site), as the feed gives them.';
