package postgres_test

import (
	"context"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// benchQueries are what people type: words, typos, prefixes, type names
// and towns, half of them near a point (demo cities).
var benchQueries = []meeting.Filter{
	{Q: "serenity"},
	{Q: "serinity", Point: orb.Point{-75.6624, 41.409}, HasPoint: true, RadiusKM: 25},
	{Q: "big book"},
	{Q: "big bo", Point: orb.Point{-74.006, 40.7128}, HasPoint: true, RadiusKM: 25},
	{Q: "womens step"},
	{Q: "spanish", Point: orb.Point{-118.2437, 34.0522}, HasPoint: true, RadiusKM: 25},
	{Q: "new beginnings"},
	{Q: "chicago", Point: orb.Point{-87.6298, 41.8781}, HasPoint: true, RadiusKM: 25},
	{Q: "speaker discussion"},
	{Q: "recovery", Point: orb.Point{-122.4194, 37.7749}, HasPoint: true, RadiusKM: 25},
}

// BenchmarkTextSearch measures text queries (one page of 25) on the
// PostgreSQL index of a loaded database: set MF_BENCH_DATABASE_URL to a
// database filled with "meetingfinder demo --meetings 1000000". It
// reports p50 and p99 latency of single queries and, in the parallel
// variant, throughput.
func BenchmarkTextSearch(b *testing.B) {
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
	s := postgres.NewMeetingStore(db)
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM meetings`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d meetings", n)
	for _, f := range benchQueries { // warm the cache
		if _, err := s.Find(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("latency", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			t := time.Now()
			if _, err := s.Find(ctx, benchQueries[i%len(benchQueries)]); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t))
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	})
	b.Run("throughput", func(b *testing.B) {
		var i atomic.Int64
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.Find(ctx, benchQueries[int(i.Add(1))%len(benchQueries)]); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "queries/s")
	})
}
