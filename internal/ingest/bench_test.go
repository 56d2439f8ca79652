package ingest_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	mgfeed "github.com/meetingfinder/meetingfinder/internal/feed/meetingguide"
	"github.com/meetingfinder/meetingfinder/internal/ingest"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// writeDemoFeed writes n demo meetings (seed 1) as a Meeting Guide feed
// and returns its path. Slugs are the meetings' positions. With a suffix,
// every meeting's name ends with it: imported after the feed without one,
// it changes every meeting.
func writeDemoFeed(tb testing.TB, n int, suffix string) string {
	tb.Helper()
	ms := demo.Generate(1, n)
	for i := range ms {
		ms[i].ID = int64(i + 1)
		ms[i].Name += suffix
	}
	p := filepath.Join(tb.TempDir(), "demo"+suffix+".json")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := mgfeed.Encode(w, ms); err != nil {
		tb.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkImport100k imports a 100,000-meeting Meeting Guide feed written
// from the demo generator into a fresh database (first), then imports it
// again unchanged (again), then a version of it in which every meeting's
// name differs (changed: the UPDATE path). It reports meetings per second
// for each; the target is 20,000/s or more for the first import.
// MF_BENCH_MEETINGS changes the size.
//
//	go test -run '^$' -bench Import100k -benchtime 1x ./internal/ingest/
func BenchmarkImport100k(b *testing.B) {
	n := 100000
	if s := os.Getenv("MF_BENCH_MEETINGS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("MF_BENCH_MEETINGS=%q is not a positive number", s)
		}
		n = v
	}
	pgtest.URL(b)
	path := writeDemoFeed(b, n, "")
	src := meeting.Source{Name: "demo-feed", Location: path, Format: meeting.FormatMeetingGuide}
	changedSrc := src
	changedSrc.Location = writeDemoFeed(b, n, " (new)")
	var first, again, changed time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db := pgtest.New(b)
		// The feed is larger than the default limit (about 600 bytes a meeting).
		im := &ingest.Importer{Store: postgres.NewImportStore(db), MaxSize: 1 << 30}
		b.StartTimer()
		t0 := time.Now()
		rep := im.Run(context.Background(), src, ingest.Options{})
		t1 := time.Now()
		if rep.Status != meeting.ImportOK || rep.Inserted != n {
			b.Fatalf("first import: %s, %d inserted (%s); want %d", rep.Status, rep.Inserted, rep.Error, n)
		}
		rep = im.Run(context.Background(), src, ingest.Options{Force: true})
		t2 := time.Now()
		if rep.Status != meeting.ImportOK || rep.Unchanged != n {
			b.Fatalf("re-import: %s, %d unchanged (%s); want %d", rep.Status, rep.Unchanged, rep.Error, n)
		}
		rep = im.Run(context.Background(), changedSrc, ingest.Options{Force: true})
		t3 := time.Now()
		if rep.Status != meeting.ImportOK || rep.Updated != n {
			b.Fatalf("changed import: %s, %d updated (%s); want %d", rep.Status, rep.Updated, rep.Error, n)
		}
		first += t1.Sub(t0)
		again += t2.Sub(t1)
		changed += t3.Sub(t2)
	}
	b.ReportMetric(float64(n*b.N)/first.Seconds(), "first-meetings/s")
	b.ReportMetric(float64(n*b.N)/again.Seconds(), "again-meetings/s")
	b.ReportMetric(float64(n*b.N)/changed.Seconds(), "changed-meetings/s")
}
