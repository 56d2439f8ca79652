package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// loadBatch is how many demo meetings go to the database per
// InsertMeetings call.
const loadBatch = 50000

// withDatabase returns DATABASE_URL pointed at database name, with a pool
// of at least maxConns connections. It accepts both URL and key=value forms.
func withDatabase(base, name string, maxConns int) (string, error) {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			return "", fmt.Errorf("bench: DATABASE_URL: %w", err)
		}
		u.Path = "/" + name
		q := u.Query()
		q.Set("pool_max_conns", strconv.Itoa(maxConns))
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return fmt.Sprintf("%s dbname=%s pool_max_conns=%d", base, name, maxConns), nil
}

// prepareDB returns a pool on database name holding exactly size demo
// meetings made with cfg.Seed: the database as it is when its bench_dataset
// record says so (a kept database from an earlier run), else a freshly
// created, migrated and loaded one.
func prepareDB(ctx context.Context, cfg Config, admin *pgx.Conn, dbURL, name string, size int, stdout io.Writer) (*postgres.DB, error) {
	want := datasetFingerprint(cfg.Seed, size)
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if exists {
		db, ok, err := reuseDB(ctx, cfg, dbURL, name, size, want, stdout)
		if err != nil {
			return nil, err
		}
		if ok {
			if err := indexPending(ctx, db, stdout); err != nil {
				db.Close()
				return nil, err
			}
			return db, nil
		}
		if err := dropDatabase(ctx, admin, name); err != nil {
			return nil, err
		}
	}
	// template0 has no connections, so other sessions cloning template1
	// at the same moment cannot make this fail.
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()+` TEMPLATE template0`); err != nil {
		return nil, fmt.Errorf("bench: create database %s: %w", name, err)
	}
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	if err := loadDB(ctx, cfg, db, size, want, stdout); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// reuseDB opens the existing database name and returns it when its
// bench_dataset record names the data set fingerprint and it holds size
// meetings (ok true). Otherwise it closes it again, says why the database
// is to be recreated and returns ok false.
func reuseDB(ctx context.Context, cfg Config, dbURL, name string, size int, fingerprint string, stdout io.Writer) (_ *postgres.DB, ok bool, _ error) {
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		return nil, false, err
	}
	var got string
	var count int
	var loadedAt time.Time
	err = db.Pool.QueryRow(ctx, `SELECT d.fingerprint, d.loaded_at, (SELECT count(*) FROM meetings)
		FROM bench_dataset d`).Scan(&got, &loadedAt, &count)
	if err == nil && got == fingerprint && count == size {
		fmt.Fprintf(stdout, "bench: reusing %s: %s demo meetings (seed %d) loaded %s\n",
			name, Thousands(size), cfg.Seed, loadedAt.Local().Format(time.DateTime))
		applied, err := db.Migrate(ctx)
		if err != nil {
			db.Close()
			return nil, false, err
		}
		if len(applied) > 0 {
			fmt.Fprintf(stdout, "bench: migrated %s forward: applied %v\n", name, applied)
		}
		return db, true, nil
	}
	db.Close()
	why := fmt.Sprintf("it holds %d meetings, data set %s, not %s", count, got, fingerprint)
	if err != nil {
		why = err.Error()
	}
	fmt.Fprintf(stdout, "bench: recreating %s: %s\n", name, why)
	return nil, false, nil
}

// loadDB migrates an empty database, loads size demo meetings in batches
// with InsertMeetings, indexes them for text search as serve would in the
// background, rewrites the table compactly (VACUUM FULL) and analyzes it,
// and records the data set in bench_dataset.
func loadDB(ctx context.Context, cfg Config, db *postgres.DB, size int, fingerprint string, stdout io.Writer) error {
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	start := time.Now()
	if err := insertDemo(ctx, db, cfg.Seed, size); err != nil {
		return err
	}
	load := time.Since(start)
	t := time.Now()
	indexed, err := db.RefreshSearch(ctx, 0)
	if err != nil {
		return fmt.Errorf("bench: text search index: %w", err)
	}
	fmt.Fprintf(stdout, "bench: indexed %s meetings for text search in %s\n", Thousands(indexed), time.Since(t).Round(time.Millisecond))
	t = time.Now()
	if _, err := db.Pool.Exec(ctx, `VACUUM (FULL, ANALYZE) meetings`); err != nil {
		return fmt.Errorf("bench: vacuum: %w", err)
	}
	vacuum := time.Since(t)
	var bytes int64
	if err := db.Pool.QueryRow(ctx, `SELECT pg_total_relation_size('meetings')`).Scan(&bytes); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	fmt.Fprintf(stdout, "bench: loaded %s demo meetings in %s (%.0f meetings/s, generate + COPY + INSERT in batches of %d); VACUUM (FULL, ANALYZE) %s; table + indexes %.0f MiB\n",
		Thousands(size), load.Round(time.Millisecond), float64(size)/load.Seconds(), loadBatch,
		vacuum.Round(time.Millisecond), float64(bytes)/(1<<20))
	return recordDataset(ctx, db, fingerprint, size, cfg.Seed, load)
}

