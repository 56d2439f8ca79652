-- 0008: drop meetings_group_key. No query reads meetings by (source,
-- group_key), and every bulk insert paid for it (about a fifth of the
-- insert time of a 100,000-meeting import).
DROP INDEX IF EXISTS meetings_group_key;
