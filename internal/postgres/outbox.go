package postgres

import (
	"cmp"
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

// ReindexStats tells what Reindex did.
type ReindexStats struct {
	Meetings int           // public meetings sent to the index and confirmed, in this run
	Total    int           // public meetings the rebuild reads, in all its runs
	Cleared  int           // queued changes made obsolete by the rebuild
	Resumed  bool          // the run continued an unfinished rebuild
	From     int64         // ... after this meeting id
	Took     time.Duration // wall time
}

// ReindexOptions adjust Reindex.
type ReindexOptions struct {
	// Batch is the number of meetings per request to the index; 0 means
	// 1000.
	Batch int
	// InFlight is how many batches a search.BulkIndex may hold before
	// they are confirmed; 0 means 4. A plain Index takes one at a time.
	InFlight int
	// Clear, when not nil, empties the index before a fresh rebuild (not
	// before a resumed one).
	Clear func(context.Context) error
	// Resume continues the last rebuild when it did not finish, from the
	// last meeting the index confirmed, instead of starting again.
	Resume bool
	// Progress, when not nil, is called after each confirmed batch with
	// the meetings confirmed so far (in all runs) and the total.
	Progress func(done, total int)
}

// inflight is a batch handed to the index and not yet confirmed: its
// ticket (search.BulkIndex) and the last id it holds.
type inflight struct {
	ticket int64
	lastID int64
	n      int
}

// Reindex rebuilds idx from the meetings: it enables queueing (so changes
// made meanwhile are not lost), sends every public meeting in id order, in
// batches, from one snapshot, and then drops the queued changes that
// snapshot already covered. Changes committed after the snapshot stay
// queued for Deliver. With a search.BulkIndex a few batches are in flight
// at once (opts.InFlight). Progress is recorded in search_reindex as the
// index confirms each batch, so a run cut off halfway can be resumed
// (opts.Resume): the resumed run reads from a new snapshot the meetings
// after the last confirmed one; changes to those before it were queued
// since the first run began, and Deliver sends them. A resumed run keeps
// every queued change (sending one twice is harmless).
func (o *Outbox) Reindex(ctx context.Context, idx search.Index, opts ReindexOptions) (ReindexStats, error) {
	const op = "postgres.Outbox.Reindex"
	start := time.Now()
	batch, depth := cmp.Or(opts.Batch, 1000), cmp.Or(opts.InFlight, 4)
	bulk, isBulk := idx.(search.BulkIndex)
	if !isBulk {
		depth = 1
	}
	var st ReindexStats
	if err := o.Enable(ctx, true); err != nil {
		return st, err
	}
	var done int
	if opts.Resume {
		var finished *time.Time
		err := o.db.Pool.QueryRow(ctx, `SELECT last_id, sent, total, finished_at FROM search_reindex`).Scan(&st.From, &done, &st.Total, &finished)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return st, translate(op, err)
		case finished == nil:
			st.Resumed = true
		}
		if !st.Resumed {
			st.From, done = 0, 0
		}
	}
	if !st.Resumed && opts.Clear != nil {
		if err := opts.Clear(ctx); err != nil {
			return st, err
		}
	}
	var covered []int64
	err := pgx.BeginTxFunc(ctx, o.db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM search_outbox`)
		if err != nil {
			return err
		}
		if covered, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return err
		}
		var rest int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM meetings m WHERE `+publicRows+` AND m.id > $1`, st.From).Scan(&rest); err != nil {
			return err
		}
		if !st.Resumed {
			st.Total = rest
			if _, err := o.db.Pool.Exec(ctx, `INSERT INTO search_reindex (started_at, total, last_id, sent) VALUES (now(), $1, 0, 0)
				ON CONFLICT (singleton) DO UPDATE SET started_at = now(), total = $1, last_id = 0, sent = 0, finished_at = NULL`, st.Total); err != nil {
				return err
			}
		}
		var queue []inflight
		// confirm waits for the oldest batch in flight and records it.
		confirm := func() error {
			b := queue[0]
			queue = queue[1:]
			if isBulk {
				if err := bulk.Wait(ctx, b.ticket); err != nil {
					return err
				}
			}
			st.Meetings += b.n
			done += b.n
			if _, err := o.db.Pool.Exec(ctx, `UPDATE search_reindex SET last_id = $1, sent = $2`, b.lastID, done); err != nil {
				return err
			}
			if opts.Progress != nil {
				opts.Progress(done, st.Total)
			}
			return nil
		}
		after := st.From
		for {
			rows, err := tx.Query(ctx, `SELECT `+meetingColumns+` FROM meetings m WHERE `+publicRows+` AND m.id > $1 ORDER BY m.id LIMIT $2`, after, batch)
			if err != nil {
				return err
			}
			ms, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (meeting.Meeting, error) {
				var m meeting.Meeting
				err := scanMeeting(row, &m)
				return m, err
			})
			if err != nil {
				return err
			}
			if len(ms) == 0 {
				break
			}
			after = ms[len(ms)-1].ID
			b := inflight{lastID: after, n: len(ms)}
			if isBulk {
				if b.ticket, err = bulk.Enqueue(ctx, ms); err != nil {
					return err
				}
			} else if err := idx.Upsert(ctx, ms); err != nil {
				return err
			}
			queue = append(queue, b)
			if len(queue) >= depth {
				if err := confirm(); err != nil {
					return err
				}
			}
		}
		for len(queue) > 0 {
			if err := confirm(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		var me *meeting.Error
		if errors.As(err, &me) {
			return st, err
		}
		return st, translate(op, err)
	}
	if _, err := o.db.Pool.Exec(ctx, `UPDATE search_reindex SET finished_at = now()`); err != nil {
		return st, translate(op, err)
	}
	for !st.Resumed && len(covered) > 0 {
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
