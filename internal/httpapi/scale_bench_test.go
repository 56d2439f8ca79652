package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/readmodel"
)

// generatedMeetings is a PublicLoader and an empty ChangeLog over demo
// meetings made on the fly, so that a benchmark serves a large read model
// without a database.
type generatedMeetings struct{ n int }

func (g generatedMeetings) LoadPublic(ctx context.Context, fn func(*meeting.Meeting) error) (meeting.ChangeCursor, error) {
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

func (generatedMeetings) PublicByID(context.Context, []int64) ([]meeting.Meeting, error) {
	return nil, nil
}

func (generatedMeetings) ChangesSince(context.Context, meeting.ChangeCursor) (meeting.ChangeBatch, error) {
	return meeting.ChangeBatch{}, nil
}

var (
	scaleOnce   sync.Once
	scaleServer *httpapi.Server
)

// scaleBenchServer serves a read model of 100,000 demo meetings
// (MF_BENCH_MEETINGS sets another number) with no database behind it.
func scaleBenchServer(b *testing.B) *httpapi.Server {
	scaleOnce.Do(func() {
		n := 100_000
		if v, err := strconv.Atoi(os.Getenv("MF_BENCH_MEETINGS")); err == nil && v > 0 {
			n = v
		}
		g := generatedMeetings{n: n}
		m := readmodel.New(g, g, readmodel.Options{})
		if err := m.Load(context.Background()); err != nil {
			b.Fatal(err)
		}
		scaleServer = httpapi.New(httpapi.Config{Store: m, Feeds: m, Logger: quietLogger()})
	})
	return scaleServer
}

// benchGet serves GET url on s b.N times and reports the body size.
func benchGet(b *testing.B, s *httpapi.Server, url string) {
	b.Helper()
	b.ReportAllocs()
	size := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, url, nil))
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", url, w.Code, w.Body.String())
		}
		size = w.Body.Len()
	}
	b.ReportMetric(float64(size), "bytes/op")
}

// BenchmarkBMLT10km is crouton's table mode over Manhattan: every meeting
// within 10 km.
func BenchmarkBMLT10km(b *testing.B) {
	s := scaleBenchServer(b)
	benchGet(b, s, "/bmlt/client_interface/json/?switcher=GetSearchResults&lat_val=40.7128&long_val=-74.006&geo_width_km=10")
}

// BenchmarkNoPointFilters asks GET /v1/meetings for each of the bench's
// no-point filters.
func BenchmarkNoPointFilters(b *testing.B) {
	s := scaleBenchServer(b)
	for _, q := range []string{"types=W&day=2", "day=today", "upcoming_hours=2", "program=na&day=5&start_after=18:00", "types=O&day=0", "attendance=online&upcoming_hours=6"} {
		b.Run(q, func(b *testing.B) { benchGet(b, s, "/v1/meetings?"+q) })
	}
	_ = fmt.Sprint
	_ = time.Now
}
