// Package storetest is the conformance suite of the stores the HTTP API
// runs on: meeting.Store, the feeds' All, Each and Areas, meeting.OrgStore,
// meeting.ListingStore and meeting.ChangeRequestStore. Every
// implementation (the PostgreSQL stores in internal/postgres, the
// in-memory reference in internal/memstore, and any read model to come)
// runs Run in its own tests, so that they order, page, filter, measure,
// moderate, audit and refuse alike.
//
// The suite covers what does not need a text index: Filter.Q with words
// is left to the search conformance suite (internal/search/searchtest).
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// FeedStore reads whole results for the feeds; it is httpapi.FeedStore,
// restated here so that the suite does not import the HTTP layer.
type FeedStore interface {
	// All returns every public meeting matching f, ignoring f.Limit and
	// f.Cursor, in Find's order.
	All(ctx context.Context, f meeting.Filter) ([]meeting.Result, error)
	// Each calls fn with every meeting All returns, in All's order when
	// f has a point and by id when not, and stops at fn's first error,
	// which it returns.
	Each(ctx context.Context, f meeting.Filter, fn func(*meeting.Result) error) error
	// Areas returns the distinct source-and-regions lists of the public
	// meetings, ordered.
	Areas(ctx context.Context) ([][]string, error)
}

// Stores is one empty set of stores under test, sharing one set of
// meetings (a listing an organization creates is a meeting Find finds).
type Stores struct {
	Meetings       meeting.Store
	Feeds          FeedStore
	Orgs           meeting.OrgStore
	Listings       meeting.ListingStore
	ChangeRequests meeting.ChangeRequestStore
	// Seed adds ms as an import or the demo does
	// (postgres.MeetingStore.InsertMeetings): each with its own source,
	// external id, status and owner. It returns their ids, in the order
	// of ms, and fails the test on error.
	Seed func(t *testing.T, ms []meeting.Meeting) []int64
}

// Run runs the suite; open returns empty stores for each case.
func Run(t *testing.T, open func(t *testing.T) Stores) {
	t.Run("order without a point", func(t *testing.T) { testOrderByTime(t, open(t)) })
	t.Run("order with a point", func(t *testing.T) { testOrderByDistance(t, open(t)) })
	t.Run("doors and localities", func(t *testing.T) { testDoors(t, open(t)) })
	t.Run("radius edge", func(t *testing.T) { testRadius(t, open(t)) })
	t.Run("antimeridian", func(t *testing.T) { testAntimeridian(t, open(t)) })
	t.Run("paging", func(t *testing.T) { testPaging(t, open(t)) })
	t.Run("filters", func(t *testing.T) { testFilters(t, open(t)) })
	t.Run("every program", func(t *testing.T) { testPrograms(t, open(t)) })
	t.Run("each", func(t *testing.T) { testEach(t, open(t)) })
	t.Run("today and upcoming", func(t *testing.T) { testTodayUpcoming(t, open(t)) })
	t.Run("daylight saving ends", func(t *testing.T) { testRepeatedHour(t, open(t)) })
	t.Run("get", func(t *testing.T) { testGet(t, open(t)) })
	t.Run("areas", func(t *testing.T) { testAreas(t, open(t)) })
	t.Run("organizations and keys", func(t *testing.T) { testOrgs(t, open(t)) })
	t.Run("listings and moderation", func(t *testing.T) { testListings(t, open(t)) })
	t.Run("upload", func(t *testing.T) { testUpload(t, open(t)) })
	t.Run("change requests", func(t *testing.T) { testChangeRequests(t, open(t)) })
	t.Run("cross-organization access is not found", func(t *testing.T) { testCrossAccess(t, open(t)) })
}

var ctx = context.Background()

// scranton is the origin of the point queries: [lon, lat].
var scranton = orb.Point{-75.6624, 41.4090}

// sphereRadiusM is the mean radius of WGS 84, (2a + b) / 3: the sphere
// PostGIS measures geography distances on without a spheroid.
const sphereRadiusM = 6371008.771415059

// toleranceM is how far a store's distance may be from the suite's own
// great-circle figure.
const toleranceM = 0.5

// dest returns the point metres away from p on the initial bearing
// (degrees clockwise from north), on the sphere.
func dest(p orb.Point, bearing, metres float64) orb.Point {
	const rad = math.Pi / 180
	d, th := metres/sphereRadiusM, bearing*rad
	la1, lo1 := p.Lat()*rad, p.Lon()*rad
	la2 := math.Asin(math.Sin(la1)*math.Cos(d) + math.Cos(la1)*math.Sin(d)*math.Cos(th))
	lo2 := lo1 + math.Atan2(math.Sin(th)*math.Sin(d)*math.Cos(la1), math.Cos(d)-math.Sin(la1)*math.Sin(la2))
	lon := math.Mod(lo2/rad+540, 360) - 180
	return orb.Point{lon, la2 / rad}
}

// haversineM is the great-circle distance between a and b on the sphere.
func haversineM(a, b orb.Point) float64 {
	const rad = math.Pi / 180
	dla, dlo := (b.Lat()-a.Lat())*rad, (b.Lon()-a.Lon())*rad
	h := math.Pow(math.Sin(dla/2), 2) + math.Cos(a.Lat()*rad)*math.Cos(b.Lat()*rad)*math.Pow(math.Sin(dlo/2), 2)
	return 2 * sphereRadiusM * math.Asin(math.Sqrt(h))
}

// spec describes a seeded meeting by the parts the cases vary.
type spec struct {
	name  string
	day   meeting.Weekday
	start string // "HH:MM"; "" is by appointment
	end   string // "HH:MM"; "" is none
	tz    string
	at    *orb.Point
}

// clock parses "HH:MM" ("" is NoClock) and panics on anything else.
func clock(s string) meeting.Clock {
	if s == "" {
		return meeting.NoClock
	}
	c, err := meeting.ParseClock(s)
	if err != nil {
		panic(err)
	}
	return c
}

// pt returns a pointer to a copy of p.
func pt(p orb.Point) *orb.Point { return &p }

// build returns the published, valid meeting sp describes, from source
// "storetest".
func (sp spec) build() meeting.Meeting {
	m := meeting.Meeting{
		Source: "storetest", ExternalID: sp.name, GroupKey: sp.name, Name: sp.name, Program: meeting.ProgramAA,
		Day: sp.day, Start: clock(sp.start), End: clock(sp.end), ByAppointment: sp.start == "", TimeZone: sp.tz,
		Types: []string{"O"}, Attendance: meeting.AttendanceInPerson, Status: meeting.StatusPublished,
		Location: meeting.Location{Address: "1 Main St", City: "Scranton", Region: "PA", Country: "US"},
	}
	if m.TimeZone == "" && sp.tz != "-" {
		m.TimeZone = "America/New_York"
	}
	if sp.tz == "-" {
		m.TimeZone = ""
	}
	if sp.at != nil {
		m.Location.Point, m.Location.HasPoint = *sp.at, true
	}
	return m
}

// seeded is the result of seeding: ids by name and names by id.
type seeded struct {
	id   map[string]int64
	name map[int64]string
}

// seed builds and seeds specs.
func seed(t *testing.T, st Stores, specs ...spec) seeded {
	t.Helper()
	ms := make([]meeting.Meeting, len(specs))
	for i, sp := range specs {
		ms[i] = sp.build()
	}
	return seedMeetings(t, st, ms)
}

// seedMeetings seeds ms and checks that Seed returned distinct ids.
func seedMeetings(t *testing.T, st Stores, ms []meeting.Meeting) seeded {
	t.Helper()
	ids := st.Seed(t, ms)
	if len(ids) != len(ms) {
		t.Fatalf("Seed returned %d ids for %d meetings", len(ids), len(ms))
	}
	s := seeded{id: map[string]int64{}, name: map[int64]string{}}
	for i, m := range ms {
		if _, dup := s.name[ids[i]]; dup || ids[i] <= 0 {
			t.Fatalf("Seed returned id %d twice or not positive: %v", ids[i], ids)
		}
		s.id[m.Name], s.name[ids[i]] = ids[i], m.Name
	}
	return s
}

// names returns the names of rs.
func names(rs []meeting.Result) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

// find runs Find and fails the test on error.
func find(t *testing.T, st Stores, f meeting.Filter) meeting.Page {
	t.Helper()
	p, err := st.Meetings.Find(ctx, f)
	if err != nil {
		t.Fatalf("Find(%+v): %v", f, err)
	}
	return p
}

// wantKind fails unless err has the kind.
func wantKind(t *testing.T, what string, err error, kind meeting.Kind) {
	t.Helper()
	if !meeting.IsKind(err, kind) {
		t.Errorf("%s: error %v (kind %q), want kind %q", what, err, meeting.ErrorKind(err), kind)
	}
}

// now is the reference time of the cases that do not vary it.
var now = time.Date(2026, 3, 4, 3, 0, 0, 0, time.UTC)

