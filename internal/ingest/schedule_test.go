package ingest_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/ingest"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

func TestSchedule(t *testing.T) {
	e := newEnv(t)
	path := e.write("feed.json", fixture(t))
	srcs := []meeting.Source{
		{Name: "often", Location: path, Format: meeting.FormatMeetingGuide, TimeZone: "UTC", Refresh: 150 * time.Millisecond},
		{Name: "on-demand", Location: path, Format: meeting.FormatMeetingGuide, TimeZone: "UTC"},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1200*time.Millisecond)
	defer cancel()
	if err := e.im.Schedule(ctx, srcs); err != context.DeadlineExceeded {
		t.Fatalf("Schedule returned %v, want the context's error", err)
	}
	runs := map[string]int{}
	rows, err := e.db.Pool.Query(context.Background(), `SELECT source, count(*) FROM import_runs GROUP BY source`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		var n int
		rows.Scan(&s, &n)
		runs[s] = n
	}
	rows.Close()
	if runs["often"] < 2 || runs["on-demand"] != 0 {
		t.Errorf("runs = %v; want several of the scheduled source and none of the on-demand one", runs)
	}
	var live int
	e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM meetings WHERE source = 'often' AND deleted_at IS NULL`).Scan(&live)
	if live != 7 {
		t.Errorf("%d live meetings of the scheduled source, want 7", live)
	}
}

// staleStore answers the first Sources call as if no source had ever run,
// like an instance that read the runs just before another one imported.
type staleStore struct {
	meeting.ImportStore
	calls int
}

func (s *staleStore) Sources(ctx context.Context) ([]meeting.SourceStatus, error) {
	s.calls++
	if s.calls == 1 {
		return nil, nil
	}
	return s.ImportStore.Sources(ctx)
}

// instance returns an importer with its own pool on db's database, locking
// through it, as another serve process would have.
func instance(t *testing.T, db *postgres.DB) (*ingest.Importer, *postgres.DB) {
	t.Helper()
	other, err := postgres.Open(context.Background(), pgtest.DatabaseURL(t, db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	return &ingest.Importer{Store: postgres.NewImportStore(other), Logger: slog.New(slog.DiscardHandler), Locker: other}, other
}

// importRuns counts the recorded runs of source.
func importRuns(t *testing.T, db *postgres.DB, source string) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM import_runs WHERE source = $1`, source).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestScheduleOnceAcrossInstances runs the schedules of two instances on
// one database, both finding the source due at once: exactly one imports.
func TestScheduleOnceAcrossInstances(t *testing.T) {
	e := newEnv(t)
	path := e.write("feed.json", fixture(t))
	srcs := []meeting.Source{{Name: "hourly", Location: path, Format: meeting.FormatMeetingGuide, TimeZone: "UTC", Refresh: time.Hour}}
	a, _ := instance(t, e.db)
	b, _ := instance(t, e.db)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for _, im := range []*ingest.Importer{a, b} {
		wg.Go(func() { _ = im.Schedule(ctx, srcs) })
	}
	wg.Wait()
	if n := importRuns(t, e.db, "hourly"); n != 1 {
		t.Errorf("%d runs recorded by two instances, want exactly 1", n)
	}
}

// TestScheduleSkipsARecentRun gives the second instance a stale view of
// the runs (it read them before the first imported): once it holds the
// lock it reads the last run again and skips.
func TestScheduleSkipsARecentRun(t *testing.T) {
	e := newEnv(t)
	path := e.write("feed.json", fixture(t))
	srcs := []meeting.Source{{Name: "hourly", Location: path, Format: meeting.FormatMeetingGuide, TimeZone: "UTC", Refresh: time.Hour}}
	a, _ := instance(t, e.db)
	b, _ := instance(t, e.db)
	stale := &staleStore{ImportStore: b.Store}
	b.Store = stale
	for _, im := range []*ingest.Importer{a, b} {
		ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
		_ = im.Schedule(ctx, srcs)
		cancel()
	}
	if stale.calls < 2 {
		t.Errorf("the second instance read the runs %d times, want again under the lock", stale.calls)
	}
	if n := importRuns(t, e.db, "hourly"); n != 1 {
		t.Errorf("%d runs recorded, want 1 (the second instance saw the recent run)", n)
	}
}
