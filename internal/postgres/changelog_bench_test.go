package postgres_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// BenchmarkLoadPublic measures LoadPublic, the full load of a read model,
// on a loaded database: set MF_BENCH_DATABASE_URL to a database filled
// with "meetingfinder demo --meetings 1000000". The callback only counts,
// so it is the database's and the scan's time. It reports the time of a
// whole load and meetings per second.
//
//	MF_BENCH_DATABASE_URL=… go test -run '^$' -bench LoadPublic -benchtime 1x ./internal/postgres/
func BenchmarkLoadPublic(b *testing.B) {
	url := os.Getenv("MF_BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("MF_BENCH_DATABASE_URL is not set (a database loaded with meetingfinder demo)")
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var total time.Duration
	n := 0
	for b.Loop() {
		t := time.Now()
		n = 0
		if _, err := db.LoadPublic(ctx, func(*meeting.Meeting) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		total += time.Since(t)
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/load")
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "meetings/s")
}
