// Package pgtest gives each test its own migrated PostgreSQL/PostGIS
// database: a template database is migrated once (named after a hash of the
// embedded migrations, so a schema change makes a new one) and every test
// gets a fresh clone of it, dropped when the test ends.
//
// The server comes from DATABASE_URL ("make test" starts a private cluster
// and sets it). Without it the tests that need a database are skipped,
// unless MF_REQUIRE_DB is set, in which case they fail.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// URL returns the server URL for tests, skipping (or failing, under
// MF_REQUIRE_DB) when DATABASE_URL is not set.
func URL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		if os.Getenv("MF_REQUIRE_DB") != "" {
			tb.Fatal("DATABASE_URL is not set but MF_REQUIRE_DB is: start the database with \"make db-up\"")
		}
		tb.Skip("DATABASE_URL is not set: skipping a test that needs PostgreSQL/PostGIS (\"make test\" starts one)")
	}
	return u
}

// New returns a connection to a fresh, migrated database that is dropped
// when the test ends.
func New(tb testing.TB) *postgres.DB {
	tb.Helper()
	base := URL(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmpl, err := ensureTemplate(ctx, base)
	if err != nil {
		tb.Fatalf("pgtest: template database: %v", err)
	}
	name := "mf_test_" + randomHex(6)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("pgtest: connect: %v", err)
	}
	defer admin.Close(ctx)
	var lastErr error
	for range 50 { // the template may be busy for a moment while another package clones it
		if _, lastErr = admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tmpl)); lastErr == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if lastErr != nil {
		tb.Fatalf("pgtest: create database from template: %v", lastErr)
	}
	db, err := postgres.Open(ctx, withDatabase(tb, base, name))
	if err != nil {
		tb.Fatalf("pgtest: open %s: %v", name, err)
	}
	tb.Cleanup(func() {
		db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Logf("pgtest: drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			tb.Logf("pgtest: drop %s: %v", name, err)
		}
	})
	return db
}

// Seed inserts ms as an import or the demo does
// (postgres.MeetingStore.InsertMeetings) and returns their ids, in the
// order of ms; it fails the test on error.
func Seed(tb testing.TB, db *postgres.DB, ms []meeting.Meeting) []int64 {
	tb.Helper()
	ctx := context.Background()
	if err := postgres.NewMeetingStore(db).InsertMeetings(ctx, ms); err != nil {
		tb.Fatalf("InsertMeetings: %v", err)
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		if err := db.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE source = $1 AND external_id = $2`, m.Source, m.ExternalID).Scan(&ids[i]); err != nil {
			tb.Fatalf("the id of %s/%s: %v", m.Source, m.ExternalID, err)
		}
	}
	return ids
}

// DatabaseURL returns the URL of db's database (for tests that start a
// server process against it).
func DatabaseURL(tb testing.TB, db *postgres.DB) string {
	tb.Helper()
	cfg := db.Pool.Config().ConnConfig
	return withDatabase(tb, URL(tb), cfg.Database)
}

// ensureTemplate creates and migrates the template database for the current
// migrations if it does not exist yet, under an advisory lock shared by all
// test processes, and returns its name.
func ensureTemplate(ctx context.Context, base string) (string, error) {
	ms, err := postgres.Migrations()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%s\n%s\n", m.Name, m.SQL)
	}
	name := "mf_template_" + hex.EncodeToString(h.Sum(nil))[:12]
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(7246131)`); err != nil {
		return "", err
	}
	defer admin.Exec(context.Background(), `SELECT pg_advisory_unlock(7246131)`)
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s`, name)); err != nil {
		return "", err
	}
	u, err := replaceDatabase(base, name)
	if err != nil {
		return "", err
	}
	db, err := postgres.Open(ctx, u)
	if err != nil {
		return "", err
	}
	_, err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s WITH IS_TEMPLATE true`, name)); err != nil {
		return "", err
	}
	return name, nil
}

func withDatabase(tb testing.TB, base, name string) string {
	u, err := replaceDatabase(base, name)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	return u
}

func replaceDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
