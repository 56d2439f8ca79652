package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// The change log (migration 0010): triggers on meetings write, in the
// same transaction as every write, one meeting_changes row per statement
// with the ids of the meetings it touched, keyed by the writing
// transaction (txid). A reader polls it
// with ChangesSince. A cursor holds the xmin of the snapshot it was read
// with: every transaction below it had ended then, so its changes have
// been read; transactions at or above it may still commit, and the
// cursor lists those whose changes it has read (a transaction's rows
// become visible together, at its commit). Nothing here depends on the
// order in which transactions commit, and nothing writes: it works on a
// hot standby.

var (
	_ meeting.ChangeLog    = (*DB)(nil)
	_ meeting.PublicLoader = (*DB)(nil)
)

// DefaultChangeRetention is how long PruneChanges keeps the change log by
// default: a reader that has not polled for longer must load everything
// again.
const DefaultChangeRetention = 24 * time.Hour

// ChangesSince implements meeting.ChangeLog. In one statement, and so one
// snapshot, it reads that snapshot's xmin, the log's horizon and the rows
// of transactions at or above c.Xmin that c has not seen, and returns
// their meetings (ascending, each once) with the cursor of that snapshot.
// A cursor below the horizon (PruneChanges removed rows it had not read)
// is KindConflict; other errors are *meeting.Error as translate gives.
func (db *DB) ChangesSince(ctx context.Context, c meeting.ChangeCursor) (meeting.ChangeBatch, error) {
	const op = "postgres.ChangesSince"
	seen := c.Seen
	if seen == nil {
		seen = []uint64{}
	}
	rows, err := db.Pool.Query(ctx, `SELECT s.xmin, h.pruned_below, c.txid, c.meeting_ids
		FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) s
		CROSS JOIN meeting_changes_horizon h
		LEFT JOIN meeting_changes c ON $1::xid8 >= h.pruned_below AND c.txid >= $1::xid8 AND c.txid <> ALL ($2::xid8[])`,
		c.Xmin, seen)
	if err != nil {
		return meeting.ChangeBatch{}, translate(op, err)
	}
	defer rows.Close()
	var xmin, horizon uint64
	var ids, batch []int64
	var txids []uint64
	for rows.Next() {
		var tx *uint64
		batch = batch[:0]
		if err := rows.Scan(&xmin, &horizon, &tx, &batch); err != nil {
			return meeting.ChangeBatch{}, translate(op, err)
		}
		if tx != nil {
			ids = append(ids, batch...)
			txids = append(txids, *tx)
		}
	}
	if err := rows.Err(); err != nil {
		return meeting.ChangeBatch{}, translate(op, err)
	}
	if c.Xmin < horizon {
		return meeting.ChangeBatch{}, meeting.Errorf(meeting.KindConflict, op,
			"the change log has been pruned past the cursor (xmin %d < %d): load everything again", c.Xmin, horizon)
	}
	if xmin < c.Xmin {
		// The server that answered is behind the cursor: another server
		// of the cluster (reads that moved between a standby and the
		// primary), or a standby still replaying what the cursor's
		// server had. Take nothing from it and keep the cursor, so that
		// the reader never moves back; it reads on once that server has
		// caught up (one server's snapshots never go back).
		return meeting.ChangeBatch{Next: c}, nil
	}
	slices.Sort(ids)
	next := meeting.ChangeCursor{Xmin: xmin, Seen: seenFrom(xmin, c.Seen, txids)}
	return meeting.ChangeBatch{IDs: slices.Compact(ids), Next: next}, nil
}

