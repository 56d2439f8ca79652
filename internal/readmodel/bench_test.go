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

// benchMeetings returns the size of the benchmarks' model: 100,000, or
// MF_BENCH_MEETINGS when set.
func benchMeetings() int {
	if v, err := strconv.Atoi(os.Getenv("MF_BENCH_MEETINGS")); err == nil && v > 0 {
		return v
	}
	return 100_000
}

// sharedModel is a model of 100,000 demo meetings (MF_BENCH_MEETINGS sets
// another number), shared by the benchmarks.
func sharedModel(b *testing.B) *readmodel.Model {
	benchOnce.Do(func() {
		g := generated{n: benchMeetings()}
		benchModel = readmodel.New(g, g, readmodel.Options{})
		if err := benchModel.Load(context.Background()); err != nil {
			b.Fatal(err)
		}
	})
	return benchModel
}

// benchEpoch is where the benchmarks' reference times start: a Monday,
// a week before New York and a month before London change their clocks.
var benchEpoch = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// benchFind runs f on m once per iteration, with Now stepping 97 minutes
// from benchEpoch each time (so that a run sees every time of day and
// weekday, and the same ones on every run), and reports the slowest
// iteration as well as the mean.
func benchFind(b *testing.B, m *readmodel.Model, f meeting.Filter) {
	b.Helper()
	ctx := context.Background()
	var worst time.Duration
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		f.Now = benchEpoch.Add(time.Duration(i%208) * 97 * time.Minute)
		t0 := time.Now()
		if _, err := m.Find(ctx, f); err != nil {
			b.Fatal(err)
		}
		worst = max(worst, time.Since(t0))
	}
	b.ReportMetric(float64(worst.Nanoseconds()), "worst-ns")
}

// BenchmarkNearby is the first page near New York.
func BenchmarkNearby(b *testing.B) {
	m := sharedModel(b)
	benchFind(b, m, meeting.Filter{Point: orb.Point{-74.006, 40.7128}, HasPoint: true, Limit: 25})
}

// BenchmarkNoPointFilter is types=W&day=2 without a point.
func BenchmarkNoPointFilter(b *testing.B) {
	m := sharedModel(b)
	benchFind(b, m, meeting.Filter{Types: []string{"W"}, Days: []meeting.Weekday{2}, Limit: 25})
}

// BenchmarkUpcomingNoPoint is upcoming_hours=2 without a point.
func BenchmarkUpcomingNoPoint(b *testing.B) {
	m := sharedModel(b)
	benchFind(b, m, meeting.Filter{UpcomingHours: 2, Limit: 25})
}

// BenchmarkTodayNoPoint is day=today without a point: the meetings whose
// weekday is today in their own zones.
func BenchmarkTodayNoPoint(b *testing.B) {
	m := sharedModel(b)
	benchFind(b, m, meeting.Filter{Today: true, Limit: 25})
}

// BenchmarkOnlineUpcomingNoPoint is attendance=online&upcoming_hours=6
// without a point: a sparser filter inside the upcoming window.
func BenchmarkOnlineUpcomingNoPoint(b *testing.B) {
	m := sharedModel(b)
	benchFind(b, m, meeting.Filter{Attendance: []meeting.Attendance{meeting.AttendanceOnline}, UpcomingHours: 6, Limit: 25})
}

// BenchmarkLoad measures a load of 100,000 meetings (MF_BENCH_MEETINGS
// sets another number) and the heap it holds.
func BenchmarkLoad(b *testing.B) {
	g := generated{n: benchMeetings()}
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
