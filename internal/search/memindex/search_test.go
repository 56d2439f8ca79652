package memindex

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
)

// TestNearestFirstAsWalked: searching nearest first finds the same
// results, in the same order, as walking every match, for common and rare
// queries, small and large radii, filters and deep pages, dead documents
// included.
func TestNearestFirstAsWalked(t *testing.T) {
	ms := demo.Generate(11, 30000)
	for i := range ms {
		ms[i].ID = int64(i + 1)
	}
	p := buildPart(len(ms), slices.Values(ptrs(ms)))
	dead := make([]uint64, (p.len()+63)/64)
	for d := 0; d < p.len(); d += 7 {
		dead[d/64] |= 1 << (d % 64)
	}
	v := &view{base: p, over: emptyPart}
	after := meeting.NewClock(17, 0)
	before := nearestFirstDone.Load()
	for _, q := range []string{"a", "s", "g", "m", "t", "gr", "serenity", "group", "new", "z", "8"} {
		for _, pt := range []orb.Point{{-74.006, 40.7128}, {-118.2437, 34.0522}, {139.6917, 35.6895}, {-0.1276, 51.5072}, {0, 0}, {179.99, -16.5}} {
			for _, f := range []meeting.Filter{
				{Q: q, Point: pt, HasPoint: true},
				{Q: q, Point: pt, HasPoint: true, RadiusKM: 2},
				{Q: q, Point: pt, HasPoint: true, RadiusKM: 300, Days: []meeting.Weekday{2}, StartAfter: &after},
			} {
				for _, need := range []int{26, 201, 1001} {
					tq, _ := textdoc.Parse(f.Q)
					v.correct(&tq)
					tq.Finish(f.Q)
					for _, d := range [][]uint64{nil, dead} {
						pl := newPlan(&f, tq, need)
						s := getScratch()
						first := p.search(pl, d, s)
						s.release()
						pl = newPlan(&f, tq, need)
						pl.walkOnly = true
						s = getScratch()
						walked := p.search(pl, d, s)
						s.release()
						if diff := cmp.Diff(walked, first, cmp.AllowUnexported(cand{})); diff != "" {
							t.Errorf("%s (-walked +nearest first):\n%s", fmt.Sprintf("%q at %v r %g need %d dead %v", q, pt, f.RadiusKM, need, d != nil), diff)
						}
					}
				}
			}
		}
	}
	if n := nearestFirstDone.Load() - before; n < 50 {
		t.Errorf("only %d searches answered nearest first", n)
	} else {
		t.Logf("%d searches answered nearest first", n)
	}
}

// ptrs returns pointers to the meetings of ms.
func ptrs(ms []meeting.Meeting) []*meeting.Meeting {
	out := make([]*meeting.Meeting, len(ms))
	for i := range ms {
		out[i] = &ms[i]
	}
	return out
}
