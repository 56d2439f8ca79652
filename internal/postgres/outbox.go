package postgres

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
)

// Outbox carries changes of meetings to an external search index. The
// triggers of migration 0003 queue the id of every inserted, updated or
// deleted meeting in search_outbox, in the writer's own transaction, while
// sync is enabled; Deliver sends the queued meetings to the index and
// removes them from the queue only once the index has applied them, so a
// change is never lost while the index is down: it waits in the queue,
// retried with exponential backoff.
type Outbox struct {
	db *DB
}

// NewOutbox returns the outbox of db.
func NewOutbox(db *DB) *Outbox { return &Outbox{db: db} }

// Enable switches queueing on or off. Switching it on does not queue the
// meetings already there: run Reindex for that.
func (o *Outbox) Enable(ctx context.Context, on bool) error {
	_, err := o.db.Pool.Exec(ctx, `UPDATE search_sync SET enabled = $1, updated_at = now()`, on)
	return translate("postgres.Outbox.Enable", err)
}

// Enabled reports whether changes are queued.
func (o *Outbox) Enabled(ctx context.Context) (bool, error) {
	var on bool
	err := o.db.Pool.QueryRow(ctx, `SELECT enabled FROM search_sync`).Scan(&on)
	return on, translate("postgres.Outbox.Enabled", err)
}

// Pending returns how many changes wait in the queue.
func (o *Outbox) Pending(ctx context.Context) (int, error) {
	var n int
	err := o.db.Pool.QueryRow(ctx, `SELECT count(*) FROM search_outbox`).Scan(&n)
	return n, translate("postgres.Outbox.Pending", err)
}

// MaxBackoff bounds the wait between two attempts to deliver a change.
const MaxBackoff = 5 * time.Minute

