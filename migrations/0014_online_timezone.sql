-- 0014: a source's default zone for online meetings. Some feeds list their
-- rooms on local time and their online meetings on another clock (US
-- Eastern, say); the point of an online meeting (a city centroid) says
-- nothing about its clock, so the operator gives it apart.

ALTER TABLE sources ADD COLUMN online_timezone text NOT NULL DEFAULT '';

COMMENT ON COLUMN sources.online_timezone IS
    'IANA zone for online meetings whose record and text give none, instead of timezone; empty = timezone. An online meeting''s point is never used for its zone.';