// indexPending indexes for text search the meetings of a kept database
// that are not indexed yet (one kept by a bench that did not index), so
// that the server under test does not spend the run doing it, and then
// vacuums and analyzes the table.
func indexPending(ctx context.Context, db *postgres.DB, stdout io.Writer) error {
	pending, err := db.SearchPending(ctx)
	if err != nil || pending == 0 {
		return err
	}
	t := time.Now()
	indexed, err := db.RefreshSearch(ctx, 0)
	if err != nil {
		return fmt.Errorf("bench: text search index: %w", err)
	}
	if _, err := db.Pool.Exec(ctx, `VACUUM (FULL, ANALYZE) meetings`); err != nil {
		return fmt.Errorf("bench: vacuum: %w", err)
	}
	fmt.Fprintf(stdout, "bench: indexed %s meetings for text search and vacuumed in %s\n", Thousands(indexed), time.Since(t).Round(time.Millisecond))
	return nil
}

// insertDemo inserts the first size demo meetings of seed, loadBatch at a
// time.
func insertDemo(ctx context.Context, db *postgres.DB, seed int64, size int) error {
	store := postgres.NewMeetingStore(db)
	g := demo.New(seed)
	buf := make([]meeting.Meeting, 0, min(size, loadBatch))
	for loaded := 0; loaded < size; {
		buf = buf[:0]
		for len(buf) < cap(buf) && loaded+len(buf) < size {
			buf = append(buf, g.Next())
		}
		if err := store.InsertMeetings(ctx, buf); err != nil {
			return fmt.Errorf("bench: load after %d meetings: %w", loaded, err)
		}
		loaded += len(buf)
	}
	return nil
}

// recordDataset creates the bench_dataset table and records in it the data
// set the database now holds, so that a later run can reuse it.
func recordDataset(ctx context.Context, db *postgres.DB, fingerprint string, size int, seed int64, load time.Duration) error {
	_, err := db.Pool.Exec(ctx, `
		CREATE TABLE bench_dataset (
			fingerprint text        NOT NULL,
			meetings    int         NOT NULL,
			seed        bigint      NOT NULL,
			load_ms     bigint      NOT NULL,
			loaded_at   timestamptz NOT NULL DEFAULT now()
		);
		COMMENT ON TABLE bench_dataset IS
			'Written by "meetingfinder bench": the demo data set this database holds, so a later run with the same size, seed, generator and schema reuses it.'`)
	if err == nil {
		_, err = db.Pool.Exec(ctx, `INSERT INTO bench_dataset (fingerprint, meetings, seed, load_ms) VALUES ($1, $2, $3, $4)`,
			fingerprint, size, seed, load.Milliseconds())
	}
	if err != nil {
		return fmt.Errorf("bench: record data set: %w", err)
	}
	return nil
}

// datasetFingerprint identifies a demo data set: its size and seed and a
// hash of the generator's first meetings (so that a change to the
// generator forces a reload). The schema is not part of it: a kept
// database is migrated forward instead (reuseDB), as a real one would be,
// which takes seconds where reloading a million meetings takes minutes.
func datasetFingerprint(seed int64, size int) string {
	h := sha256.New()
	fmt.Fprintf(h, "size=%d seed=%d\n", size, seed)
	for _, m := range demo.Generate(seed, min(size, 1000)) {
		fmt.Fprintf(h, "%+v\n", m)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// dropDatabase drops database name (if it exists), closing its sessions.
func dropDatabase(ctx context.Context, admin *pgx.Conn, name string) error {
	if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("bench: drop database %s: %w", name, err)
	}
	return nil
}

// backendCPU returns the CPU time used so far by the server processes of
// the sessions connected to database name, read from /proc: so it is known
// only when PostgreSQL runs on this machine and this process may read its
// processes' stat files; no sessions count as no CPU time. It assumes the
// usual 100 clock ticks per second.
func backendCPU(ctx context.Context, admin *pgx.Conn, name string) (time.Duration, bool) {
	rows, err := admin.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, name)
	if err != nil {
		return 0, false
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return 0, false
	}
	var total time.Duration
	for _, pid := range pids {
		cpu, ok := processStatCPU(pid)
		if !ok {
			return 0, false
		}
		total += cpu
	}
	return total, true
}

// processStatCPU returns the user+system CPU time of process pid from
// /proc/<pid>/stat, assuming 100 clock ticks per second.
func processStatCPU(pid int32) (time.Duration, bool) {
	const tick = 10 * time.Millisecond
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// pid (comm) state ppid … utime stime: utime and stime are the 12th
	// and 13th fields after the command name, which may hold spaces but
	// ends at the last ')'.
	st := string(b)
	i := strings.LastIndexByte(st, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(st[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * tick, true
}
