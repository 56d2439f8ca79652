package memindex_test

import (
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search/memindex"
)

// benchMeetings returns the demo meetings of the benchmarks: as many as
// MF_BENCH_MEETINGS says (100,000 by default; 1000000 for the figures of
// the README), numbered 1, 2, …, generated once per run.
func benchMeetings(b *testing.B) []meeting.Meeting {
	benchOnce.Do(func() {
		n := 100000
		if s := os.Getenv("MF_BENCH_MEETINGS"); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil || v < 1 {
				b.Fatalf("MF_BENCH_MEETINGS=%q is not a positive number", s)
			}
			n = v
		}
		g := demo.New(1)
		benchData = make([]meeting.Meeting, n)
		for i := range benchData {
			benchData[i] = g.Next()
			benchData[i].ID = int64(i + 1)
		}
	})
	return benchData
}

var (
	benchOnce sync.Once
	benchData []meeting.Meeting
)

// heapMB returns the live heap after a collection, in MB.
func heapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / 1e6
}

// BenchmarkLoad builds the index of the demo meetings and reports what it
// costs: the heap it holds (after a collection) and meetings built per
// second.
func BenchmarkLoad(b *testing.B) {
	ms := benchMeetings(b)
	quiet := memindex.Options{Logger: slog.New(slog.DiscardHandler)}
	for b.Loop() {
		before := heapMB()
		start := time.Now()
		x := memindex.New(quiet)
		<-x.Load(len(ms), each(ms))
		took := time.Since(start)
		b.ReportMetric(heapMB()-before, "heapMB")
		b.ReportMetric(float64(len(ms))/took.Seconds(), "meetings/s")
		runtime.KeepAlive(x)
	}
}

// benchShapes are the query shapes of meetingfinder bench --text.
var benchShapes = []struct {
	name    string
	queries []string
}{
	{"one word", []string{"serenity", "recovery", "hope", "freedom", "spirit", "sobriety", "basics", "miracles", "acceptance", "women"}},
	{"two words, a typo in each", []string{"serinity grup", "lving sobr", "hapy huor", "womens stpe", "fellowshp spirt", "newcomrs meting"}},
	{"one-letter prefix", []string{"a", "s", "b", "h", "n", "m", "g", "l", "c", "t"}},
	{"two-word prefix", []string{"big bo", "serenity gr", "happy ho", "new be", "living so", "sober si", "early bi", "rainbow gr"}},
}

// BenchmarkSearch runs each query shape of the text bench, without and
// with a point (demo cities, the default radius), one page of 25, and
// reports p50 and p99 latency.
func BenchmarkSearch(b *testing.B) {
	ms := benchMeetings(b)
	x := memindex.New(memindex.Options{Logger: slog.New(slog.DiscardHandler)})
	<-x.Load(len(ms), each(ms))
	for _, sh := range benchShapes {
		for _, withPoint := range []bool{false, true} {
			name := sh.name
			if withPoint {
				name += ", with a point"
			}
			b.Run(name, func(b *testing.B) {
				var lat []time.Duration
				for i := 0; b.Loop(); i++ {
					f := meeting.Filter{Q: sh.queries[i%len(sh.queries)]}
					if withPoint {
						f.Point, f.HasPoint = points[i%len(points)], true
					}
					start := time.Now()
					if _, err := x.Search(ctx, f); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(start))
				}
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			})
		}
	}
}
