// Package searchtest is the conformance suite of search.Index: every
// implementation (postgres.SearchIndex, meili.Index) runs Run in its own
// tests, so they all match words, prefixes, typos and type names, honour
// the filters and the point/radius of GET /v1/meetings, page without gaps
// and apply upserts and deletes.
package searchtest

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
)

// Harness is one empty index under test and its source of truth.
type Harness struct {
	Index search.Index
	// Put stores ms as the source of truth does: meetings without an ID
	// are added and get one, the others replace the stored version. It
	// returns ms with their IDs. The suite then calls Index.Upsert(ms), as
	// the outbox worker would.
	Put func(t *testing.T, ms []meeting.Meeting) []meeting.Meeting
	// Remove deletes the meetings from the source of truth; the suite then
	// calls Index.Delete(ids).
	Remove func(t *testing.T, ids []int64)
}

// scranton is the point of the geographic cases: [lon, lat].
var scranton = orb.Point{-75.6624, 41.4090}

// at returns a point km kilometres north of scranton.
func at(km float64) orb.Point { return orb.Point{scranton[0], scranton[1] + km/111.2} }

func fixture(name string, day meeting.Weekday, hour int, types []string, p orb.Point) meeting.Meeting {
	return meeting.Meeting{
		Source: "conformance", ExternalID: name, GroupKey: name, Name: name, Program: meeting.ProgramAA,
		Day: day, Start: meeting.NewClock(hour, 0), End: meeting.NoClock, TimeZone: "America/New_York",
		Types: types, Attendance: meeting.AttendanceInPerson, Status: meeting.StatusPublished,
		Location: meeting.Location{City: "Scranton", Region: "PA", Country: "US", Address: "1 Main St", Point: p, HasPoint: true},
	}
}

// fixtures are the meetings every case runs on.
func fixtures() []meeting.Meeting {
	return []meeting.Meeting{
		fixture("Serenity Group", 1, 19, []string{"O"}, at(1)),
		fixture("Morning Serenity", 2, 7, []string{"C", "B"}, at(4)),
		fixture("Serenity Seekers", 3, 12, []string{"W"}, at(8)),
		fixture("Far Serenity", 1, 20, []string{"O"}, at(300)),
		fixture("Big Book Study", 5, 18, []string{"B", "S"}, at(2)),
		fixture("Grupo Esperanza", 6, 20, []string{"S"}, at(3)),
		fixture("Monday Night", 1, 21, []string{"D"}, at(5)),
	}
}

// Run runs the conformance suite; newHarness returns an empty index for
// each case.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	s := suite{newHarness: newHarness}
	t.Run("matching", s.matching)
	t.Run("paging", s.paging)
	t.Run("upsert and delete", s.upsertAndDelete)
	t.Run("a query without words is invalid", s.emptyQuery)
}

// suite holds the harness maker the cases share.
type suite struct {
	newHarness func(t *testing.T) Harness
}

var ctx = context.Background()

// load returns a harness holding the fixtures, and their ids by name.
func (s suite) load(t *testing.T) (Harness, map[string]int64) {
	h := s.newHarness(t)
	ms := h.Put(t, fixtures())
	if err := h.Index.Upsert(ctx, ms); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	ids := map[string]int64{}
	for _, m := range ms {
		ids[m.Name] = m.ID
	}
	return h, ids
}

// names runs f and returns the names of the hits in order.
func names(t *testing.T, h Harness, ids map[string]int64, f meeting.Filter) []string {
	t.Helper()
	hits, err := h.Index.Search(ctx, f)
	if err != nil {
		t.Fatalf("Search(%+v): %v", f, err)
	}
	byID := map[int64]string{}
	for n, id := range ids {
		byID[id] = n
	}
	out := []string{}
	for _, hit := range hits.Hits {
		out = append(out, byID[hit.ID])
		if f.HasPoint && !hit.HasDistance {
			t.Errorf("hit %d has no distance for a query with a point", hit.ID)
		}
	}
	return out
}

