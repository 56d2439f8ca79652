-- 0015: what each import run decided about its meetings' clocks and
-- places: how many meetings took their zone from each rule (the record,
-- its text, the source's default, the point) and how many have no point,
-- had theirs dropped, or were placed at a centroid or by a geocoder.

ALTER TABLE import_runs ADD COLUMN zones jsonb NOT NULL DEFAULT '{}';
ALTER TABLE import_runs ADD COLUMN points jsonb NOT NULL DEFAULT '{}';

COMMENT ON COLUMN import_runs.zones IS
    'meeting.ZoneCounts as JSON: meetings by the rule that gave them their zone (record, text, source, point, none) and how many were flagged for rules that disagree.';
COMMENT ON COLUMN import_runs.points IS
    'meeting.PointCounts as JSON: meetings without a point, with a point dropped as contradicting the address, placed at a centroid, geocoded.';
