package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// lockSpace is the first key of every advisory lock TryLock takes (the
// second is a hash of the caller's key), so that they never collide with
// single-key advisory locks such as the test template's.
const lockSpace = 0x6d66 // "mf"

// TryLock takes the advisory lock named key on the primary without
// waiting: ok is false (and unlock nil) when another session holds it. The
// lock is transaction-level, held by a transaction of its own on a
// connection of the pool until unlock is called, so it ends with that
// connection: an instance that dies or loses the database never leaves it
// behind. The transaction takes no snapshot once the lock is taken and
// writes nothing, so holding it long (a whole import) keeps no rows from
// being vacuumed. unlock is safe to call more than once.
func (db *DB) TryLock(ctx context.Context, key string) (unlock func(), ok bool, err error) {
	const op = "postgres.TryLock"
	tx, err := db.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return nil, false, translate(op, err)
	}
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1, hashtext($2))`, lockSpace, "meetingfinder."+key).Scan(&ok); err != nil || !ok {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return nil, false, translate(op, err)
	}
	done := false
	return func() {
		if done {
			return
		}
		done = true
		// A rollback that fails closes the connection, which ends the
		// lock just the same.
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tx.Rollback(rctx)
	}, true, nil
}