// seenFrom returns, sorted and each once, the transactions of old and
// read that are at or above xmin: those a cursor at xmin must remember.
func seenFrom(xmin uint64, old, read []uint64) []uint64 {
	var out []uint64
	for _, s := range [][]uint64{old, read} {
		for _, t := range s {
			if t >= xmin {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// PruneChanges removes the entries of the change log (one per writing
// statement) written more than olderThan ago (olderThan < 1:
// DefaultChangeRetention) and returns how many it removed. Precisely, it
// removes the entries of transactions below the snapshot xmin recorded
// with the newest such entry, all written before it, and raises the log's
// horizon to that xmin: a cursor read since then has an xmin at least as
// large and reads on; an older one gets KindConflict from ChangesSince.
// On a hot standby it does nothing (the primary prunes, and the standby
// follows), so every instance may run it. Errors are *meeting.Error.
func (db *DB) PruneChanges(ctx context.Context, olderThan time.Duration) (int64, error) {
	const op = "postgres.PruneChanges"
	if olderThan < 1 {
		olderThan = DefaultChangeRetention
	}
	var standby bool
	if err := db.Pool.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil || standby {
		return 0, translate(op, err)
	}
	var n int64
	err := db.Pool.QueryRow(ctx, `WITH h AS (
			SELECT max(snap_xmin) AS below FROM meeting_changes
			WHERE changed_at < clock_timestamp() - $1::interval
		), d AS (
			DELETE FROM meeting_changes c USING h WHERE c.txid < h.below RETURNING 1
		), u AS (
			UPDATE meeting_changes_horizon SET pruned_below = h.below, pruned_at = now()
			FROM h WHERE h.below > pruned_below
		)
		SELECT count(*) FROM d`, olderThan).Scan(&n)
	return n, translate(op, err)
}

// LoadPublic implements meeting.PublicLoader. It reads in one REPEATABLE
// READ, read-only transaction (so it works on a hot standby): first the
// cursor of its snapshot (its xmin, and the transactions at or above it
// whose changes the snapshot holds), then every public meeting in the
// order of a sequential scan (mostly id order; sorting 1,000,000 rows
// would spill to disk), streamed to fn one at a time over one binary
// query. An error from fn is returned as it is; others are *meeting.Error.
func (db *DB) LoadPublic(ctx context.Context, fn func(*meeting.Meeting) error) (meeting.ChangeCursor, error) {
	const op = "postgres.LoadPublic"
	var c meeting.ChangeCursor
	var fnErr error
	err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT s.xmin, ARRAY(SELECT DISTINCT txid FROM meeting_changes WHERE txid >= s.xmin ORDER BY txid)
			FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) s`).Scan(&c.Xmin, &c.Seen); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+meetingColumns+` FROM meetings m WHERE `+publicRows, binaryResults)
		if err != nil {
			return err
		}
		defer rows.Close()
		var m meeting.Meeting
		var raw rawScanner
		for rows.Next() {
			if err := raw.scan(rows.RawValues(), &m); err != nil {
				return err
			}
			if fnErr = fn(&m); fnErr != nil {
				return fnErr
			}
		}
		return rows.Err()
	})
	if fnErr != nil {
		return meeting.ChangeCursor{}, fnErr
	}
	if err != nil {
		return meeting.ChangeCursor{}, translate(op, err)
	}
	if len(c.Seen) == 0 {
		c.Seen = nil
	}
	return c, nil
}

// EstimatePublic returns PostgreSQL's estimate of the number of meetings
// (the planner's statistics; public or not, so a little high), for
// readmodel.PublicEstimator: it reads no rows, and works on a standby.
func (db *DB) EstimatePublic(ctx context.Context) (int, error) {
	var n float64
	err := db.Pool.QueryRow(ctx, `SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'meetings'::regclass`).Scan(&n)
	return int(n), translate("postgres.EstimatePublic", err)
}

// PublicByID implements meeting.PublicLoader: the public meetings among
// ids, in id order. Errors are *meeting.Error.
func (db *DB) PublicByID(ctx context.Context, ids []int64) ([]meeting.Meeting, error) {
	const op = "postgres.PublicByID"
	out := []meeting.Meeting{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.Pool.Query(ctx, `SELECT `+meetingColumns+` FROM meetings m WHERE m.id = ANY ($1) AND `+publicRows+` ORDER BY m.id`, ids)
	if err != nil {
		return nil, translate(op, err)
	}
	out, err = pgx.AppendRows(out, rows, func(row pgx.CollectableRow) (meeting.Meeting, error) {
		var m meeting.Meeting
		err := scanMeeting(row, &m)
		return m, err
	})
	return out, translate(op, err)
}
