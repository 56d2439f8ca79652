package postgres

import (
	"strings"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/demo"
)

// BenchmarkDocBuild measures building one demo meeting's document in Go
// (the CPU side of indexing).
func BenchmarkDocBuild(b *testing.B) {
	ms := demo.Generate(1, 1000)
	fs := make([]searchFields, len(ms))
	for i, m := range ms {
		fs[i] = searchFields{id: int64(i), name: m.Name, group: m.Group,
			place: strings.Join([]string{m.Location.Name, m.Location.City, m.Location.Region, m.Location.PostalCode,
				m.Location.Address, m.Location.FormattedAddress, strings.Join(m.Location.Regions, " ")}, " "),
			notes: m.Notes + " " + m.Location.Notes, types: m.Types,
			lat: m.Location.Point.Lat(), lon: m.Location.Point.Lon(), hasPoint: m.Location.HasPoint}
	}
	var d docBuilder
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.build(&fs[i%len(fs)], func(string) {})
	}
}
