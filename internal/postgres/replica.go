package postgres

import (
	"context"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// CheckReplica checks that db is a hot standby fit to answer reads: a
// KindInvalid error when its server is not in recovery (a primary: reads
// would be served from a second, diverging database), else CheckSchema's
// answer (a standby replays its primary's migrations, so a version that
// differs means another database).
func (db *DB) CheckReplica(ctx context.Context) error {
	const op = "postgres.CheckReplica"
	var standby bool
	if err := db.Pool.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil {
		return translate(op, err)
	}
	if !standby {
		return meeting.Errorf(meeting.KindInvalid, op, "DATABASE_READ_URL points at a primary (pg_is_in_recovery() is false): point it at a streaming standby of DATABASE_URL, or leave it unset")
	}
	return db.CheckSchema(ctx)
}

// ReplicaLag returns how far db, a standby, is behind its primary: the age
// of the last transaction it replayed, or 0 when it has replayed all the
// WAL it received (an idle primary sends none, so the age alone would
// grow without any lag). On a primary it is 0.
func (db *DB) ReplicaLag(ctx context.Context) (time.Duration, error) {
	var secs float64
	err := db.Pool.QueryRow(ctx, `SELECT CASE
		WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
		ELSE coalesce(greatest(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0), 0)::float8 END`).Scan(&secs)
	if err != nil {
		return 0, translate("postgres.ReplicaLag", err)
	}
	return time.Duration(secs * float64(time.Second)), nil
}