// testOrderByTime checks Find's and All's order without a query point:
// by day, start and id, by appointment last, and no distances.
func testOrderByTime(t *testing.T, st Stores) {
	seed(t, st,
		spec{name: "Wed 07:00", day: 3, start: "07:00"},
		spec{name: "Appointment 1"},
		spec{name: "Sun 21:00", day: 0, start: "21:00"},
		spec{name: "Sun 09:00 seeded first", day: 0, start: "09:00"},
		spec{name: "Sat 23:59", day: 6, start: "23:59"},
		spec{name: "Sun 09:00 seeded second", day: 0, start: "09:00", at: pt(scranton)},
		spec{name: "Sun 00:00", day: 0, start: "00:00"},
		spec{name: "Appointment 2", at: pt(scranton)},
		spec{name: "Mon 12:00", day: 1, start: "12:00"},
	)
	want := []string{"Sun 00:00", "Sun 09:00 seeded first", "Sun 09:00 seeded second", "Sun 21:00", "Mon 12:00",
		"Wed 07:00", "Sat 23:59", "Appointment 1", "Appointment 2"}
	p := find(t, st, meeting.Filter{Now: now})
	if d := cmp.Diff(want, names(p.Results)); d != "" {
		t.Errorf("order by day, start, id; by appointment last (-want +got):\n%s", d)
	}
	if p.NextCursor != nil {
		t.Errorf("one page holds all, yet NextCursor = %+v", p.NextCursor)
	}
	for _, r := range p.Results {
		if r.HasDistance || r.DistanceM != 0 {
			t.Errorf("%s: distance %v (%v) without a query point", r.Name, r.DistanceM, r.HasDistance)
		}
	}
	all, err := st.Feeds.All(ctx, meeting.Filter{Now: now, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, names(all)); d != "" {
		t.Errorf("All ignores Limit, in Find's order (-want +got):\n%s", d)
	}
}

// testOrderByDistance checks the order and distances with a query point:
// nearest first, then by id, within the default radius.
func testOrderByDistance(t *testing.T, st Stores) {
	seed(t, st,
		spec{name: "3 km", day: 1, start: "19:00", at: pt(dest(scranton, 10, 3000))},
		spec{name: "2 km, seeded first", day: 5, start: "19:00", at: pt(dest(scranton, 200, 2000))},
		spec{name: "no point", day: 1, start: "19:00"},
		spec{name: "1 km", day: 6, start: "19:00", at: pt(dest(scranton, 90, 1000))},
		spec{name: "30 km", day: 1, start: "19:00", at: pt(dest(scranton, 45, 30000))},
		spec{name: "24 km", day: 0, start: "06:00", at: pt(dest(scranton, 300, 24000))},
		spec{name: "2 km, seeded second", day: 0, start: "07:00", at: pt(dest(scranton, 200, 2000))},
		spec{name: "at the point", day: 4, start: "19:00", at: pt(scranton)},
		spec{name: "by appointment 500 m", at: pt(dest(scranton, 0, 500))},
	)
	want := []string{"at the point", "by appointment 500 m", "1 km", "2 km, seeded first", "2 km, seeded second", "3 km", "24 km"}
	wantM := map[string]float64{"at the point": 0, "by appointment 500 m": 500, "1 km": 1000, "2 km, seeded first": 2000,
		"2 km, seeded second": 2000, "3 km": 3000, "24 km": 24000}
	p := find(t, st, meeting.Filter{Point: scranton, HasPoint: true, Now: now})
	if d := cmp.Diff(want, names(p.Results)); d != "" {
		t.Errorf("nearest first, then by id, within the default 25 km (-want +got):\n%s", d)
	}
	for _, r := range p.Results {
		if !r.HasDistance || math.Abs(r.DistanceM-wantM[r.Name]) > toleranceM {
			t.Errorf("%s: distance %.3f m (HasDistance %v), want %.0f m", r.Name, r.DistanceM, r.HasDistance, wantM[r.Name])
		}
	}
	all, err := st.Feeds.All(ctx, meeting.Filter{Point: scranton, HasPoint: true, Now: now, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, names(all)); d != "" {
		t.Errorf("All with a point (-want +got):\n%s", d)
	}
}

// testDoors checks that every store keeps what says whether a meeting is
// a door to walk to (attendance, an approximate point), so that only in
// person and hybrid meetings at an exact point get a walking distance
// (Result.WalkingDistance): an online meeting at its city's centre comes
// back 4 m from the query point with its distance for the order and the
// cursor, but none to show.
func testDoors(t *testing.T, st Stores) {
	type door struct {
		attendance meeting.Attendance
		approx     bool
		at         orb.Point
		walk       bool
	}
	doors := map[string]door{
		"online at the city centre":   {meeting.AttendanceOnline, true, dest(scranton, 0, 4), false},
		"online at its group's door":  {meeting.AttendanceOnline, false, dest(scranton, 90, 300), false},
		"in person at a door":         {meeting.AttendanceInPerson, false, dest(scranton, 180, 600), true},
		"in person, only a locality":  {meeting.AttendanceInPerson, true, dest(scranton, 270, 900), false},
		"hybrid at a door":            {meeting.AttendanceHybrid, false, dest(scranton, 45, 1200), true},
		"inactive at its former door": {meeting.AttendanceInactive, false, dest(scranton, 135, 1500), false},
	}
	var ms []meeting.Meeting
	for name, d := range doors {
		m := spec{name: name, day: 1, start: "19:00", at: pt(d.at)}.build()
		m.Attendance, m.Location.Approximate = d.attendance, d.approx
		if d.attendance == meeting.AttendanceOnline || d.attendance == meeting.AttendanceHybrid {
			m.Online.URL = "https://zoom.us/j/1"
		}
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	seedMeetings(t, st, ms)
	want := []string{"online at the city centre", "online at its group's door", "in person at a door", "in person, only a locality",
		"hybrid at a door", "inactive at its former door"}
	check := func(what string, rs []meeting.Result) {
		t.Helper()
		if d := cmp.Diff(want, names(rs)); d != "" {
			t.Errorf("%s: nearest first, doors or not (-want +got):\n%s", what, d)
		}
		for _, r := range rs {
			d := doors[r.Name]
			if r.Attendance != d.attendance || r.Location.Approximate != d.approx || !r.Location.HasPoint {
				t.Errorf("%s: %s came back %s, approximate %v, point %v; want %s, %v, a point", what, r.Name, r.Attendance, r.Location.Approximate,
					r.Location.HasPoint, d.attendance, d.approx)
			}
			if !r.HasDistance || math.Abs(r.DistanceM-haversineM(scranton, d.at)) > toleranceM {
				t.Errorf("%s: %s: distance %.3f (HasDistance %v), want %.3f for the order", what, r.Name, r.DistanceM, r.HasDistance, haversineM(scranton, d.at))
			}
			if _, walk := r.WalkingDistance(); walk != d.walk {
				t.Errorf("%s: %s: a walking distance %v, want %v", what, r.Name, walk, d.walk)
			}
		}
	}
	f := meeting.Filter{Point: scranton, HasPoint: true, Now: now}
	check("Find", find(t, st, f).Results)
	var paged []meeting.Result
	var c *meeting.Cursor
	for {
		pf := f
		pf.Limit, pf.Cursor = 1, c
		p := find(t, st, pf)
		paged = append(paged, p.Results...)
		if c = p.NextCursor; c == nil || len(paged) > len(want) {
			break
		}
	}
	check("pages of 1", paged)
	all, err := st.Feeds.All(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	check("All", all)
	for _, r := range find(t, st, meeting.Filter{Now: now}).Results {
		if _, walk := r.WalkingDistance(); walk {
			t.Errorf("%s: a walking distance without a query point", r.Name)
		}
	}
}

// testPrograms seeds one meeting of every program and finds each by its
// program alone, and two together: stores that keep programs as bits
// (the read model) must hold them all, not only the first sixteen.
func testPrograms(t *testing.T, st Stores) {
	var ms []meeting.Meeting
	for i, p := range meeting.Programs {
		m := spec{name: string(p), day: meeting.Weekday(i % 7), start: "19:00"}.build()
		m.Program = p
		ms = append(ms, m)
	}
	seedMeetings(t, st, ms)
	for _, p := range meeting.Programs {
		got := names(find(t, st, meeting.Filter{Programs: []meeting.Program{p}, Now: now}).Results)
		if d := cmp.Diff([]string{string(p)}, got); d != "" {
			t.Errorf("program %s (-want +got):\n%s", p, d)
		}
	}
	got := names(find(t, st, meeting.Filter{Programs: []meeting.Program{meeting.ProgramWFS, meeting.ProgramCA}, Now: now}).Results)
	sort.Strings(got)
	if d := cmp.Diff([]string{"ca", "wfs"}, got); d != "" {
		t.Errorf("programs ca and wfs (-want +got):\n%s", d)
	}
}

// testRadius checks which meetings near a radius's edge are in and out.
func testRadius(t *testing.T, st Stores) {
	seed(t, st,
		spec{name: "24.99 km", day: 1, start: "19:00", at: pt(dest(scranton, 30, 24990))},
		spec{name: "25.01 km", day: 1, start: "19:00", at: pt(dest(scranton, 150, 25010))},
		spec{name: "995 m", day: 1, start: "19:00", at: pt(dest(scranton, 270, 995))},
		spec{name: "1005 m", day: 1, start: "19:00", at: pt(dest(scranton, 0, 1005))},
		spec{name: "499 km", day: 1, start: "19:00", at: pt(dest(scranton, 180, 499000))},
	)
	for _, tc := range []struct {
		name   string
		radius float64
		want   []string
	}{
		{"default 25 km", 0, []string{"995 m", "1005 m", "24.99 km"}},
		{"25 km", 25, []string{"995 m", "1005 m", "24.99 km"}},
		{"25.02 km", 25.02, []string{"995 m", "1005 m", "24.99 km", "25.01 km"}},
		{"1 km", 1, []string{"995 m"}},
		{"0.5 km", 0.5, []string{}},
		{"500 km", 500, []string{"995 m", "1005 m", "24.99 km", "25.01 km", "499 km"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := find(t, st, meeting.Filter{Point: scranton, HasPoint: true, RadiusKM: tc.radius, Now: now})
			if d := cmp.Diff(tc.want, names(p.Results)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// testAntimeridian checks that radius and distance take the short way
// across the antimeridian.
func testAntimeridian(t *testing.T, st Stores) {
	fiji := orb.Point{179.95, -16.5}
	seed(t, st,
		spec{name: "east of the line", day: 1, start: "19:00", tz: "Pacific/Fiji", at: pt(orb.Point{-179.95, -16.5})},
		spec{name: "west of the line", day: 1, start: "19:00", tz: "Pacific/Fiji", at: pt(orb.Point{179.90, -16.5})},
		spec{name: "far east", day: 1, start: "19:00", tz: "Pacific/Fiji", at: pt(orb.Point{-179.70, -16.5})},
		spec{name: "far west", day: 1, start: "19:00", tz: "Pacific/Fiji", at: pt(orb.Point{179.55, -16.5})},
	)
	for _, tc := range []struct {
		name   string
		at     orb.Point
		radius float64
		want   []string
	}{
		{"from the west side", fiji, 25, []string{"west of the line", "east of the line"}},
		{"from the east side", orb.Point{-179.99, -16.5}, 25, []string{"east of the line", "west of the line"}},
		{"wider", fiji, 45, []string{"west of the line", "east of the line", "far east", "far west"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := find(t, st, meeting.Filter{Point: tc.at, HasPoint: true, RadiusKM: tc.radius, Now: now})
			if d := cmp.Diff(tc.want, names(p.Results)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			for _, r := range p.Results {
				if w := haversineM(tc.at, r.Location.Point); math.Abs(r.DistanceM-w) > toleranceM {
					t.Errorf("%s: distance %.3f m, want %.3f m (the short way across the antimeridian)", r.Name, r.DistanceM, w)
				}
			}
		})
	}
}

// pageAll reads every page of f with the given limit and returns the ids
// in order, failing on a page that is too long or a loop.
func pageAll(t *testing.T, st Stores, f meeting.Filter, limit int) []int64 {
	t.Helper()
	f.Limit, f.Cursor = limit, nil
	var out []int64
	for range 1000 {
		p := find(t, st, f)
		if len(p.Results) > limit {
			t.Fatalf("a page of %d results with limit %d", len(p.Results), limit)
		}
		for _, r := range p.Results {
			out = append(out, r.ID)
		}
		if p.NextCursor == nil {
			return out
		}
		if len(p.Results) != limit {
			t.Fatalf("a short page (%d of %d) has a next cursor", len(p.Results), limit)
		}
		f.Cursor = p.NextCursor
	}
	t.Fatal("paging does not end")
	return nil
}

// testPaging checks that keyset pages of every size add up to the one
// long page, without duplicates or gaps, also among many ties, and that
// All ignores Limit and Cursor.
func testPaging(t *testing.T, st Stores) {
	var specs []spec
	for i := range 40 {
		specs = append(specs, spec{name: fmt.Sprintf("same place and time %02d", i), day: 2, start: "19:00", at: pt(dest(scranton, 45, 1500))})
	}
	for i := range 8 {
		specs = append(specs, spec{name: fmt.Sprintf("spread %d", i), day: meeting.Weekday(i % 7), start: "12:00", at: pt(dest(scranton, float64(40*i), float64(300+700*i)))})
		specs = append(specs, spec{name: fmt.Sprintf("appointment %d", i), at: pt(dest(scranton, float64(40*i), 1500))})
	}
	specs = append(specs, spec{name: "no point", day: 2, start: "19:00"})
	s := seed(t, st, specs...)
	for _, tc := range []struct {
		name string
		f    meeting.Filter
		n    int // meetings the query finds
	}{
		{"without a point", meeting.Filter{Now: now}, len(specs)},
		{"with a point", meeting.Filter{Point: scranton, HasPoint: true, Now: now}, len(specs) - 1},
		{"with a point and a filter", meeting.Filter{Point: scranton, HasPoint: true, Days: []meeting.Weekday{2}, Now: now}, 41},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole := find(t, st, meeting.Filter{Point: tc.f.Point, HasPoint: tc.f.HasPoint, Days: tc.f.Days, Now: now, Limit: 1000})
			var want []int64
			for _, r := range whole.Results {
				want = append(want, r.ID)
			}
			if len(want) != tc.n || whole.NextCursor != nil {
				t.Fatalf("one page of 1000 has %d meetings (next cursor %v), want %d", len(want), whole.NextCursor, tc.n)
			}
			for _, limit := range []int{1, 6, 7, 10, tc.n, tc.n + 1} {
				got := pageAll(t, st, tc.f, limit)
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("pages of %d differ from one page: duplicates or gaps (-want +got):\n%s", limit, d)
				}
			}
			all, err := st.Feeds.All(ctx, meeting.Filter{Point: tc.f.Point, HasPoint: tc.f.HasPoint, Days: tc.f.Days, Now: now, Limit: 3,
				Cursor: &meeting.Cursor{ID: want[len(want)-1], DistanceM: 1e9, Day: 7, Start: 1}})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range all {
				got = append(got, r.ID)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("All ignores Limit and Cursor (-want +got):\n%s", d)
			}
		})
	}
	// The 40 meetings at one place and time come out by id, after the
	// earlier meeting on their day and before the one seeded last.
	var tied []string
	for _, id := range pageAll(t, st, meeting.Filter{Days: []meeting.Weekday{2}, Now: now}, 7) {
		tied = append(tied, s.name[id])
	}
	want := []string{"spread 2"}
	for i := range 40 {
		want = append(want, fmt.Sprintf("same place and time %02d", i))
	}
	want = append(want, "no point")
	if d := cmp.Diff(want, tied); d != "" {
		t.Errorf("ties by id (-want +got):\n%s", d)
	}
}

// testEach checks that Each yields what All returns, in All's order with a
// point and by id without, ignoring Limit and Cursor, and that it stops at
// the first error of fn and returns it.
func testEach(t *testing.T, st Stores) {
	var specs []spec
	for i := range 12 {
		specs = append(specs, spec{name: fmt.Sprintf("meeting %02d", i), day: meeting.Weekday(i % 3), start: "19:00", at: pt(dest(scranton, float64(30*i), float64(200+100*i)))})
	}
	specs = append(specs, spec{name: "appointment", at: pt(scranton)}, spec{name: "no point", day: 1, start: "07:00"})
	seed(t, st, specs...)
	for _, f := range []meeting.Filter{
		{Now: now, Limit: 2, Cursor: &meeting.Cursor{ID: 1e9, Day: 7}},
		{Point: scranton, HasPoint: true, Now: now, Limit: 1},
		{Days: []meeting.Weekday{1}, Now: now},
	} {
		all, err := st.Feeds.All(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if !f.HasPoint {
			sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
		}
		var got []meeting.Result
		if err := st.Feeds.Each(ctx, f, func(r *meeting.Result) error { got = append(got, *r); return nil }); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(all, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("Each(%+v) differs from All (-All +Each):\n%s", f, d)
		}
	}
	stop := fmt.Errorf("stop here")
	calls := 0
	err := st.Feeds.Each(ctx, meeting.Filter{Now: now}, func(*meeting.Result) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("Each with fn failing at once: %d calls, error %v; want 1 call and fn's error", calls, err)
	}
}

// testFilters checks each filter of Find and All alone and combined, and
// that pending meetings are never found.
func testFilters(t *testing.T, st Stores) {
	type fx struct {
		name   string
		day    meeting.Weekday
		start  string
		types  []string
		attend meeting.Attendance
		prog   meeting.Program
		source string
	}
	var ms []meeting.Meeting
	for _, f := range []fx{
		{"A Mon 10:00", 1, "10:00", []string{"O", "D"}, meeting.AttendanceInPerson, meeting.ProgramAA, "north"},
		{"B Mon 12:00", 1, "12:00", []string{"O"}, meeting.AttendanceOnline, meeting.ProgramNA, "south"},
		{"C Wed 09:59", 3, "09:59", []string{"D", "W"}, meeting.AttendanceHybrid, meeting.ProgramAA, "north"},
		{"D Wed 11:59", 3, "11:59", nil, meeting.AttendanceInPerson, meeting.ProgramSMART, "south"},
		{"E Fri 12:01", 5, "12:01", []string{"W", "D", "O"}, meeting.AttendanceOnline, meeting.ProgramAA, "north"},
		{"F appointment", 0, "", []string{"O", "D"}, meeting.AttendanceInPerson, meeting.ProgramAA, "north"},
	} {
		m := spec{name: f.name, day: f.day, start: f.start}.build()
		m.Types, m.Attendance, m.Program, m.Source = f.types, f.attend, f.prog, f.source
		if f.attend != meeting.AttendanceInPerson {
			m.Online.URL = "https://zoom.example/j/1"
		}
		ms = append(ms, m)
	}
	pending := spec{name: "G pending Mon 10:00", day: 1, start: "10:00"}.build()
	pending.Status = meeting.StatusPending
	ms = append(ms, pending)
	seeded := seedMeetings(t, st, ms)
	c := func(s string) *meeting.Clock { v := clock(s); return &v }
	ids := func(names ...string) []int64 {
		out := []int64{}
		for _, n := range names {
			out = append(out, seeded.id[n])
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    meeting.Filter
		want []string
	}{
		{"none", meeting.Filter{}, []string{"A Mon 10:00", "B Mon 12:00", "C Wed 09:59", "D Wed 11:59", "E Fri 12:01", "F appointment"}},
		{"one day", meeting.Filter{Days: []meeting.Weekday{1}}, []string{"A Mon 10:00", "B Mon 12:00"}},
		{"two days", meeting.Filter{Days: []meeting.Weekday{5, 3}}, []string{"C Wed 09:59", "D Wed 11:59", "E Fri 12:01"}},
		{"Sunday leaves out by appointment", meeting.Filter{Days: []meeting.Weekday{0}}, []string{}},
		{"start after, inclusive", meeting.Filter{StartAfter: c("10:00")}, []string{"A Mon 10:00", "B Mon 12:00", "D Wed 11:59", "E Fri 12:01"}},
		{"start before, exclusive", meeting.Filter{StartBefore: c("12:00")}, []string{"A Mon 10:00", "C Wed 09:59", "D Wed 11:59"}},
		{"start between", meeting.Filter{StartAfter: c("10:00"), StartBefore: c("12:01")}, []string{"A Mon 10:00", "B Mon 12:00", "D Wed 11:59"}},
		{"midnight start after", meeting.Filter{StartAfter: c("00:00")}, []string{"A Mon 10:00", "B Mon 12:00", "C Wed 09:59", "D Wed 11:59", "E Fri 12:01"}},
		{"one type", meeting.Filter{Types: []string{"O"}}, []string{"A Mon 10:00", "B Mon 12:00", "E Fri 12:01", "F appointment"}},
		{"all types required", meeting.Filter{Types: []string{"D", "O"}}, []string{"A Mon 10:00", "E Fri 12:01", "F appointment"}},
		{"three types", meeting.Filter{Types: []string{"O", "D", "W"}}, []string{"E Fri 12:01"}},
		{"types are case-sensitive codes", meeting.Filter{Types: []string{"o"}}, []string{}},
		{"unknown type", meeting.Filter{Types: []string{"ZZ"}}, []string{}},
		{"attendance", meeting.Filter{Attendance: []meeting.Attendance{meeting.AttendanceOnline}}, []string{"B Mon 12:00", "E Fri 12:01"}},
		{"attendance any of", meeting.Filter{Attendance: []meeting.Attendance{meeting.AttendanceHybrid, meeting.AttendanceOnline}}, []string{"B Mon 12:00", "C Wed 09:59", "E Fri 12:01"}},
		{"program", meeting.Filter{Programs: []meeting.Program{meeting.ProgramNA}}, []string{"B Mon 12:00"}},
		{"programs any of", meeting.Filter{Programs: []meeting.Program{meeting.ProgramSMART, meeting.ProgramAA}}, []string{"A Mon 10:00", "C Wed 09:59", "D Wed 11:59", "E Fri 12:01", "F appointment"}},
		{"source", meeting.Filter{Sources: []string{"north"}}, []string{"A Mon 10:00", "C Wed 09:59", "E Fri 12:01", "F appointment"}},
		{"unknown source", meeting.Filter{Sources: []string{"east"}}, []string{}},
		{"combined", meeting.Filter{Days: []meeting.Weekday{1, 5}, Types: []string{"O"}, Attendance: []meeting.Attendance{meeting.AttendanceOnline}}, []string{"B Mon 12:00", "E Fri 12:01"}},
		{"q without words is no text query", meeting.Filter{Q: " ?! ", Days: []meeting.Weekday{1}}, []string{"A Mon 10:00", "B Mon 12:00"}},
		{"ids", meeting.Filter{IDs: ids("E Fri 12:01", "A Mon 10:00")}, []string{"A Mon 10:00", "E Fri 12:01"}},
		{"ids repeated", meeting.Filter{IDs: ids("C Wed 09:59", "C Wed 09:59")}, []string{"C Wed 09:59"}},
		{"ids include by appointment", meeting.Filter{IDs: ids("F appointment", "B Mon 12:00")}, []string{"B Mon 12:00", "F appointment"}},
		{"ids never find pending", meeting.Filter{IDs: ids("G pending Mon 10:00")}, []string{}},
		{"unknown id", meeting.Filter{IDs: []int64{987654321}}, []string{}},
		{"ids with other filters", meeting.Filter{IDs: ids("A Mon 10:00", "B Mon 12:00", "C Wed 09:59"), Types: []string{"O"}}, []string{"A Mon 10:00", "B Mon 12:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Now = now
			p := find(t, st, tc.f)
			if d := cmp.Diff(tc.want, names(p.Results)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			all, err := st.Feeds.All(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, names(all)); d != "" {
				t.Errorf("All (-want +got):\n%s", d)
			}
		})
	}
}

// occurrence is what a result says about a meeting's next occurrence.
type occurrence struct {
	NextStart  string // RFC 3339 in the meeting's zone; "" for none
	InProgress bool
}

// occurrences returns the occurrence of every result by name.
func occurrences(rs []meeting.Result) map[string]occurrence {
	out := map[string]occurrence{}
	for _, r := range rs {
		o := occurrence{InProgress: r.InProgress}
		if !r.NextStart.IsZero() {
			o.NextStart = r.NextStart.Format(time.RFC3339)
		}
		out[r.Name] = o
	}
	return out
}

// testTodayUpcoming checks Today, UpcomingHours, NextStart and InProgress
// in several zones on the day daylight-saving time begins in the US.
func testTodayUpcoming(t *testing.T, st Stores) {
	// 10:30 UTC on Sunday 8 March 2026: daylight-saving time began at 10:00
	// UTC in Los Angeles (02:00 PST became 03:00 PDT; it is 03:30 PDT) and
	// at 07:00 UTC in New York (06:30 EDT). It is 23:30 on Sunday in
	// Auckland (NZDT, +13), 00:30 on Monday on Kiritimati (+14), 23:30 on
	// Saturday in Pago Pago (-11) and 10:30 in London (GMT).
	at := time.Date(2026, 3, 8, 10, 30, 0, 0, time.UTC)
	seed(t, st,
		spec{name: "AKL Sun 23:00-00:30", day: 0, start: "23:00", end: "00:30", tz: "Pacific/Auckland"},
		spec{name: "AKL Mon 01:00", day: 1, start: "01:00", tz: "Pacific/Auckland"},
		spec{name: "AKL Mon 01:30", day: 1, start: "01:30", tz: "Pacific/Auckland"},
		spec{name: "AKL Mon 01:31", day: 1, start: "01:31", tz: "Pacific/Auckland"},
		spec{name: "LAX Sun 02:30 (skipped)", day: 0, start: "02:30", tz: "America/Los_Angeles"},
		spec{name: "LAX Sun 01:30-02:45", day: 0, start: "01:30", end: "02:45", tz: "America/Los_Angeles"},
		spec{name: "LAX Sun 05:00", day: 0, start: "05:00", tz: "America/Los_Angeles"},
		spec{name: "LAX Sun 05:31", day: 0, start: "05:31", tz: "America/Los_Angeles"},
		spec{name: "LAX Sat 23:00-01:00", day: 6, start: "23:00", end: "01:00", tz: "America/Los_Angeles"},
		spec{name: "NYC Sun 07:00", day: 0, start: "07:00", tz: "America/New_York"},
		spec{name: "CXI Mon 02:00", day: 1, start: "02:00", tz: "Pacific/Kiritimati"},
		spec{name: "CXI Sun 23:00", day: 0, start: "23:00", tz: "Pacific/Kiritimati"},
		spec{name: "PPG Sat 23:00-00:15", day: 6, start: "23:00", end: "00:15", tz: "Pacific/Pago_Pago"},
		spec{name: "PPG Sun 08:00", day: 0, start: "08:00", tz: "Pacific/Pago_Pago"},
		spec{name: "LON Sun 12:00", day: 0, start: "12:00", tz: "Europe/London"},
		spec{name: "LON Mon 10:00", day: 1, start: "10:00", tz: "Europe/London"},
		spec{name: "no zone Sun 10:00", day: 0, start: "10:00", tz: "-"},
		spec{name: "by appointment", tz: "Pacific/Auckland"},
	)
	for _, tc := range []struct {
		name string
		f    meeting.Filter
		want []string
	}{
		{"today in each zone", meeting.Filter{Today: true},
			[]string{"LAX Sun 01:30-02:45", "LAX Sun 02:30 (skipped)", "LAX Sun 05:00", "LAX Sun 05:31", "NYC Sun 07:00", "LON Sun 12:00",
				"AKL Sun 23:00-00:30", "CXI Mon 02:00", "PPG Sat 23:00-00:15"}},
		{"today and a day", meeting.Filter{Today: true, Days: []meeting.Weekday{1}}, []string{"CXI Mon 02:00"}},
		{"upcoming 2 hours", meeting.Filter{UpcomingHours: 2},
			[]string{"LAX Sun 01:30-02:45", "LAX Sun 02:30 (skipped)", "LAX Sun 05:00", "NYC Sun 07:00", "LON Sun 12:00",
				"AKL Sun 23:00-00:30", "AKL Mon 01:00", "AKL Mon 01:30", "CXI Mon 02:00", "PPG Sat 23:00-00:15"}},
		{"upcoming half an hour", meeting.Filter{UpcomingHours: 0.5},
			[]string{"LAX Sun 01:30-02:45", "LAX Sun 02:30 (skipped)", "NYC Sun 07:00", "AKL Sun 23:00-00:30", "PPG Sat 23:00-00:15"}},
		{"upcoming a week", meeting.Filter{UpcomingHours: 168},
			[]string{"LAX Sun 01:30-02:45", "LAX Sun 02:30 (skipped)", "LAX Sun 05:00", "LAX Sun 05:31", "NYC Sun 07:00", "PPG Sun 08:00",
				"LON Sun 12:00", "AKL Sun 23:00-00:30", "CXI Sun 23:00", "AKL Mon 01:00", "AKL Mon 01:30", "AKL Mon 01:31", "CXI Mon 02:00",
				"LON Mon 10:00", "LAX Sat 23:00-01:00", "PPG Sat 23:00-00:15"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Now = at
			p := find(t, st, tc.f)
			if d := cmp.Diff(tc.want, names(p.Results)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	t.Run("next start", func(t *testing.T) {
		want := map[string]occurrence{
			"AKL Sun 23:00-00:30":     {"2026-03-08T23:00:00+13:00", true},
			"AKL Mon 01:00":           {"2026-03-09T01:00:00+13:00", false},
			"AKL Mon 01:30":           {"2026-03-09T01:30:00+13:00", false},
			"AKL Mon 01:31":           {"2026-03-09T01:31:00+13:00", false},
			"LAX Sun 02:30 (skipped)": {"2026-03-08T03:30:00-07:00", true}, // 02:30 does not exist: read as PST, 10:30 UTC
			"LAX Sun 01:30-02:45":     {"2026-03-08T01:30:00-08:00", true}, // 75 minutes from 09:30 UTC
			"LAX Sun 05:00":           {"2026-03-08T05:00:00-07:00", false},
			"LAX Sun 05:31":           {"2026-03-08T05:31:00-07:00", false},
			"LAX Sat 23:00-01:00":     {"2026-03-14T23:00:00-07:00", false},
			"NYC Sun 07:00":           {"2026-03-08T07:00:00-04:00", false},
			"CXI Mon 02:00":           {"2026-03-09T02:00:00+14:00", false},
			"CXI Sun 23:00":           {"2026-03-15T23:00:00+14:00", false},
			"PPG Sat 23:00-00:15":     {"2026-03-07T23:00:00-11:00", true},
			"PPG Sun 08:00":           {"2026-03-08T08:00:00-11:00", false},
			"LON Sun 12:00":           {"2026-03-08T12:00:00Z", false},
			"LON Mon 10:00":           {"2026-03-09T10:00:00Z", false},
			"no zone Sun 10:00":       {"", false},
			"by appointment":          {"", false},
		}
		p := find(t, st, meeting.Filter{Now: at, Limit: 100})
		if d := cmp.Diff(want, occurrences(p.Results)); d != "" {
			t.Errorf("NextStart and InProgress at %s (-want +got):\n%s", at, d)
		}
	})
}

// testRepeatedHour checks NextStart and InProgress around the hour that
// happens twice when daylight-saving time ends.
func testRepeatedHour(t *testing.T, st Stores) {
	seed(t, st,
		spec{name: "AKL Sun 02:30", day: 0, start: "02:30", tz: "Pacific/Auckland"},
		spec{name: "LAX Sun 01:30", day: 0, start: "01:30", tz: "America/Los_Angeles"},
		spec{name: "LAX Sun 19:00", day: 0, start: "19:00", tz: "America/Los_Angeles"},
	)
	for _, tc := range []struct {
		name string
		at   time.Time
		want map[string]occurrence
	}{
		// Auckland's clocks go from 03:00 NZDT back to 02:00 NZST at 14:00
		// UTC on Saturday 4 April 2026: 02:30 happens twice, and the
		// meeting is at the first.
		{"Auckland, before", time.Date(2026, 4, 4, 13, 0, 0, 0, time.UTC), map[string]occurrence{
			"AKL Sun 02:30": {"2026-04-05T02:30:00+13:00", false},
			"LAX Sun 01:30": {"2026-04-05T01:30:00-07:00", false},
			"LAX Sun 19:00": {"2026-04-05T19:00:00-07:00", false},
		}},
		{"Auckland, in the repeated hour", time.Date(2026, 4, 4, 14, 45, 0, 0, time.UTC), map[string]occurrence{
			"AKL Sun 02:30": {"2026-04-12T02:30:00+12:00", false},
			"LAX Sun 01:30": {"2026-04-05T01:30:00-07:00", false},
			"LAX Sun 19:00": {"2026-04-05T19:00:00-07:00", false},
		}},
		// Los Angeles goes from 02:00 PDT back to 01:00 PST at 09:00 UTC
		// on Sunday 1 November 2026.
		{"Los Angeles, before", time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), map[string]occurrence{
			"AKL Sun 02:30": {"2026-11-08T02:30:00+13:00", false},
			"LAX Sun 01:30": {"2026-11-01T01:30:00-07:00", false},
			"LAX Sun 19:00": {"2026-11-01T19:00:00-08:00", false},
		}},
		{"Los Angeles, in the repeated hour", time.Date(2026, 11, 1, 9, 15, 0, 0, time.UTC), map[string]occurrence{
			"AKL Sun 02:30": {"2026-11-08T02:30:00+13:00", false},
			"LAX Sun 01:30": {"2026-11-01T01:30:00-07:00", true},
			"LAX Sun 19:00": {"2026-11-01T19:00:00-08:00", false},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := find(t, st, meeting.Filter{Now: tc.at})
			if d := cmp.Diff(tc.want, occurrences(p.Results)); d != "" {
				t.Errorf("at %s (-want +got):\n%s", tc.at, d)
			}
		})
	}
}

// ignoreStamps leaves out what a store sets itself.
var ignoreStamps = cmpopts.IgnoreFields(meeting.Meeting{}, "ID", "CreatedAt", "UpdatedAt")

// testGet checks that Get returns every field as seeded, and that
// meetings that are not published are not found by Get nor Find.
func testGet(t *testing.T, st Stores) {
	full := meeting.Meeting{
		Source: "storetest", ExternalID: "full", GroupKey: "g1", Name: "Every Field", Program: meeting.ProgramNA,
		Day: 4, Start: clock("18:45"), End: clock("20:15"), TimeZone: "America/Chicago", Types: []string{"C", "ST", "ZZ"},
		Attendance: meeting.AttendanceHybrid, Status: meeting.StatusPublished,
		Location: meeting.Location{Name: "Hall", Address: "2 Oak Ave", City: "Peoria", Region: "IL", PostalCode: "61602",
			Country: "US", FormattedAddress: "2 Oak Ave, Peoria, IL 61602, USA", Regions: []string{"Central", "Downtown"},
			Notes: "Side door", Point: orb.Point{-89.589, 40.6936}, HasPoint: true, Approximate: true},
		Online: meeting.Online{URL: "https://zoom.example/j/2", URLNotes: "code 1", Phone: "+1 555 0101", PhoneNote: "PIN 2#"},
		Notes:  "Bring a friend", Group: "Step Group", URL: "https://example.org/m/full",
	}
	appt := spec{name: "By Appointment", tz: "-"}.build()
	appt.End = clock("10:00")
	pending := spec{name: "Pending", day: 1, start: "19:00"}.build()
	pending.Status = meeting.StatusPending
	rejected := spec{name: "Rejected", day: 1, start: "19:00"}.build()
	rejected.Status = meeting.StatusRejected
	s := seedMeetings(t, st, []meeting.Meeting{full, appt, pending, rejected})
	for _, tc := range []struct {
		name string
		want meeting.Meeting
	}{{"every field", full}, {"by appointment, no zone", appt}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.Meetings.Get(ctx, s.id[tc.want.Name])
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, *got, ignoreStamps, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("Get (-want +got):\n%s", d)
			}
			if got.ID != s.id[tc.want.Name] || got.CreatedAt.IsZero() || got.UpdatedAt.Before(got.CreatedAt) {
				t.Errorf("id %d (want %d), created %v, updated %v", got.ID, s.id[tc.want.Name], got.CreatedAt, got.UpdatedAt)
			}
		})
	}
	for _, tc := range []struct {
		name string
		id   int64
	}{{"pending", s.id["Pending"]}, {"rejected", s.id["Rejected"]}, {"unknown", 987654321}, {"zero", 0}} {
		t.Run(tc.name+" is not found", func(t *testing.T) {
			_, err := st.Meetings.Get(ctx, tc.id)
			wantKind(t, "Get", err, meeting.KindNotFound)
		})
	}
	if got := names(find(t, st, meeting.Filter{Now: now}).Results); !cmp.Equal(got, []string{"Every Field", "By Appointment"}) {
		t.Errorf("Find shows %q, want only the published meetings", got)
	}
}

// testAreas checks Areas: the distinct, ordered source-and-regions lists
// of the public meetings.
func testAreas(t *testing.T, st Stores) {
	var ms []meeting.Meeting
	for i, a := range []struct {
		source  string
		regions []string
		status  meeting.Status
	}{
		{"b", []string{"X", "Y"}, meeting.StatusPublished},
		{"a", []string{"X"}, meeting.StatusPublished},
		{"a", nil, meeting.StatusPublished},
		{"a", []string{"X"}, meeting.StatusPublished},
		{"a", []string{"X", "Y"}, meeting.StatusPublished},
		{"b", []string{"X"}, meeting.StatusPublished},
		{"a", []string{"W"}, meeting.StatusPublished},
		{"c", []string{"Z"}, meeting.StatusPending},
	} {
		m := spec{name: fmt.Sprint("area ", i), day: 1, start: "19:00"}.build()
		m.Source, m.Location.Regions, m.Status = a.source, a.regions, a.status
		ms = append(ms, m)
	}
	seedMeetings(t, st, ms)
	got, err := st.Feeds.Areas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"a"}, {"a", "W"}, {"a", "X"}, {"a", "X", "Y"}, {"b", "X"}, {"b", "X", "Y"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Areas (-want +got):\n%s", d)
	}
}

// testOrgs checks organizations and their keys: creation, trust, admin
// keys, authentication and revocation.
func testOrgs(t *testing.T, st Stores) {
	o := st.Orgs
	hill, err := o.CreateOrg(ctx, "  Hill Country  ", false)
	if err != nil {
		t.Fatal(err)
	}
	if hill.Name != "Hill Country" || hill.Trusted || hill.ID <= 0 || hill.CreatedAt.IsZero() {
		t.Errorf("CreateOrg = %+v, want the trimmed name, untrusted, with an id and a time", hill)
	}
	for _, n := range []string{"Zeta", "Alpha"} {
		if _, err := o.CreateOrg(ctx, n, true); err != nil {
			t.Fatal(err)
		}
	}
	_, err = o.CreateOrg(ctx, "Hill Country", true)
	wantKind(t, "CreateOrg of a taken name", err, meeting.KindConflict)
	_, err = o.CreateOrg(ctx, " \t", true)
	wantKind(t, "CreateOrg without a name", err, meeting.KindInvalid)
	orgs, err := o.Orgs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var on []string
	for _, x := range orgs {
		on = append(on, x.Name)
	}
	if d := cmp.Diff([]string{"Alpha", "Hill Country", "Zeta"}, on); d != "" {
		t.Errorf("Orgs by name (-want +got):\n%s", d)
	}
	_, err = o.SetTrusted(ctx, "Nobody", true)
	wantKind(t, "SetTrusted of an unknown organization", err, meeting.KindNotFound)
	_, _, err = o.CreateKey(ctx, "Nobody")
	wantKind(t, "CreateKey for an unknown organization", err, meeting.KindNotFound)

	key, k, err := o.CreateKey(ctx, "Hill Country")
	if err != nil {
		t.Fatal(err)
	}
	key2, _, err := o.CreateKey(ctx, "Hill Country")
	if err != nil {
		t.Fatal(err)
	}
	admin, ak, err := o.CreateAdminKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Prefix) < 4 || len(k.Prefix) >= len(key) || key[:len(k.Prefix)] != k.Prefix || key == key2 || key == admin {
		t.Errorf("key %q has prefix %q; second key %q; admin key %q", key, k.Prefix, key2, admin)
	}
	if k.OrgID != hill.ID || k.OrgName != "Hill Country" || k.Role != meeting.RoleOrg || !k.RevokedAt.IsZero() || k.CreatedAt.IsZero() {
		t.Errorf("org key = %+v", k)
	}
	if ak.OrgID != 0 || ak.OrgName != "" || ak.Role != meeting.RoleAdmin {
		t.Errorf("admin key = %+v", ak)
	}
	p, err := o.Authenticate(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(meeting.Principal{KeyPrefix: k.Prefix, Role: meeting.RoleOrg, OrgID: hill.ID, OrgName: "Hill Country"}, *p); d != "" {
		t.Errorf("Authenticate (-want +got):\n%s", d)
	}
	if _, err := o.SetTrusted(ctx, "Hill Country", true); err != nil {
		t.Fatal(err)
	}
	if p, err := o.Authenticate(ctx, key); err != nil || !p.Trusted {
		t.Errorf("after SetTrusted: %+v, %v; want the organization's trust as it is now", p, err)
	}
	if p, err := o.Authenticate(ctx, admin); err != nil || !p.IsAdmin() || p.OrgID != 0 || p.KeyPrefix != ak.Prefix {
		t.Errorf("admin Authenticate = %+v, %v", p, err)
	}
	for _, bad := range []string{"", "nope", key + "x", key[:len(key)-1], "mf_", k.Prefix} {
		_, err := o.Authenticate(ctx, bad)
		wantKind(t, fmt.Sprintf("Authenticate(%q)", bad), err, meeting.KindUnauthorized)
	}
	r1, err := o.RevokeKey(ctx, k.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	if r1.RevokedAt.IsZero() || r1.Prefix != k.Prefix || r1.OrgName != "Hill Country" {
		t.Errorf("RevokeKey = %+v", r1)
	}
	_, err = o.Authenticate(ctx, key)
	wantKind(t, "Authenticate with a revoked key", err, meeting.KindUnauthorized)
	if _, err := o.Authenticate(ctx, key2); err != nil {
		t.Errorf("the organization's other key: %v", err)
	}
	r2, err := o.RevokeKey(ctx, k.Prefix)
	if err != nil || !r2.RevokedAt.Equal(r1.RevokedAt) {
		t.Errorf("revoking again: %+v, %v; want the first revocation time %v", r2, err, r1.RevokedAt)
	}
	_, err = o.RevokeKey(ctx, "mf_nothere")
	wantKind(t, "RevokeKey of an unknown prefix", err, meeting.KindNotFound)
	keys, err := o.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range keys {
		got = append(got, fmt.Sprintf("%s %s %q revoked=%v", x.Prefix, x.Role, x.OrgName, !x.RevokedAt.IsZero()))
	}
	want := []string{k.Prefix + ` org "Hill Country" revoked=true`, key2[:len(k.Prefix)] + ` org "Hill Country" revoked=false`, ak.Prefix + ` admin "" revoked=false`}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Keys, oldest first (-want +got):\n%s", d)
	}
}

// principals makes the organizations of the listing cases and returns
// their principals: hill (untrusted), trail (trusted) and an admin.
func principals(t *testing.T, st Stores) (hill, trail, admin meeting.Principal) {
	t.Helper()
	get := func(key string, err error) meeting.Principal {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		p, err := st.Orgs.Authenticate(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return *p
	}
	for _, o := range []struct {
		name    string
		trusted bool
	}{{"Hill Country Intergroup", false}, {"Trail Walkers", true}} {
		if _, err := st.Orgs.CreateOrg(ctx, o.name, o.trusted); err != nil {
			t.Fatal(err)
		}
	}
	k, _, err := st.Orgs.CreateKey(ctx, "Hill Country Intergroup")
	hill = get(k, err)
	k, _, err = st.Orgs.CreateKey(ctx, "Trail Walkers")
	trail = get(k, err)
	k, _, err = st.Orgs.CreateAdminKey(ctx)
	admin = get(k, err)
	return hill, trail, admin
}

// listingPoint is where the listings of the cases meet.
var listingPoint = orb.Point{-74.0, 40.72}

// newListing returns a valid listing input named name.
func newListing(name string) *meeting.Meeting {
	return &meeting.Meeting{
		Name: name, Program: meeting.ProgramSMART, Day: 2, Start: clock("18:30"), End: clock("19:30"),
		TimeZone: "America/New_York", Types: []string{"O"}, Attendance: meeting.AttendanceHybrid,
		Location: meeting.Location{Name: "Grace Church", Address: "1 Elm St", City: "New York", Point: listingPoint, HasPoint: true},
		Online:   meeting.Online{URL: "https://zoom.example/j/9"},
	}
}

// create makes a listing and fails the test on error.
func create(t *testing.T, st Stores, p meeting.Principal, name string) *meeting.Listing {
	t.Helper()
	l, err := st.Listings.CreateListing(ctx, p, newListing(name))
	if err != nil {
		t.Fatalf("CreateListing(%s): %v", name, err)
	}
	return l
}

// nearby returns the names of the public meetings near listingPoint.
func nearby(t *testing.T, st Stores) []string {
	t.Helper()
	return names(find(t, st, meeting.Filter{Point: listingPoint, HasPoint: true, RadiusKM: 5, Now: now}).Results)
}

// listingNames returns the names and states of p's listings.
func listingNames(t *testing.T, st Stores, p meeting.Principal, status meeting.Status) []string {
	t.Helper()
	ls, err := st.Listings.Listings(ctx, p, status)
	if err != nil {
		t.Fatalf("Listings: %v", err)
	}
	out := []string{}
	for _, l := range ls {
		out = append(out, l.Name+" "+string(l.Status))
	}
	return out
}

// rename returns a change that renames a listing.
func rename(name string) func(*meeting.Meeting) error {
	return func(m *meeting.Meeting) error { m.Name = name; return nil }
}

// history returns p's view of the audit log of id, one line per entry:
// actor, action, note, and the names before and after.
func history(t *testing.T, st Stores, p meeting.Principal, id int64) []string {
	t.Helper()
	es, err := st.Listings.History(ctx, p, id)
	if err != nil {
		t.Fatalf("History(%d): %v", id, err)
	}
	out := []string{}
	for i, e := range es {
		name := func(m *meeting.Meeting) string {
			if m == nil {
				return "-"
			}
			if m.ID != id {
				t.Errorf("entry %d holds meeting %d, want %d", i, m.ID, id)
			}
			return m.Name + "/" + string(m.Status)
		}
		if e.MeetingID != id || e.At.IsZero() || (i > 0 && (e.ID <= es[i-1].ID || e.At.Before(es[i-1].At))) {
			t.Errorf("entry %d: id %d, meeting %d, at %v: want ascending ids and times on meeting %d", i, e.ID, e.MeetingID, e.At, id)
		}
		out = append(out, fmt.Sprintf("%s %s %q %s -> %s", e.Actor, e.Action, e.Note, name(e.Before), name(e.After)))
	}
	return out
}

// testListings is the life of two organizations' listings, in three
// phases over one set of stores: creation and the lists, moderation and
// edits, then deletion and the audit log.
func testListings(t *testing.T, st Stores) {
	hill, trail, admin := principals(t, st)
	s := &listingScenario{st: st, hill: hill, trail: trail, admin: admin,
		imported: seed(t, st, spec{name: "Imported", day: 1, start: "19:00", at: pt(listingPoint)}).id["Imported"]}
	s.createAndList(t)
	s.moderateAndEdit(t)
	s.deleteAndAudit(t)
}

// listingScenario is the state the phases of testListings hand on.
type listingScenario struct {
	st                 Stores
	hill, trail, admin meeting.Principal // untrusted, trusted, admin
	imported           int64             // an imported meeting at listingPoint
	h                  *meeting.Listing  // hill's listing, as created
	tr                 *meeting.Listing  // trail's listing, as created
	ed                 *meeting.Listing  // h after its owner replaced it
}

// createAndList refuses bad creations, creates s.h (pending) and s.tr
// (published), and checks who sees which in public and in the lists.
func (s *listingScenario) createAndList(t *testing.T) {
	st, hill, trail, admin, imported := s.st, s.hill, s.trail, s.admin, s.imported
	ls := st.Listings

	_, err := ls.CreateListing(ctx, admin, newListing("By an admin"))
	wantKind(t, "CreateListing by an admin", err, meeting.KindForbidden)
	_, err = ls.CreateListing(ctx, meeting.Principal{}, newListing("By nobody"))
	wantKind(t, "CreateListing by nobody", err, meeting.KindForbidden)
	noZone := newListing("No zone")
	noZone.TimeZone = ""
	_, err = ls.CreateListing(ctx, hill, noZone)
	wantKind(t, "CreateListing without a zone", err, meeting.KindInvalid)

	in := newListing("Hill Meeting")
	in.Status, in.ID, in.Source = meeting.StatusPublished, 999, "elsewhere"
	h, err := ls.CreateListing(ctx, hill, in)
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != meeting.StatusPending || h.Source != meeting.OrgSource(hill.OrgID) || h.OrgID != hill.OrgID || h.ID == 999 ||
		h.ExternalID == "" || h.GroupKey != h.ExternalID || h.StatusReason != "" || h.CreatedAt.IsZero() {
		t.Errorf("an untrusted organization's new listing = %+v", h)
	}
	if d := cmp.Diff(*newListing("Hill Meeting"), h.Meeting, ignoreStamps, cmpopts.EquateEmpty(),
		cmpopts.IgnoreFields(meeting.Meeting{}, "Source", "ExternalID", "GroupKey", "OrgID", "Status")); d != "" {
		t.Errorf("the listing's content (-want +got):\n%s", d)
	}
	tr := create(t, st, trail, "Trail Meeting")
	if tr.Status != meeting.StatusPublished {
		t.Errorf("a trusted organization's new listing is %s, want published", tr.Status)
	}
	if d := cmp.Diff([]string{"Imported", "Trail Meeting"}, nearby(t, st)); d != "" {
		t.Errorf("public meetings: pending listings are hidden (-want +got):\n%s", d)
	}
	_, err = st.Meetings.Get(ctx, h.ID)
	wantKind(t, "Get of a pending listing", err, meeting.KindNotFound)

	for _, tc := range []struct {
		name   string
		p      meeting.Principal
		status meeting.Status
		want   []string
	}{
		{"own", hill, "", []string{"Hill Meeting pending"}},
		{"other own", trail, "", []string{"Trail Meeting published"}},
		{"admin sees every organization's, not imported ones", admin, "", []string{"Hill Meeting pending", "Trail Meeting published"}},
		{"admin by state", admin, meeting.StatusPending, []string{"Hill Meeting pending"}},
		{"own by another state", hill, meeting.StatusRejected, []string{}},
	} {
		if d := cmp.Diff(tc.want, listingNames(t, st, tc.p, tc.status)); d != "" {
			t.Errorf("Listings, %s (-want +got):\n%s", tc.name, d)
		}
	}
	_, err = ls.Listings(ctx, meeting.Principal{}, "")
	wantKind(t, "Listings by nobody", err, meeting.KindForbidden)
	if l, err := ls.Listing(ctx, admin, imported); err != nil || l.Name != "Imported" {
		t.Errorf("an admin's Listing of an imported meeting: %v, %v", l, err)
	}
	s.h, s.tr = h, tr
}

// moderateAndEdit rejects, edits and approves s.h, then edits it and s.tr
// as owners and as an admin, and keeps the edit by its owner as s.ed.
func (s *listingScenario) moderateAndEdit(t *testing.T) {
	st, hill, trail, admin, imported, h, tr := s.st, s.hill, s.trail, s.admin, s.imported, s.h, s.tr
	ls := st.Listings

	// Moderation.
	_, err := ls.Moderate(ctx, hill, h.ID, meeting.StatusPublished, "")
	wantKind(t, "Moderate by an organization", err, meeting.KindForbidden)
	_, err = ls.Moderate(ctx, admin, h.ID, meeting.StatusRejected, "  ")
	wantKind(t, "a rejection without a reason", err, meeting.KindInvalid)
	_, err = ls.Moderate(ctx, admin, h.ID, meeting.StatusPending, "")
	wantKind(t, "Moderate to pending", err, meeting.KindInvalid)
	_, err = ls.Moderate(ctx, admin, 987654321, meeting.StatusPublished, "")
	wantKind(t, "Moderate of an unknown listing", err, meeting.KindNotFound)
	rej, err := ls.Moderate(ctx, admin, h.ID, meeting.StatusRejected, "needs a street address")
	if err != nil {
		t.Fatal(err)
	}
	if rej.Status != meeting.StatusRejected || rej.StatusReason != "needs a street address" {
		t.Errorf("rejected = %s %q", rej.Status, rej.StatusReason)
	}
	// An edit by the untrusted owner sends it back to pending and drops
	// the reason; the identity stays whatever the change does.
	ed, err := ls.ChangeListing(ctx, hill, h.ID, meeting.ActionReplace, "", func(m *meeting.Meeting) error {
		m.Name, m.ID, m.Source, m.ExternalID, m.OrgID, m.Status = "Hill Meeting (moved)", 1, "x", "y", trail.OrgID, meeting.StatusPublished
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ed.ID != h.ID || ed.Source != h.Source || ed.ExternalID != h.ExternalID || ed.GroupKey != h.GroupKey || ed.OrgID != hill.OrgID ||
		!ed.CreatedAt.Equal(h.CreatedAt) || ed.Status != meeting.StatusPending || ed.StatusReason != "" || ed.Name != "Hill Meeting (moved)" {
		t.Errorf("after the owner's edit: %+v", ed)
	}
	if _, err := ls.Moderate(ctx, admin, h.ID, meeting.StatusPublished, "ignored"); err != nil {
		t.Fatal(err)
	}
	if l, err := ls.Listing(ctx, hill, h.ID); err != nil || l.Status != meeting.StatusPublished || l.StatusReason != "" {
		t.Errorf("approved: %+v, %v", l, err)
	}
	if g, err := st.Meetings.Get(ctx, h.ID); err != nil || g.Name != "Hill Meeting (moved)" {
		t.Errorf("Get of the approved listing: %v, %v", g, err)
	}
	if _, err := ls.ChangeListing(ctx, hill, h.ID, meeting.ActionPatch, "", rename("Hill Meeting (edited)")); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"Imported", "Trail Meeting"}, nearby(t, st)); d != "" {
		t.Errorf("an unreviewed edit is hidden (-want +got):\n%s", d)
	}
	if l, err := ls.ChangeListing(ctx, admin, h.ID, meeting.ActionPatch, "", rename("Hill Meeting (admin)")); err != nil || l.Status != meeting.StatusPending {
		t.Errorf("an admin's edit keeps the state: %+v, %v", l, err)
	}
	if l, err := ls.ChangeListing(ctx, trail, tr.ID, meeting.ActionPatch, "", rename("Trail Meeting (edited)")); err != nil || l.Status != meeting.StatusPublished {
		t.Errorf("a trusted edit stays published: %+v, %v", l, err)
	}
	_, err = ls.ChangeListing(ctx, hill, h.ID, meeting.ActionPatch, "", rename(""))
	wantKind(t, "an edit that makes the listing invalid", err, meeting.KindInvalid)
	_, err = ls.ChangeListing(ctx, hill, h.ID, meeting.ActionPatch, "", func(*meeting.Meeting) error {
		return meeting.Errorf(meeting.KindInvalid, "storetest", "refused")
	})
	wantKind(t, "a change that fails", err, meeting.KindInvalid)
	if l, err := ls.Listing(ctx, hill, h.ID); err != nil || l.Name != "Hill Meeting (admin)" {
		t.Errorf("failed edits changed nothing: %+v, %v", l, err)
	}
	imp, err := ls.ChangeListing(ctx, admin, imported, meeting.ActionPatch, "", func(m *meeting.Meeting) error { m.TimeZone = ""; m.Notes = "fixed"; return nil })
	if err != nil || imp.Status != meeting.StatusPublished || imp.Notes != "fixed" || imp.OrgID != 0 {
		t.Errorf("an admin's edit of an imported meeting (which needs no zone): %+v, %v", imp, err)
	}
	s.ed = ed
}

// deleteAndAudit deletes s.h and s.tr and checks what is left, and the
// audit log of s.h and of the imported meeting.
func (s *listingScenario) deleteAndAudit(t *testing.T) {
	st, hill, trail, admin, imported, h, tr, ed := s.st, s.hill, s.trail, s.admin, s.imported, s.h, s.tr, s.ed
	ls := st.Listings

	// Deletion.
	if err := ls.DeleteListing(ctx, hill, h.ID); err != nil {
		t.Fatal(err)
	}
	_, err := ls.Listing(ctx, hill, h.ID)
	wantKind(t, "Listing of a deleted listing", err, meeting.KindNotFound)
	wantKind(t, "deleting twice", ls.DeleteListing(ctx, hill, h.ID), meeting.KindNotFound)
	_, err = ls.ChangeListing(ctx, hill, h.ID, meeting.ActionPatch, "", rename("x"))
	wantKind(t, "editing a deleted listing", err, meeting.KindNotFound)
	_, err = ls.Moderate(ctx, admin, h.ID, meeting.StatusPublished, "")
	wantKind(t, "approving a deleted listing", err, meeting.KindNotFound)
	if d := cmp.Diff([]string{"Trail Meeting (edited) published"}, listingNames(t, st, admin, "")); d != "" {
		t.Errorf("Listings leave out deleted ones (-want +got):\n%s", d)
	}
	if err := ls.DeleteListing(ctx, trail, tr.ID); err != nil {
		t.Fatal(err)
	}
	_, err = st.Meetings.Get(ctx, tr.ID)
	wantKind(t, "Get of a deleted listing", err, meeting.KindNotFound)
	if d := cmp.Diff([]string{"Imported"}, nearby(t, st)); d != "" {
		t.Errorf("public meetings after the deletions (-want +got):\n%s", d)
	}

	want := []string{
		`org:` + fmt.Sprint(hill.OrgID) + ` create "" - -> Hill Meeting/pending`,
		admin.Actor() + ` reject "needs a street address" Hill Meeting/pending -> Hill Meeting/rejected`,
		hill.Actor() + ` replace "" Hill Meeting/rejected -> Hill Meeting (moved)/pending`,
		admin.Actor() + ` approve "" Hill Meeting (moved)/pending -> Hill Meeting (moved)/published`,
		hill.Actor() + ` patch "" Hill Meeting (moved)/published -> Hill Meeting (edited)/pending`,
		admin.Actor() + ` patch "" Hill Meeting (edited)/pending -> Hill Meeting (admin)/pending`,
		hill.Actor() + ` delete "" Hill Meeting (admin)/pending -> -`,
	}
	for _, p := range []meeting.Principal{hill, admin} {
		if d := cmp.Diff(want, history(t, st, p, h.ID)); d != "" {
			t.Errorf("History, also of a deleted listing (-want +got):\n%s", d)
		}
	}
	es, err := ls.History(ctx, hill, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(ed.Meeting, *es[2].After, cmpopts.EquateApproxTime(time.Microsecond)); d != "" {
		t.Errorf("the audit log keeps the whole listing (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{admin.Actor() + ` patch "" Imported/published -> Imported/published`}, history(t, st, admin, imported)); d != "" {
		t.Errorf("History of an imported meeting (-want +got):\n%s", d)
	}
}

// testUpload checks Upload: all or nothing, updates by external id, a
// rejected or deleted listing uploaded again, and each organization's
// own external ids.
func testUpload(t *testing.T, st Stores) {
	hill, trail, admin := principals(t, st)
	ls := st.Listings
	up := func(p meeting.Principal, ms ...*meeting.Meeting) (meeting.UploadOutcome, error) {
		in := make([]meeting.Meeting, len(ms))
		for i, m := range ms {
			in[i] = *m
		}
		return ls.Upload(ctx, p, in)
	}
	withID := func(m *meeting.Meeting, ext string) *meeting.Meeting { m.ExternalID = ext; return m }
	_, err := up(admin, withID(newListing("A"), "a"))
	wantKind(t, "Upload by an admin", err, meeting.KindForbidden)
	got, err := up(hill, withID(newListing("A"), "a"), withID(newListing("B"), "b"))
	if err != nil || got != (meeting.UploadOutcome{Inserted: 2}) {
		t.Fatalf("first upload: %+v, %v", got, err)
	}
	bad := withID(newListing("C"), "c")
	bad.TimeZone = ""
	_, err = up(hill, withID(newListing("A changed"), "a"), bad)
	wantKind(t, "an upload with an invalid listing", err, meeting.KindInvalid)
	if d := cmp.Diff([]string{"A pending", "B pending"}, listingNames(t, st, hill, "")); d != "" {
		t.Errorf("a failed upload writes nothing (-want +got):\n%s", d)
	}
	_, err = up(hill, withID(newListing("No id"), ""))
	wantKind(t, "an upload without an external id", err, meeting.KindInvalid)
	got, err = up(hill, withID(newListing("A changed"), "a"), withID(newListing("C"), "c"))
	if err != nil || got != (meeting.UploadOutcome{Inserted: 1, Updated: 1}) {
		t.Fatalf("second upload: %+v, %v", got, err)
	}
	if d := cmp.Diff([]string{"A changed pending", "B pending", "C pending"}, listingNames(t, st, hill, "")); d != "" {
		t.Errorf("after the second upload (-want +got):\n%s", d)
	}
	ls2, err := ls.Listings(ctx, hill, "")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, l := range ls2 {
		ids[l.ExternalID] = l.ID
		if l.GroupKey != l.ExternalID || l.Source != meeting.OrgSource(hill.OrgID) {
			t.Errorf("uploaded %q: group %q, source %q", l.ExternalID, l.GroupKey, l.Source)
		}
	}
	if _, err := ls.Moderate(ctx, admin, ids["b"], meeting.StatusRejected, "duplicate"); err != nil {
		t.Fatal(err)
	}
	if err := ls.DeleteListing(ctx, hill, ids["c"]); err != nil {
		t.Fatal(err)
	}
	got, err = up(hill, withID(newListing("B again"), "b"), withID(newListing("C back"), "c"), withID(newListing("D"), "d"), withID(newListing("D twice"), "d"))
	if err != nil || got != (meeting.UploadOutcome{Inserted: 1, Updated: 3}) {
		t.Fatalf("third upload: %+v, %v", got, err)
	}
	l, err := ls.Listing(ctx, hill, ids["b"])
	if err != nil || l.Status != meeting.StatusPending || l.StatusReason != "" {
		t.Errorf("a rejected listing uploaded again: %+v, %v", l, err)
	}
	if d := cmp.Diff([]string{"A changed pending", "B again pending", "C back pending", "D twice pending"}, listingNames(t, st, hill, "")); d != "" {
		t.Errorf("a deleted listing comes back (-want +got):\n%s", d)
	}
	c := hill.Actor()
	if d := cmp.Diff([]string{c + ` upload "" - -> C/pending`, c + ` delete "" C/pending -> -`, c + ` upload "" - -> C back/pending`},
		history(t, st, hill, ids["c"])); d != "" {
		t.Errorf("History of an upload, a deletion and an upload (-want +got):\n%s", d)
	}
	got, err = up(trail, withID(newListing("Trail A"), "a"))
	if err != nil || got != (meeting.UploadOutcome{Inserted: 1}) {
		t.Fatalf("another organization's upload with the same external id: %+v, %v", got, err)
	}
	if d := cmp.Diff([]string{"Trail A published"}, listingNames(t, st, trail, "")); d != "" {
		t.Errorf("a trusted organization's upload (-want +got):\n%s", d)
	}
}

// testChangeRequests is the life of the public's change requests on a
// trusted organization's listing and an imported meeting, in four phases
// over one set of stores: filing, the lists, resolving, and requests on a
// listing deleted since.
func testChangeRequests(t *testing.T, st Stores) {
	hill, trail, admin := principals(t, st)
	s := &changeRequestScenario{st: st, hill: hill, trail: trail, admin: admin,
		imported: seed(t, st, spec{name: "Imported", day: 1, start: "19:00", at: pt(listingPoint)}).id["Imported"]}
	s.hl = create(t, st, hill, "Hill Meeting") // pending
	s.tl = create(t, st, trail, "Trail Meeting")
	s.file(t)
	s.listRequests(t)
	s.resolve(t)
	s.onDeleted(t)
}

// changeRequestScenario is the state the phases of testChangeRequests
// hand on.
type changeRequestScenario struct {
	st                 Stores
	hill, trail, admin meeting.Principal // untrusted, trusted, admin
	imported           int64             // an imported meeting at listingPoint
	hl                 *meeting.Listing  // hill's listing, pending
	tl                 *meeting.Listing  // trail's listing, published
	onTrail            *meeting.ChangeRequest
	onImported         *meeting.ChangeRequest
	second             *meeting.ChangeRequest // on tl, with a day out of range
}

// propose files a change request on id with a contact.
func (s *changeRequestScenario) propose(id int64, proposed string) (*meeting.ChangeRequest, error) {
	return s.st.ChangeRequests.CreateChangeRequest(ctx, &meeting.ChangeRequest{MeetingID: id, Proposed: json.RawMessage(proposed), Contact: "sam@example.org"})
}

// list returns p's change requests in status, one line per request (as
// requestLine makes them), with the listing's name as it is now.
func (s *changeRequestScenario) list(t *testing.T, p meeting.Principal, status meeting.ChangeRequestStatus) []string {
	t.Helper()
	crs, err := s.st.ChangeRequests.ChangeRequests(ctx, p, status)
	if err != nil {
		t.Fatalf("ChangeRequests: %v", err)
	}
	out := []string{}
	for _, cr := range crs {
		cur := "<nil>"
		if cr.Current != nil {
			cur = cr.Current.Name
		}
		out = append(out, fmt.Sprintf("%d %s on %s", cr.ID, cr.Status, cur))
	}
	return out
}

// requestLine is the line list gives for cr in status on the listing named
// on.
func requestLine(cr *meeting.ChangeRequest, status meeting.ChangeRequestStatus, on string) string {
	return fmt.Sprintf("%d %s on %s", cr.ID, status, on)
}

// patchProposal is the patch the cases resolve requests with: it applies
// the name, notes and day of proposed to m.
func patchProposal(m *meeting.Meeting, proposed json.RawMessage) error {
	var p struct {
		Name  string `json:"name"`
		Notes string `json:"notes"`
		Day   *int   `json:"day"`
	}
	if err := json.Unmarshal(proposed, &p); err != nil {
		return meeting.Wrap(meeting.KindInvalid, "storetest.patch", err)
	}
	if p.Name != "" {
		m.Name = p.Name
	}
	if p.Notes != "" {
		m.Notes = p.Notes
	}
	if p.Day != nil {
		m.Day = meeting.Weekday(*p.Day)
	}
	return nil
}

// file refuses requests on a pending listing, an unknown meeting and
// proposals that are not JSON, and files s.onTrail, s.onImported and
// s.second.
func (s *changeRequestScenario) file(t *testing.T) {
	imported, hl, tl := s.imported, s.hl, s.tl

	_, err := s.propose(hl.ID, `{"notes": "x"}`)
	wantKind(t, "a change request on a pending listing", err, meeting.KindNotFound)
	_, err = s.propose(987654321, `{"notes": "x"}`)
	wantKind(t, "a change request on an unknown meeting", err, meeting.KindNotFound)
	_, err = s.propose(tl.ID, `{"notes": `)
	wantKind(t, "a change request that is not JSON", err, meeting.KindInvalid)

	onTrail, err := s.propose(tl.ID, `{"notes":"upstairs", "name" : "Trail Meeting (upstairs)"}`)
	if err != nil {
		t.Fatal(err)
	}
	if onTrail.Status != meeting.ChangeRequestOpen || onTrail.MeetingID != tl.ID || onTrail.Contact != "sam@example.org" ||
		onTrail.CreatedAt.IsZero() || !onTrail.ResolvedAt.IsZero() || onTrail.ResolvedBy != "" {
		t.Errorf("new change request = %+v", onTrail)
	}
	var gotJSON, wantJSON any
	if err := json.Unmarshal(onTrail.Proposed, &gotJSON); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(`{"name": "Trail Meeting (upstairs)", "notes": "upstairs"}`), &wantJSON)
	if d := cmp.Diff(wantJSON, gotJSON); d != "" {
		t.Errorf("Proposed (-want +got):\n%s", d)
	}
	onImported, err := s.propose(imported, `{"notes": "closed in August"}`)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.propose(tl.ID, `{"day": 9}`)
	if err != nil {
		t.Fatal(err)
	}
	s.onTrail, s.onImported, s.second = onTrail, onImported, second
}

// listRequests checks who sees which requests, also by state, and that
// the zero principal is forbidden.
func (s *changeRequestScenario) listRequests(t *testing.T) {
	cs, hill, trail, admin := s.st.ChangeRequests, s.hill, s.trail, s.admin
	onTrail, onImported, second := s.onTrail, s.onImported, s.second

	for _, tc := range []struct {
		name   string
		p      meeting.Principal
		status meeting.ChangeRequestStatus
		want   []string
	}{
		{"owner", trail, "", []string{requestLine(onTrail, "open", "Trail Meeting"), requestLine(second, "open", "Trail Meeting")}},
		{"an organization without requests", hill, "", []string{}},
		{"admin, every listing", admin, "", []string{requestLine(onTrail, "open", "Trail Meeting"), requestLine(onImported, "open", "Imported"), requestLine(second, "open", "Trail Meeting")}},
		{"by state", admin, meeting.ChangeRequestApplied, []string{}},
	} {
		if d := cmp.Diff(tc.want, s.list(t, tc.p, tc.status)); d != "" {
			t.Errorf("ChangeRequests, %s (-want +got):\n%s", tc.name, d)
		}
	}
	_, err := cs.ChangeRequests(ctx, meeting.Principal{}, "")
	wantKind(t, "ChangeRequests by nobody", err, meeting.KindForbidden)
}

// resolve refuses resolutions out of scope, by nobody, of unknown requests
// and that make the listing invalid, applies s.onTrail, dismisses
// s.onImported, and checks the open list and the listing's audit log.
func (s *changeRequestScenario) resolve(t *testing.T) {
	st, cs, hill, trail, admin, imported, tl := s.st, s.st.ChangeRequests, s.hill, s.trail, s.admin, s.imported, s.tl
	onTrail, onImported, second := s.onTrail, s.onImported, s.second

	_, err := cs.ResolveChangeRequest(ctx, hill, onTrail.ID, true, patchProposal)
	wantKind(t, "resolving another organization's request", err, meeting.KindNotFound)
	_, err = cs.ResolveChangeRequest(ctx, trail, onImported.ID, false, patchProposal)
	wantKind(t, "an organization resolving a request on an imported meeting", err, meeting.KindNotFound)
	_, err = cs.ResolveChangeRequest(ctx, meeting.Principal{}, onTrail.ID, true, patchProposal)
	wantKind(t, "resolving by nobody", err, meeting.KindForbidden)
	_, err = cs.ResolveChangeRequest(ctx, trail, 987654321, true, patchProposal)
	wantKind(t, "resolving an unknown request", err, meeting.KindNotFound)
	_, err = cs.ResolveChangeRequest(ctx, trail, second.ID, true, patchProposal)
	wantKind(t, "applying a request that makes the listing invalid", err, meeting.KindInvalid)

	applied, err := cs.ResolveChangeRequest(ctx, trail, onTrail.ID, true, patchProposal)
	if err != nil {
		t.Fatal(err)
	}
	if applied.ID != onTrail.ID || applied.Status != meeting.ChangeRequestApplied || applied.ResolvedBy != trail.Actor() || applied.ResolvedAt.IsZero() {
		t.Errorf("applied = %+v", applied)
	}
	if l, err := st.Listings.Listing(ctx, trail, tl.ID); err != nil || l.Name != "Trail Meeting (upstairs)" || l.Notes != "upstairs" || l.Status != meeting.StatusPublished {
		t.Errorf("the listing after the request was applied: %+v, %v", l, err)
	}
	_, err = cs.ResolveChangeRequest(ctx, trail, onTrail.ID, false, patchProposal)
	wantKind(t, "resolving an applied request", err, meeting.KindConflict)
	dismissed, err := cs.ResolveChangeRequest(ctx, admin, onImported.ID, false, func(*meeting.Meeting, json.RawMessage) error {
		t.Error("dismissing calls patch")
		return nil
	})
	if err != nil || dismissed.Status != meeting.ChangeRequestDismissed || dismissed.ResolvedBy != admin.Actor() {
		t.Errorf("dismissed = %+v, %v", dismissed, err)
	}
	if g, err := st.Meetings.Get(ctx, imported); err != nil || g.Notes != "" {
		t.Errorf("a dismissed request changes nothing: %+v, %v", g, err)
	}
	if d := cmp.Diff([]string{requestLine(second, "open", "Trail Meeting (upstairs)")}, s.list(t, admin, meeting.ChangeRequestOpen)); d != "" {
		t.Errorf("open requests, with the listing as it is now (-want +got):\n%s", d)
	}
	c := trail.Actor()
	want := []string{c + ` create "" - -> Trail Meeting/published`,
		fmt.Sprintf(`%s change_request "change request %d" Trail Meeting/published -> Trail Meeting (upstairs)/published`, c, onTrail.ID)}
	if d := cmp.Diff(want, history(t, st, trail, tl.ID)); d != "" {
		t.Errorf("History of an applied request (-want +got):\n%s", d)
	}
}

// onDeleted checks that a request on a listing deleted since can be
// dismissed, not applied, and that no request can be filed on it.
func (s *changeRequestScenario) onDeleted(t *testing.T) {
	st, cs, trail, tl := s.st, s.st.ChangeRequests, s.trail, s.tl

	// A request on a listing deleted since can be dismissed, not applied.
	third, err := s.propose(tl.ID, `{"notes": "gone"}`)
	if err != nil {
		t.Fatal(err)
	}
	fourth, err := s.propose(tl.ID, `{"notes": "gone too"}`)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Listings.DeleteListing(ctx, trail, tl.ID); err != nil {
		t.Fatal(err)
	}
	_, err = cs.ResolveChangeRequest(ctx, trail, third.ID, true, patchProposal)
	wantKind(t, "applying a request on a deleted listing", err, meeting.KindNotFound)
	if cr, err := cs.ResolveChangeRequest(ctx, trail, fourth.ID, false, patchProposal); err != nil || cr.Status != meeting.ChangeRequestDismissed {
		t.Errorf("dismissing a request on a deleted listing: %+v, %v", cr, err)
	}
	_, err = s.propose(tl.ID, `{"notes": "x"}`)
	wantKind(t, "a change request on a deleted listing", err, meeting.KindNotFound)
}

// testCrossAccess checks that an organization reaching for another
// organization's listing or request, an imported meeting or an unknown id
// gets not found, and changes nothing.
func testCrossAccess(t *testing.T, st Stores) {
	hill, trail, admin := principals(t, st)
	imported := seed(t, st, spec{name: "Imported", day: 1, start: "19:00", at: pt(listingPoint)}).id["Imported"]
	tl := create(t, st, trail, "Trail Meeting")
	cr, err := st.ChangeRequests.CreateChangeRequest(ctx, &meeting.ChangeRequest{MeetingID: tl.ID, Proposed: json.RawMessage(`{"notes": "x"}`)})
	if err != nil {
		t.Fatal(err)
	}
	ls := st.Listings
	for _, id := range []int64{tl.ID, imported, 987654321} {
		for _, tc := range []struct {
			name string
			call func() error
		}{
			{"Listing", func() error { _, err := ls.Listing(ctx, hill, id); return err }},
			{"ChangeListing", func() error {
				_, err := ls.ChangeListing(ctx, hill, id, meeting.ActionPatch, "", rename("Taken over"))
				return err
			}},
			{"DeleteListing", func() error { return ls.DeleteListing(ctx, hill, id) }},
			{"History", func() error { _, err := ls.History(ctx, hill, id); return err }},
		} {
			t.Run(fmt.Sprintf("%s of %s", tc.name, map[int64]string{tl.ID: "another organization's listing", imported: "an imported meeting", 987654321: "an unknown id"}[id]), func(t *testing.T) {
				wantKind(t, tc.name, tc.call(), meeting.KindNotFound)
			})
		}
	}
	t.Run("ResolveChangeRequest of another organization's request", func(t *testing.T) {
		_, err := st.ChangeRequests.ResolveChangeRequest(ctx, hill, cr.ID, false, nil)
		wantKind(t, "ResolveChangeRequest", err, meeting.KindNotFound)
	})
	t.Run("nothing changed", func(t *testing.T) {
		l, err := ls.Listing(ctx, admin, tl.ID)
		if err != nil || l.Name != "Trail Meeting" {
			t.Errorf("the listing: %+v, %v", l, err)
		}
		g, err := st.Meetings.Get(ctx, imported)
		if err != nil || g.Name != "Imported" {
			t.Errorf("the imported meeting: %+v, %v", g, err)
		}
		crs, err := st.ChangeRequests.ChangeRequests(ctx, trail, meeting.ChangeRequestOpen)
		if err != nil || len(crs) != 1 || crs[0].ID != cr.ID {
			t.Errorf("the request: %+v, %v", crs, err)
		}
	})
}
