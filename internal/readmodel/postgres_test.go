package readmodel_test

import (
	"context"
	"log/slog"
	"os"
	"runtime"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/meeting/storetest"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
	"github.com/meetingfinder/meetingfinder/internal/readmodel"
)

// TestConformanceOnPostgres runs the store conformance suite on a model
// that follows PostgreSQL: the PostgreSQL stores take the writes, and the
// model, loading from the database and reading its change log, answers
// the reads. It needs a database (pgtest).
func TestConformanceOnPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		db := pgtest.New(t)
		ls := postgres.NewListingStore(db)
		m := readmodel.New(db, db, readmodel.Options{CompactAt: 5})
		if err := m.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		s := synced{t: t, m: m}
		return storetest.Stores{
			Meetings: s, Feeds: s, Orgs: postgres.NewOrgStore(db), Listings: ls, ChangeRequests: ls,
			Seed: func(t *testing.T, in []meeting.Meeting) []int64 { return pgtest.Seed(t, db, in) },
		}
	})
}

// BenchmarkLoadPostgres loads a model from the database MF_BENCH_DATABASE_URL
// names (such as a bench database kept by `meetingfinder bench --keep`),
// and reports the heap the model holds.
func BenchmarkLoadPostgres(b *testing.B) {
	url := os.Getenv("MF_BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("MF_BENCH_DATABASE_URL is not set: no database to load from")
	}
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for b.Loop() {
		m := readmodel.New(db, db, readmodel.Options{Logger: slog.New(slog.DiscardHandler)})
		if err := m.Load(context.Background()); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/1e6, "heapMB")
		runtime.KeepAlive(m)
	}
}
