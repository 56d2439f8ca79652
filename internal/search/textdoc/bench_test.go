package textdoc_test

import (
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
)

// BenchmarkVisit measures visiting the words of one demo meeting.
func BenchmarkVisit(b *testing.B) {
	ms := demo.Generate(1, 1000)
	var tb textdoc.Builder
	n := 0
	for i := 0; b.Loop(); i++ {
		tb.Visit(&ms[i%len(ms)], func(string, textdoc.Field, bool) { n++ })
	}
}

// BenchmarkBuild measures building the document of one demo meeting.
func BenchmarkBuild(b *testing.B) {
	ms := demo.Generate(1, 1000)
	var tb textdoc.Builder
	for i := 0; b.Loop(); i++ {
		tb.Build(&ms[i%len(ms)])
	}
}
