-- 0010: the change log. Every statement that writes meetings leaves, in
-- the same transaction, a row in meeting_changes with the ids of the
-- meetings it touched, so that an in-memory read model can learn of every
-- change by polling (it works on a hot standby, where there is no NOTIFY).
-- A reader keeps a cursor (meeting.ChangeCursor): the xmin of the snapshot
-- it last read with, and the transactions at or above that xmin whose rows
-- it has already read. Rows are keyed by the writing transaction, not by
-- a sequence: a transaction's rows become visible all at once when it
-- commits, however late, and a cursor that compares transaction ids never
-- skips them (postgres.ChangesSince). TRUNCATE is not logged: nothing
-- truncates meetings, and a reader would have to load everything again
-- after one.

CREATE TABLE meeting_changes (
    txid        xid8        NOT NULL,
    snap_xmin   xid8        NOT NULL,
    changed_at  timestamptz NOT NULL,
    meeting_ids bigint[]    NOT NULL
);

-- One row per statement, not per meeting: a 100,000-meeting import writes
-- one array instead of 100,000 rows and index entries (about 40 ms instead
-- of 400 ms). Stored uncompressed: compressing it took most of that time,
-- and the log is pruned.
ALTER TABLE meeting_changes ALTER COLUMN meeting_ids SET STORAGE EXTERNAL;

COMMENT ON TABLE meeting_changes IS
    'One row per statement that wrote meetings: the public view of meeting_ids may have changed. Written by the meetings_changes_* triggers, read by polling (postgres.ChangesSince), pruned by postgres.PruneChanges.';
COMMENT ON COLUMN meeting_changes.txid IS
    'The writing transaction (pg_current_xact_id()). Readers select rows with txid >= the xmin of their last snapshot and remember which of those transactions they have read.';
COMMENT ON COLUMN meeting_changes.snap_xmin IS
    'pg_snapshot_xmin of a snapshot taken when the row was written: a reader whose cursor is no older than changed_at has an xmin at least this large, so pruning below it never strands a reader that polled since.';
COMMENT ON COLUMN meeting_changes.changed_at IS
    'When the row was written (clock_timestamp(), not the transaction start).';
COMMENT ON COLUMN meeting_changes.meeting_ids IS
    'The meetings the statement inserted, updated or deleted (never empty).';

CREATE INDEX meeting_changes_txid ON meeting_changes (txid);

-- How far the log has been pruned: every row with txid < pruned_below may
-- be gone, so a cursor whose xmin is below it cannot be continued and its
-- reader must load everything again.
CREATE TABLE meeting_changes_horizon (
    id           boolean     PRIMARY KEY DEFAULT true CHECK (id),
    pruned_below xid8        NOT NULL DEFAULT '0',
    pruned_at    timestamptz
);
INSERT INTO meeting_changes_horizon DEFAULT VALUES;

COMMENT ON TABLE meeting_changes_horizon IS
    'One row: the log holds every change of transactions with txid >= pruned_below; cursors with an older xmin get a conflict.';

-- meeting_changes_record logs the ids of the rows a statement inserted,
-- updated or deleted: one row per statement, aggregated from its
-- transition table; a statement that touched no row logs nothing. The
-- search refresh (meeting_search_refresh, 0007) writes only the search
-- columns, which no reader of the log holds, and says so with
-- meetingfinder.search_refresh; its statements are skipped. Every other
-- UPDATE is logged, whatever it changes: a change the log missed would
-- leave a read model wrong, while one it logs needlessly costs a re-read
-- of the row. Telling the refresh apart by comparing updated_at, status
-- and deleted_at of old and new rows instead would need the OLD
-- transition table, which nothing else captures, and a join (2-3 times
-- the cost on a 100,000-row UPDATE), and would miss a writer that forgot
-- updated_at.
CREATE FUNCTION meeting_changes_record()
RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tx   xid8;
    snap xid8;
    at   timestamptz;
BEGIN
    IF current_setting('meetingfinder.search_refresh', true) = 'on' THEN
        RETURN NULL;
    END IF;
    tx := pg_current_xact_id();
    snap := pg_snapshot_xmin(pg_current_snapshot());
    at := clock_timestamp();
    IF TG_OP = 'DELETE' THEN
        INSERT INTO meeting_changes (txid, snap_xmin, changed_at, meeting_ids)
            SELECT tx, snap, at, array_agg(id) FROM old_rows HAVING count(*) > 0;
    ELSE
        INSERT INTO meeting_changes (txid, snap_xmin, changed_at, meeting_ids)
            SELECT tx, snap, at, array_agg(id) FROM new_rows HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION meeting_changes_record() IS
    'Statement-level trigger on meetings: one meeting_changes row with the ids of the rows the statement touched, except for the search refresh.';

-- A transition table belongs to one event, so there is one trigger per
-- event. The search outbox's triggers (0003) capture the same transition
-- tables, and PostgreSQL captures them once per statement for all.
CREATE TRIGGER meetings_changes_insert AFTER INSERT ON meetings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meeting_changes_record();
CREATE TRIGGER meetings_changes_update AFTER UPDATE ON meetings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meeting_changes_record();
CREATE TRIGGER meetings_changes_delete AFTER DELETE ON meetings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION meeting_changes_record();