// Deliver sends up to batch due changes to idx: the meetings that are
// still public are upserted, the others deleted. Several workers may run
// at once (rows are locked with SKIP LOCKED). It returns how many queued
// changes were delivered; on failure the changes stay queued with their
// next attempt pushed back (1 s, 2 s, 4 s, … up to MaxBackoff) and the
// index's error is returned.
func (o *Outbox) Deliver(ctx context.Context, idx search.Index, batch int) (int, error) {
	const op = "postgres.Outbox.Deliver"
	var delivered int
	var idxErr error
	err := pgx.BeginFunc(ctx, o.db.Pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, meeting_id FROM search_outbox WHERE next_attempt_at <= now()
			ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, batch)
		if err != nil {
			return err
		}
		var queued, ids []int64
		seen := map[int64]bool{}
		for rows.Next() {
			var qid, mid int64
			if err := rows.Scan(&qid, &mid); err != nil {
				return err
			}
			queued = append(queued, qid)
			if !seen[mid] {
				seen[mid] = true
				ids = append(ids, mid)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(queued) == 0 {
			return nil
		}
		ms, err := loadPublic(ctx, tx, ids)
		if err != nil {
			return err
		}
		var gone []int64
		for _, id := range ids {
			if _, ok := ms[id]; !ok {
				gone = append(gone, id)
			}
		}
		up := make([]meeting.Meeting, 0, len(ms))
		for _, id := range ids {
			if m, ok := ms[id]; ok {
				up = append(up, m)
			}
		}
		idxErr = idx.Upsert(ctx, up)
		if idxErr == nil {
			idxErr = idx.Delete(ctx, gone)
		}
		if idxErr != nil {
			_, err := tx.Exec(ctx, `UPDATE search_outbox SET attempts = attempts + 1, last_error = left($2, 500),
				next_attempt_at = now() + least(interval '1 second' * power(2, attempts), $3::interval)
				WHERE id = ANY($1)`, queued, idxErr.Error(), MaxBackoff.String())
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM search_outbox WHERE id = ANY($1)`, queued)
		delivered = len(queued)
		return err
	})
	if err != nil {
		return 0, translate(op, err)
	}
	return delivered, idxErr
}

// loadPublic returns the public meetings among ids, by id.
func loadPublic(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]meeting.Meeting, error) {
	rows, err := tx.Query(ctx, `SELECT `+meetingColumns+` FROM meetings m WHERE m.id = ANY($1) AND `+publicRows, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]meeting.Meeting, len(ids))
	for rows.Next() {
		var m meeting.Meeting
		if err := scanMeeting(rows, &m); err != nil {
			return nil, err
		}
		out[m.ID] = m
	}
	return out, rows.Err()
}

// outboxLock is the advisory lock (see DB.TryLock) that Run holds while
// it delivers, so that one instance at a time drains the outbox.
const outboxLock = "search.outbox"

// Run delivers queued changes until ctx ends: at once while there is a
// backlog, every interval when the queue is empty, and with exponential
// backoff (up to MaxBackoff) while the index fails. Each failure is logged
// once per outage. Every instance may run it: each delivery first takes
// the outbox's advisory lock, and an instance that finds it held skips
// that turn (another instance is delivering) and tries again an interval
// later, so batches are delivered one at a time, in queue order.
func (o *Outbox) Run(ctx context.Context, idx search.Index, interval time.Duration, log *slog.Logger) {
	const batch = 500
	wait := interval
	failing, waiting := false, false
	for {
		n, busy, err := o.deliverLocked(ctx, idx, batch)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			if !failing {
				log.Warn("search sync: delivery failed; changes stay queued", slog.String("error", err.Error()))
			}
			failing = true
			wait = min(max(2*wait, time.Second), MaxBackoff)
		case busy:
			if !waiting {
				log.Info("search sync: another instance is delivering; this one stands by")
			}
			waiting = true
			wait = interval
		default:
			if failing || waiting {
				log.Info("search sync: delivering again")
			}
			failing, waiting = false, false
			wait = interval
			if n == batch {
				wait = 0
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// deliverLocked runs Deliver under outboxLock; busy is true, and nothing
// is delivered, when another session holds it.
func (o *Outbox) deliverLocked(ctx context.Context, idx search.Index, batch int) (n int, busy bool, err error) {
	unlock, ok, err := o.db.TryLock(ctx, outboxLock)
	if err != nil {
		return 0, false, err
	}
	if !ok {
		return 0, true, nil
	}
	defer unlock()
	n, err = o.Deliver(ctx, idx, batch)
	return n, false, err
}

// ReindexStats says what Reindex did.
type ReindexStats struct {
	Meetings int           // public meetings sent to the index
	Cleared  int           // queued changes made obsolete by the rebuild
	Took     time.Duration // wall time
}

// Reindex rebuilds idx from the meetings: it enables queueing (so changes
// made meanwhile are not lost), sends every public meeting in batches from
// one snapshot, and then drops the queued changes that snapshot already
// covered. Changes committed after the snapshot stay queued for Deliver.
// clear, when not nil, empties the index first.
func (o *Outbox) Reindex(ctx context.Context, idx search.Index, clear func(context.Context) error, batch int) (ReindexStats, error) {
	const op = "postgres.Outbox.Reindex"
	start := time.Now()
	var st ReindexStats
	if err := o.Enable(ctx, true); err != nil {
		return st, err
	}
	if clear != nil {
		if err := clear(ctx); err != nil {
			return st, err
		}
	}
	var covered []int64
	err := pgx.BeginTxFunc(ctx, o.db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM search_outbox`)
		if err != nil {
			return err
		}
		covered, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		var after int64
		for {
			rows, err := tx.Query(ctx, `SELECT `+meetingColumns+` FROM meetings m WHERE `+publicRows+` AND m.id > $1 ORDER BY m.id LIMIT $2`, after, batch)
			if err != nil {
				return err
			}
			var ms []meeting.Meeting
			for rows.Next() {
				var m meeting.Meeting
				if err := scanMeeting(rows, &m); err != nil {
					rows.Close()
					return err
				}
				ms = append(ms, m)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			if len(ms) == 0 {
				return nil
			}
			if err := idx.Upsert(ctx, ms); err != nil {
				return err
			}
			st.Meetings += len(ms)
			after = ms[len(ms)-1].ID
		}
	})
	if err != nil {
		var me *meeting.Error
		if errors.As(err, &me) {
			return st, err
		}
		return st, translate(op, err)
	}
	for len(covered) > 0 {
		n := min(len(covered), 10000)
		tag, err := o.db.Pool.Exec(ctx, `DELETE FROM search_outbox WHERE id = ANY($1)`, covered[:n])
		if err != nil {
			return st, translate(op, err)
		}
		st.Cleared += int(tag.RowsAffected())
		covered = covered[n:]
	}
	st.Took = time.Since(start)
	return st, nil
}
