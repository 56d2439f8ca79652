package postgres

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/migrations"
)

// Migration is one numbered SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", name)
		}
		b, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share a version", out[i-1].Name, out[i].Name)
		}
	}
	return out, nil
}

// LatestVersion returns the version of the newest embedded migration.
func LatestVersion() int {
	ms, err := Migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// Migrate applies every embedded migration newer than the database's
// version, each in its own transaction, under an advisory lock so that two
// processes never migrate at once. It returns the versions applied.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	const op = "postgres.Migrate"
	ms, err := Migrations()
	if err != nil {
		return nil, &meeting.Error{Kind: meeting.KindInternal, Op: op, Err: err}
	}
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return nil, translate(op, err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7246130)`); err != nil {
		return nil, translate(op, err)
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock(7246130)`)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, translate(op, err)
	}
	var current int
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return nil, translate(op, err)
	}
	var applied []int
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return applied, translate(op, err)
		}
		applied = append(applied, m.Version)
	}
	return applied, nil
}

// SchemaVersion returns the newest migration applied to the database, 0
// when none is.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.Pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		if strings.Contains(err.Error(), "42P01") { // undefined_table: never migrated
			return 0, nil
		}
		return 0, translate("postgres.SchemaVersion", err)
	}
	return v, nil
}

// CheckSchema returns a KindUnavailable error when the database's schema is
// behind the migrations this binary carries (run "meetingfinder migrate"),
// and a KindConflict error when it is ahead (an older binary).
func (db *DB) CheckSchema(ctx context.Context) error {
	const op = "postgres.CheckSchema"
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	latest := LatestVersion()
	switch {
	case v < latest:
		return meeting.Errorf(meeting.KindUnavailable, op, "the database schema is at version %d, this binary needs %d: run \"meetingfinder migrate\"", v, latest)
	case v > latest:
		return meeting.Errorf(meeting.KindConflict, op, "the database schema is at version %d, newer than this binary's %d: upgrade the binary", v, latest)
	}
	return nil
}
