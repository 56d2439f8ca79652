package ingest

import (
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// BenchmarkFidelity times what an import adds to parsing for its points
// and zones (checkPoints, then fillZones with the offline finder) on
// 100,000 demo meetings without zones: about as many distinct points as
// meetings, the worst case for the point cache.
func BenchmarkFidelity(b *testing.B) {
	base := demo.Generate(1, 100000)
	for i := range base {
		base[i].TimeZone = ""
	}
	defaultZones.Zone(0, 0) // build the finder outside the timing
	ms := make([]meeting.Meeting, len(base))
	b.ResetTimer()
	for range b.N {
		copy(ms, base)
		zones := newCachedZones(defaultZones)
		checkPoints(ms, zones)
		fillZones(ms, meeting.Source{Name: "bench"}, zones, time.Now())
	}
	b.ReportMetric(float64(len(ms)*b.N)/b.Elapsed().Seconds(), "meetings/s")
}
