package bmlt_test

import (
	"net/url"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/feed/bmlt"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// BenchmarkObjectsAppendJSON writes the BMLT objects of 5,000 demo
// meetings, every field: the bulk of a large GetSearchResults answer.
func BenchmarkObjectsAppendJSON(b *testing.B) {
	gen := demo.New(5)
	ms := make([]meeting.Meeting, 5000)
	for i := range ms {
		ms[i] = gen.Next()
		ms[i].ID = int64(i + 1)
	}
	s, _ := bmlt.ParseSearch(url.Values{"lat_val": {"40.7"}, "long_val": {"-74"}, "geo_width_km": {"20000"}})
	res := s.Run(ms, nil, "https://example.org/bmlt")
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = res.Meetings.AppendJSON(buf[:0])
	}
	b.ReportMetric(float64(len(buf))/float64(res.Meetings.Len()), "bytes/meeting")
}
