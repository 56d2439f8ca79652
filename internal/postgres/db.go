// Package postgres implements meeting.Store (and the migrations runner) on
// PostgreSQL with PostGIS through pgx v5. It translates database errors into
// meeting.Error kinds: no rows become KindNotFound, unique violations
// KindConflict, and a database that cannot be reached KindUnavailable.
package postgres

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// DB is a connection pool to the meetingfinder database.
type DB struct {
	Pool *pgxpool.Pool
}

// Open connects to the database at url (a postgres:// URL or DSN). It does
// not check the schema: call CheckSchema for that. Connection attempts time
// out after connectTimeout so that a dead database is reported quickly.
// Each new connection learns the geography type (registerGeography), so
// points travel in binary both ways.
func Open(ctx context.Context, url string) (*DB, error) {
	const op = "postgres.Open"
	if url == "" {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "DATABASE_URL is not set")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "DATABASE_URL is not a valid PostgreSQL URL", Err: err}
	}
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > connectTimeout {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	cfg.HealthCheckPeriod = 5 * time.Second
	cfg.AfterConnect = registerGeography
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, translate(op, err)
	}
	return &DB{Pool: pool}, nil
}

// connectTimeout bounds each attempt to open a connection.
const connectTimeout = 1500 * time.Millisecond

// Close closes every connection in the pool.
func (db *DB) Close() { db.Pool.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return translate("postgres.Ping", db.Pool.Ping(ctx))
}

// translate turns a pgx error into a *meeting.Error with the right kind.
// Values the database refuses (a failed check, bad input syntax, text it
// cannot store such as a NUL) are KindInvalid, with a message for the
// client.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var me *meeting.Error
	if errors.As(err, &me) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return &meeting.Error{Kind: meeting.KindNotFound, Op: op, Message: "not found", Err: err}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505":
			return &meeting.Error{Kind: meeting.KindConflict, Op: op, Message: "already exists", Err: err}
		case pgErr.Code == "23514" || pgErr.Code == "22P02" || pgErr.Code == "22007" || pgErr.Code == "22008":
			return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the database refused a value", Err: err}
		case pgErr.Code == "22P05": // untranslatable_character: jsonb refuses a \u0000 escape
			return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the text holds a character PostgreSQL cannot store (NUL, \\u0000)", Err: err}
		case pgErr.Code == "22021": // character_not_in_repertoire: a NUL byte, or bytes that are not UTF-8
			return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the text holds a character PostgreSQL cannot store (NUL, or bytes that are not UTF-8)", Err: err}
		case pgErr.Code == "54000": // program_limit_exceeded: an index entry over 2,704 bytes, a tsvector over 1 MB
			return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "a value is too long for the database to store", Err: err}
		case pgErr.Code == "57014": // query_canceled (statement timeout)
			return &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the database took too long", Err: err}
		case len(pgErr.Code) == 2+3 && (pgErr.Code[:2] == "08" || pgErr.Code[:2] == "57" || pgErr.Code[:2] == "53"):
			return &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the database is unavailable", Err: err}
		}
		return &meeting.Error{Kind: meeting.KindInternal, Op: op, Err: err}
	}
	var netErr net.Error
	var connErr *pgconn.ConnectError
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.As(err, &netErr) || errors.As(err, &connErr) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the database is unavailable", Err: err}
	}
	return &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the database is unavailable", Err: err}
}
