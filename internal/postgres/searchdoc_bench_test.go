package postgres

import (
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
)

// BenchmarkDocBuild measures building one demo meeting's document in Go
// and writing it as a tsvector (the CPU side of indexing).
func BenchmarkDocBuild(b *testing.B) {
	ms := demo.Generate(1, 1000)
	var d textdoc.Builder
	var tw tsvectorWriter
	for i := 0; b.Loop(); i++ {
		m := &ms[i%len(ms)]
		tw.write(d.Build(m), m.Location.Point.Lat(), m.Location.Point.Lon(), m.Location.HasPoint)
	}
}
