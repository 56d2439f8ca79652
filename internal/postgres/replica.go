package postgres

import (
	"context"
	"regexp"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// CheckReplica checks that db is a hot standby fit to answer reads: a
// KindInvalid error when its server is not in recovery (a primary: reads
// would be served from a second, diverging database), else CheckSchema's
// answer (a standby replays its primary's migrations, so a version that
// differs means another database). With fallback (DATABASE_READ_URL
// listing the standby and then the primary, target_session_attrs=
// prefer-standby), landing on the primary is allowed: the standby is
// unreachable and reads come from the primary until it is back.
func (db *DB) CheckReplica(ctx context.Context, fallback bool) error {
	const op = "postgres.CheckReplica"
	var standby bool
	if err := db.Pool.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil {
		return translate(op, err)
	}
	if !standby && !fallback {
		return meeting.Errorf(meeting.KindInvalid, op, "DATABASE_READ_URL points at a primary (pg_is_in_recovery() is false): point it at a streaming standby of DATABASE_URL, or leave it unset")
	}
	return db.CheckSchema(ctx)
}

// ReplicaLag returns how far db, a standby, is behind its primary: the age
// of the last transaction it replayed, or 0 when it has replayed all the
// WAL it received (an idle primary sends none, so the age alone would
// grow without any lag); and whether the server that answered is a
// primary after all (a read URL that falls back to the primary, see
// CheckReplica), whose lag is 0.
func (db *DB) ReplicaLag(ctx context.Context) (lag time.Duration, onPrimary bool, err error) {
	var secs float64
	var standby bool
	err = db.Pool.QueryRow(ctx, `SELECT pg_is_in_recovery(), CASE
		WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
		ELSE coalesce(greatest(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0), 0)::float8 END`).Scan(&standby, &secs)
	if err != nil {
		return 0, false, translate("postgres.ReplicaLag", err)
	}
	return time.Duration(secs * float64(time.Second)), !standby, nil
}

// PrefersStandby reports whether a connection URL asks for a standby
// with the primary as fallback (target_session_attrs=prefer-standby).
func PrefersStandby(url string) bool { return preferStandby.MatchString(url) }

// preferStandby matches the setting in a URL (…&target_session_attrs=…)
// or a key=value connection string.
var preferStandby = regexp.MustCompile(`(?:^|[?&\s])target_session_attrs\s*=\s*prefer-standby(?:$|[&\s])`)
