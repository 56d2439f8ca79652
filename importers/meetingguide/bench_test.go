package meetingguide

import (
	"bytes"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	mgfeed "github.com/meetingfinder/meetingfinder/internal/feed/meetingguide"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// demoFeed renders n demo meetings (seed 1) as a Meeting Guide feed, the
// way internal/ingest's import benchmark writes its feed: slugs are the
// meetings' positions.
func demoFeed(tb testing.TB, n int) []byte {
	tb.Helper()
	ms := demo.Generate(1, n)
	for i := range ms {
		ms[i].ID = int64(i + 1)
	}
	var b bytes.Buffer
	if err := mgfeed.Encode(&b, ms); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// BenchmarkParse100k parses a 100,000-meeting demo feed and reports
// meetings per second (single-threaded). Parsing should stay a small part
// of the 20,000 meetings/s import budget; the target is 100,000/s.
//
//	go test -run '^$' -bench Parse100k -benchtime 3x ./importers/meetingguide/
func BenchmarkParse100k(b *testing.B) {
	const n = 100000
	feed := demoFeed(b, n)
	opts := Options{ImportOptions: meeting.ImportOptions{Source: "demo"}}
	b.SetBytes(int64(len(feed)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ms, ps, err := Parse(bytes.NewReader(feed), opts)
		if err != nil || len(ms) != n || len(ps) != 0 {
			b.Fatalf("Parse: %d meetings, %d problems, %v; want %d meetings", len(ms), len(ps), err, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "meetings/s")
}