// sorted returns a sorted copy of s.
func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// matching checks which fixtures each query finds.
func (s suite) matching(t *testing.T) {
	h, ids := s.load(t)
	after, before := meeting.NewClock(10, 0), meeting.NewClock(20, 30)
	for _, tc := range []struct {
		name  string
		f     meeting.Filter
		want  []string // as a set unless first is set
		first string
	}{
		{name: "word", f: meeting.Filter{Q: "serenity"}, want: []string{"Serenity Group", "Morning Serenity", "Serenity Seekers", "Far Serenity"}},
		{name: "exact name first", f: meeting.Filter{Q: "serenity group"}, first: "Serenity Group"},
		{name: "typo", f: meeting.Filter{Q: "serinity"}, want: []string{"Serenity Group", "Morning Serenity", "Serenity Seekers", "Far Serenity"}},
		{name: "prefix", f: meeting.Filter{Q: "esper"}, want: []string{"Grupo Esperanza"}},
		{name: "type name", f: meeting.Filter{Q: "spanish"}, want: []string{"Big Book Study", "Grupo Esperanza"}},
		{name: "type name in Spanish, no accent", f: meeting.Filter{Q: "espanol"}, want: []string{"Big Book Study", "Grupo Esperanza"}},
		{name: "two words", f: meeting.Filter{Q: "big book"}, first: "Big Book Study", want: []string{"Big Book Study", "Morning Serenity"}},
		{name: "within radius", f: meeting.Filter{Q: "serenity", Point: scranton, HasPoint: true, RadiusKM: 25},
			want: []string{"Serenity Group", "Morning Serenity", "Serenity Seekers"}},
		{name: "days", f: meeting.Filter{Q: "serenity", Days: []meeting.Weekday{1}}, want: []string{"Serenity Group", "Far Serenity"}},
		{name: "times", f: meeting.Filter{Q: "serenity", StartAfter: &after, StartBefore: &before}, want: []string{"Serenity Group", "Serenity Seekers", "Far Serenity"}},
		{name: "types", f: meeting.Filter{Q: "serenity", Types: []string{"C", "B"}}, want: []string{"Morning Serenity"}},
		{name: "program", f: meeting.Filter{Q: "serenity", Programs: []meeting.Program{meeting.ProgramNA}}, want: []string{}},
		{name: "attendance", f: meeting.Filter{Q: "serenity", Attendance: []meeting.Attendance{meeting.AttendanceInPerson}}, want: []string{"Serenity Group", "Morning Serenity", "Serenity Seekers", "Far Serenity"}},
		{name: "source", f: meeting.Filter{Q: "serenity", Sources: []string{"elsewhere"}}, want: []string{}},
		{name: "nothing", f: meeting.Filter{Q: "zzyzxqv"}, want: []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := names(t, h, ids, tc.f)
			if tc.first != "" && (len(got) == 0 || got[0] != tc.first) {
				t.Errorf("got %q, want %q first", got, tc.first)
			}
			if tc.want != nil {
				if d := cmp.Diff(sorted(tc.want), sorted(got)); d != "" {
					t.Errorf("(-want +got):\n%s", d)
				}
			}
		})
	}
}

// paging reads a query in pages of 3 and checks every hit comes once.
func (s suite) paging(t *testing.T) {
	h, ids := s.load(t)
	var got []string
	f := meeting.Filter{Q: "serenity", Limit: 3}
	for range 10 {
		hits, err := h.Index.Search(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, hit := range hits.Hits {
			for n, id := range ids {
				if id == hit.ID {
					got = append(got, n)
				}
			}
		}
		if hits.NextCursor == nil {
			break
		}
		f.Cursor = hits.NextCursor
	}
	if d := cmp.Diff([]string{"Far Serenity", "Morning Serenity", "Serenity Group", "Serenity Seekers"}, sorted(got)); d != "" {
		t.Errorf("pages of 3 (-want +got):\n%s", d)
	}
}

// upsertAndDelete checks that a renamed meeting is found by its new name
// and a deleted one no more.
func (s suite) upsertAndDelete(t *testing.T) {
	h, ids := s.load(t)
	m := fixture("Serenity Group", 1, 19, []string{"O"}, at(1))
	m.ID = ids["Serenity Group"]
	m.Name = "Tranquility Group"
	ms := h.Put(t, []meeting.Meeting{m})
	if err := h.Index.Upsert(ctx, ms); err != nil {
		t.Fatal(err)
	}
	ids["Tranquility Group"] = m.ID
	delete(ids, "Serenity Group")
	if got := names(t, h, ids, meeting.Filter{Q: "tranquility"}); !cmp.Equal(got, []string{"Tranquility Group"}) {
		t.Errorf("after a rename: %q", got)
	}
	h.Remove(t, []int64{ids["Morning Serenity"]})
	if err := h.Index.Delete(ctx, []int64{ids["Morning Serenity"]}); err != nil {
		t.Fatal(err)
	}
	if got := names(t, h, ids, meeting.Filter{Q: "serenity"}); !cmp.Equal(sorted(got), []string{"Far Serenity", "Serenity Seekers"}) {
		t.Errorf("after a rename and a delete: %q", got)
	}
	if err := h.Index.Delete(ctx, []int64{987654321}); err != nil {
		t.Errorf("deleting an unknown id: %v", err)
	}
}

// emptyQuery checks that a query without words is KindInvalid.
func (s suite) emptyQuery(t *testing.T) {
	h := s.newHarness(t)
	if _, err := h.Index.Search(ctx, meeting.Filter{Q: " ?! "}); !meeting.IsKind(err, meeting.KindInvalid) {
		t.Errorf("err %v, want KindInvalid", err)
	}
}

// Sequence returns a Put for indexes that keep documents themselves: it
// numbers new meetings 1, 2, … and returns the rest unchanged.
func Sequence() func(t *testing.T, ms []meeting.Meeting) []meeting.Meeting {
	next := int64(0)
	return func(t *testing.T, ms []meeting.Meeting) []meeting.Meeting {
		out := slices.Clone(ms)
		for i := range out {
			if out[i].ID == 0 {
				next++
				out[i].ID = next
			}
		}
		return out
	}
}
