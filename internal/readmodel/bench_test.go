package readmodel_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/readmodel"
)

// generated is a PublicLoader over demo meetings made on the fly, so that a
// benchmark loads a large model without a database.
type generated struct{ n int }

func (g generated) LoadPublic(ctx context.Context, fn func(*meeting.Meeting) error) (meeting.ChangeCursor, error) {
	gen := demo.New(1)
	for i := range g.n {
		m := gen.Next()
		m.ID = int64(i + 1)
		if err := fn(&m); err != nil {
			return meeting.ChangeCursor{}, err
		}
	}
	return meeting.ChangeCursor{}, nil
}

func (generated) PublicByID(context.Context, []int64) ([]meeting.Meeting, error) { return nil, nil }

func (generated) ChangesSince(context.Context, meeting.ChangeCursor) (meeting.ChangeBatch, error) {
	return meeting.ChangeBatch{}, nil
}

var (
	benchOnce  sync.Once
	benchModel *readmodel.Model
)

// model100k is a model of 100,000 demo meetings, shared by the benchmarks.
func model100k(b *testing.B) *readmodel.Model {
	benchOnce.Do(func() {
		g := generated{n: 100_000}
		benchModel = readmodel.New(g, g, readmodel.Options{})
		if err := benchModel.Load(context.Background()); err != nil {
			b.Fatal(err)
		}
	})
	return benchModel
}

func BenchmarkNearby(b *testing.B) {
	m := model100k(b)
	f := meeting.Filter{Point: orb.Point{-74.006, 40.7128}, HasPoint: true, Limit: 25, Now: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Find(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNoPointFilter(b *testing.B) {
	m := model100k(b)
	f := meeting.Filter{Types: []string{"W"}, Days: []meeting.Weekday{2}, Limit: 25, Now: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Find(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpcomingNoPoint(b *testing.B) {
	m := model100k(b)
	f := meeting.Filter{UpcomingHours: 2, Limit: 25, Now: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Find(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad measures a load of 100,000 meetings (MF_BENCH_MEETINGS
// sets another number) and the heap it holds.
func BenchmarkLoad(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("MF_BENCH_MEETINGS")); err == nil && v > 0 {
		n = v
	}
	g := generated{n: n}
	for b.Loop() {
		m := readmodel.New(g, g, readmodel.Options{})
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
