package postgres_test

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// nyc is the reference point of most tests: [lon, lat].
var nyc = orb.Point{-74.006, 40.7128}

var seq int

// mk returns a valid in-person meeting at p, held on day at start local time
// in zone tz.
func mk(p orb.Point, day meeting.Weekday, start string, tz string) meeting.Meeting {
	seq++
	c, err := meeting.ParseClock(start)
	if err != nil {
		panic(err)
	}
	return meeting.Meeting{
		Source: "test", ExternalID: fmt.Sprintf("m%d", seq), GroupKey: fmt.Sprintf("m%d", seq),
		Name: fmt.Sprintf("Meeting %d", seq), Program: meeting.ProgramAA,
		Day: day, Start: c, End: c + 60, TimeZone: tz, Types: []string{"O"},
		Attendance: meeting.AttendanceInPerson,
		Location:   meeting.Location{Point: p, HasPoint: true, City: "Test"},
		Status:     meeting.StatusPublished,
	}
}

func setup(t *testing.T, ms ...meeting.Meeting) *postgres.MeetingStore {
	t.Helper()
	db := pgtest.New(t)
	s := postgres.NewMeetingStore(db)
	for i := range ms {
		if err := ms[i].Validate(); err != nil {
			t.Fatalf("fixture %d invalid: %v", i, err)
		}
	}
	if err := s.InsertMeetings(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	return s
}

func names(p meeting.Page) []string {
	out := []string{}
	for _, r := range p.Results {
		out = append(out, r.Name)
	}
	return out
}

func find(t *testing.T, s *postgres.MeetingStore, f meeting.Filter) meeting.Page {
	t.Helper()
	p, err := s.Find(context.Background(), f)
	if err != nil {
		t.Fatalf("Find(%+v): %v", f, err)
	}
	return p
}

func TestFindOrdersByDistanceWithinRadius(t *testing.T) {
	var ms []meeting.Meeting
	for i, km := range []float64{10, 1, 24.9, 5, 25.1, 0.2, 100} {
		m := mk(geo.PointAtBearingAndDistance(nyc, float64(i*50), km*1000), 1, "19:00", "America/New_York")
		m.Name = fmt.Sprintf("%gkm", km)
		ms = append(ms, m)
	}
	s := setup(t, ms...)
	p := find(t, s, meeting.Filter{Point: nyc, HasPoint: true, RadiusKM: 25})
	want := []string{"0.2km", "1km", "5km", "10km", "24.9km"}
	if d := cmp.Diff(want, names(p)); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}
	for _, r := range p.Results {
		var km float64
		fmt.Sscanf(r.Name, "%gkm", &km)
		if !r.HasDistance || abs(r.DistanceM-km*1000) > km*1000*0.006+1 {
			t.Errorf("%s: distance %v m, want about %v m", r.Name, r.DistanceM, km*1000)
		}
	}
	// The default radius is 25 km too; 200 km takes in the far one.
	if got := len(find(t, s, meeting.Filter{Point: nyc, HasPoint: true}).Results); got != 5 {
		t.Errorf("default radius: %d results, want 5", got)
	}
	if got := len(find(t, s, meeting.Filter{Point: nyc, HasPoint: true, RadiusKM: 200}).Results); got != 7 {
		t.Errorf("200 km: %d results, want 7", got)
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestFindNearAntimeridianAndPoles(t *testing.T) {
	fiji := mk(orb.Point{-179.95, -16.5}, 2, "10:00", "Pacific/Fiji") // east of the line
	fijiW := mk(orb.Point{179.95, -16.5}, 2, "10:00", "Pacific/Fiji") // west of the line, ~10.7 km away
	north := mk(orb.Point{120, 89.95}, 3, "10:00", "Arctic/Longyearbyen")
	south := mk(orb.Point{-60, -89.95}, 3, "10:00", "Antarctica/McMurdo")
	fiji.Name, fijiW.Name, north.Name, south.Name = "east", "west", "north", "south"
	s := setup(t, fiji, fijiW, north, south)

	p := find(t, s, meeting.Filter{Point: orb.Point{179.99, -16.5}, HasPoint: true, RadiusKM: 20})
	if d := cmp.Diff([]string{"west", "east"}, names(p)); d != "" {
		t.Errorf("antimeridian (-want +got):\n%s", d)
	}
	// Across the pole: 0.05° from the pole on opposite sides is about 11 km.
	p = find(t, s, meeting.Filter{Point: orb.Point{-60, 89.95}, HasPoint: true, RadiusKM: 15})
	if d := cmp.Diff([]string{"north"}, names(p)); d != "" {
		t.Errorf("north pole (-want +got):\n%s", d)
	}
	p = find(t, s, meeting.Filter{Point: orb.Point{120, -89.99}, HasPoint: true, RadiusKM: 15})
	if d := cmp.Diff([]string{"south"}, names(p)); d != "" {
		t.Errorf("south pole (-want +got):\n%s", d)
	}
}

func TestFindFilters(t *testing.T) {
	a := mk(nyc, 1, "07:00", "America/New_York")
	a.Name, a.Types = "early", []string{"O", "D"}
	b := mk(nyc, 1, "19:30", "America/New_York")
	b.Name, b.Types, b.Program = "evening", []string{"C", "W", "D"}, meeting.ProgramNA
	c := mk(nyc, 3, "12:00", "America/New_York")
	c.Name, c.Attendance, c.Online = "online", meeting.AttendanceOnline, meeting.Online{URL: "https://zoom.us/j/1"}
	d := mk(nyc, 5, "18:00", "America/New_York")
	d.Name, d.Attendance, d.Online, d.Types = "hybrid", meeting.AttendanceHybrid, meeting.Online{Phone: "+1 555 0100 000"}, []string{"W"}
	s := setup(t, a, b, c, d)
	cases := []struct {
		name string
		f    meeting.Filter
		want []string
	}{
		{"all by day and time", meeting.Filter{}, []string{"early", "evening", "online", "hybrid"}},
		{"day", meeting.Filter{Days: []meeting.Weekday{1}}, []string{"early", "evening"}},
		{"days", meeting.Filter{Days: []meeting.Weekday{3, 5}}, []string{"online", "hybrid"}},
		{"start after inclusive", meeting.Filter{StartAfter: clock(18, 0)}, []string{"evening", "hybrid"}},
		{"start before exclusive", meeting.Filter{StartBefore: clock(12, 0)}, []string{"early"}},
		{"window", meeting.Filter{StartAfter: clock(7, 0), StartBefore: clock(13, 0)}, []string{"early", "online"}},
		{"types all required", meeting.Filter{Types: []string{"W", "D"}}, []string{"evening"}},
		{"type", meeting.Filter{Types: []string{"W"}}, []string{"evening", "hybrid"}},
		{"attendance any", meeting.Filter{Attendance: []meeting.Attendance{meeting.AttendanceOnline, meeting.AttendanceHybrid}}, []string{"online", "hybrid"}},
		{"program", meeting.Filter{Programs: []meeting.Program{meeting.ProgramNA}}, []string{"evening"}},
		{"nothing", meeting.Filter{Programs: []meeting.Program{meeting.ProgramSMART}}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, names(find(t, s, tc.f))); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestFindHidesUnpublishedAndDeleted(t *testing.T) {
	a := mk(nyc, 1, "07:00", "America/New_York")
	b := mk(nyc, 1, "08:00", "America/New_York")
	b.Status = meeting.StatusPending
	s := setup(t, a, b)
	if got := names(find(t, s, meeting.Filter{})); len(got) != 1 || got[0] != a.Name {
		t.Errorf("got %v, want only %s", got, a.Name)
	}
}

func TestTodayAndUpcomingInEachZone(t *testing.T) {
	// 2026-03-08 is a Sunday: the US moves to daylight time at 02:00 local
	// (07:00 UTC in New York). Now = 03:30 UTC on Sunday = 22:30 Saturday in
	// New York (EST), 16:30 Sunday in Auckland (+13), 19:30 Saturday in Los
	// Angeles.
	now := time.Date(2026, 3, 8, 3, 30, 0, 0, time.UTC)
	ny := "America/New_York"
	satLate := mk(nyc, 6, "22:00", ny) // started 30 min ago: in progress
	satLate.Name = "ny-sat-22:00"
	satMidnight := mk(nyc, 6, "23:45", ny) // starts in 75 min, crosses midnight
	satMidnight.Name, satMidnight.End = "ny-sat-23:45", meeting.NewClock(0, 45)
	sunEarly := mk(nyc, 0, "03:00", ny) // after the spring-forward gap: 03:00 EDT = 07:00 UTC
	sunEarly.Name = "ny-sun-03:00"
	sunNight := mk(nyc, 0, "20:00", ny)
	sunNight.Name = "ny-sun-20:00"
	akl := mk(orb.Point{174.76, -36.85}, 0, "17:00", "Pacific/Auckland") // today there, in 30 min
	akl.Name = "akl-sun-17:00"
	aklSat := mk(orb.Point{174.76, -36.85}, 6, "17:00", "Pacific/Auckland") // yesterday there
	aklSat.Name = "akl-sat-17:00"
	la := mk(orb.Point{-118.24, 34.05}, 6, "19:00", "America/Los_Angeles") // in progress there
	la.Name = "la-sat-19:00"
	s := setup(t, satLate, satMidnight, sunEarly, sunNight, akl, aklSat, la)

	today := names(find(t, s, meeting.Filter{Today: true, Now: now}))
	// Ordered by day, then local time: Sunday in Auckland, then Saturday
	// in Los Angeles and New York.
	if d := cmp.Diff([]string{"akl-sun-17:00", "la-sat-19:00", "ny-sat-22:00", "ny-sat-23:45"}, today); d != "" {
		t.Errorf("today (-want +got):\n%s", d)
	}

	up := find(t, s, meeting.Filter{UpcomingHours: 4, Now: now})
	got := map[string]string{}
	for _, r := range up.Results {
		got[r.Name] = r.NextStart.Format(time.RFC3339)
		if r.InProgress != !r.NextStart.After(now) {
			t.Errorf("%s: in progress %v with next start %v", r.Name, r.InProgress, r.NextStart)
		}
	}
	want := map[string]string{
		"ny-sat-22:00":  "2026-03-07T22:00:00-05:00", // in progress
		"ny-sat-23:45":  "2026-03-07T23:45:00-05:00",
		"ny-sun-03:00":  "2026-03-08T03:00:00-04:00", // 3.5 h away thanks to the DST jump
		"akl-sun-17:00": "2026-03-08T17:00:00+13:00",
		"la-sat-19:00":  "2026-03-07T19:00:00-08:00", // in progress
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("upcoming 4h (-want +got):\n%s", d)
	}
}

// TestOccurrenceMatchesGo checks the SQL meeting_occurrence function against
// meeting.Occurrence for random meetings, zones and instants (DST changes
// included).
func TestOccurrenceMatchesGo(t *testing.T) {
	zones := []string{"America/New_York", "Europe/London", "Australia/Adelaide", "Pacific/Chatham", "Asia/Kathmandu",
		"America/St_Johns", "Pacific/Apia", "Pacific/Honolulu", "America/Santiago", "Europe/Dublin"}
	rng := rand.New(rand.NewSource(1))
	var ms []meeting.Meeting
	for i := range 300 {
		m := mk(nyc, meeting.Weekday(rng.Intn(7)), fmt.Sprintf("%02d:%02d", rng.Intn(24), rng.Intn(4)*15), zones[i%len(zones)])
		m.End = meeting.Clock((int(m.Start) + 30 + rng.Intn(150)) % 1440)
		if i%10 == 0 {
			m.End = meeting.NoClock
		}
		ms = append(ms, m)
	}
	s := setup(t, ms...)
	byName := map[string]meeting.Meeting{}
	for _, m := range ms {
		byName[m.Name] = m
	}
	instants := []time.Time{
		time.Date(2026, 3, 8, 6, 59, 0, 0, time.UTC), time.Date(2026, 3, 8, 7, 1, 0, 0, time.UTC), // US spring forward
		time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC), time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), // EU
		time.Date(2026, 4, 5, 2, 30, 0, 0, time.UTC), time.Date(2026, 10, 4, 16, 45, 0, 0, time.UTC), // southern hemisphere
		time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), // US fall back
	}
	for range 8 {
		instants = append(instants, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int63n(int64(365*24*time.Hour)))))
	}
	for _, now := range instants {
		f := meeting.Filter{Now: now, Limit: meeting.MaxLimit}
		for {
			p := find(t, s, f)
			for _, r := range p.Results {
				m := byName[r.Name]
				want, _ := m.Occurrence(now)
				if !want.Equal(r.NextStart) {
					t.Errorf("now %v, %s day %d %s-%s %s: SQL %v, Go %v", now, r.Name, m.Day, m.Start, m.End, m.TimeZone, r.NextStart, want)
				}
			}
			if p.NextCursor == nil {
				break
			}
			f.Cursor = p.NextCursor
		}
	}
}

func TestPaginationHasNoDuplicatesOrGaps(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	var ms []meeting.Meeting
	for i := range 230 {
		p := geo.PointAtBearingAndDistance(nyc, rng.Float64()*360, rng.Float64()*20000)
		if i%5 == 0 { // many meetings share a place (and so a distance)
			p = geo.PointAtBearingAndDistance(nyc, 90, 3000)
		}
		m := mk(p, meeting.Weekday(rng.Intn(7)), []string{"07:00", "12:00", "19:00"}[rng.Intn(3)], "America/New_York")
		ms = append(ms, m)
	}
	s := setup(t, ms...)
	for _, f := range []meeting.Filter{
		{Point: nyc, HasPoint: true, Limit: 7},
		{Limit: 9},
		{Point: nyc, HasPoint: true, Limit: 200},
	} {
		seen := map[int64]bool{}
		prevD := -1.0
		pages := 0
		for {
			p := find(t, s, f)
			pages++
			for _, r := range p.Results {
				if seen[r.ID] {
					t.Fatalf("limit %d: meeting %d twice", f.Limit, r.ID)
				}
				seen[r.ID] = true
				if f.HasPoint {
					if r.DistanceM < prevD {
						t.Fatalf("limit %d: distance went down from %v to %v", f.Limit, prevD, r.DistanceM)
					}
					prevD = r.DistanceM
				}
			}
			if p.NextCursor == nil {
				break
			}
			f.Cursor = p.NextCursor
		}
		if len(seen) != len(ms) {
			t.Errorf("limit %d: saw %d meetings over %d pages, want %d", f.Limit, len(seen), pages, len(ms))
		}
	}
}

func TestGet(t *testing.T) {
	a := mk(nyc, 2, "18:15", "America/New_York")
	a.Online = meeting.Online{URL: "https://zoom.us/j/123", Phone: "+1 555 0100"}
	a.Attendance = meeting.AttendanceHybrid
	a.Location.Regions = []string{"Manhattan", "Midtown"}
	a.End = meeting.NoClock
	s := setup(t, a)
	p := find(t, s, meeting.Filter{})
	got, err := s.Get(context.Background(), p.Results[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	a.ID, a.CreatedAt, a.UpdatedAt = got.ID, got.CreatedAt, got.UpdatedAt
	if d := cmp.Diff(a, *got); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	if _, err := s.Get(context.Background(), 999999); !meeting.IsKind(err, meeting.KindNotFound) {
		t.Errorf("unknown id: error %v, want not found", err)
	}
}

func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	_, err = postgres.NewMeetingStore(db).Find(ctx, meeting.Filter{})
	if !meeting.IsKind(err, meeting.KindUnavailable) {
		t.Errorf("error %v, want unavailable", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v to report a dead database", el)
	}
}

func clock(h, m int) *meeting.Clock {
	c := meeting.NewClock(h, m)
	return &c
}

// TestOccurrenceAtDaylightSavingEdges pins the repeated and the skipped hour.
func TestOccurrenceAtDaylightSavingEdges(t *testing.T) {
	ny := "America/New_York"
	fallBack := mk(nyc, 0, "01:30", ny) // 2026-11-01 01:30 happens twice in New York
	fallBack.Name = "repeated"
	springGap := mk(nyc, 0, "02:30", ny) // 2026-03-08 02:30 does not exist in New York
	springGap.Name = "skipped"
	s := setup(t, fallBack, springGap)
	cases := []struct {
		now  time.Time
		want map[string]string
	}{
		{time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC), map[string]string{
			"repeated": "2026-11-01T01:30:00-04:00", // the first 01:30 (EDT)
			"skipped":  "2026-11-01T02:30:00-05:00",
		}},
		{time.Date(2026, 3, 8, 6, 0, 0, 0, time.UTC), map[string]string{
			"repeated": "2026-03-08T01:30:00-05:00",
			"skipped":  "2026-03-08T03:30:00-04:00", // 02:30 EST read as 03:30 EDT
		}},
	}
	for _, tc := range cases {
		got := map[string]string{}
		for _, r := range find(t, s, meeting.Filter{Now: tc.now}).Results {
			got[r.Name] = r.NextStart.Format(time.RFC3339)
			m := fallBack
			if r.Name == "skipped" {
				m = springGap
			}
			if g, _ := m.Occurrence(tc.now); !g.Equal(r.NextStart) {
				t.Errorf("now %v %s: Go %v, SQL %v", tc.now, r.Name, g, r.NextStart)
			}
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("now %v (-want +got):\n%s", tc.now, d)
		}
	}
}

// TestInsertRoundTripsAwkwardText checks the CSV COPY path with text that
// needs quoting or escaping, and the difference between "" and NULL.
func TestInsertRoundTripsAwkwardText(t *testing.T) {
	a := mk(nyc, 4, "06:45", "")
	a.Name = `"Quoted" Group, with commas; back\slash \N and NULL`
	a.Notes = "line one\nline two\r\n\ttabbed, \"quoted\" — ünïcödé 日本"
	a.Location.Regions = []string{`a "b"`, `c\d`, "e,f", "{g}", "", "NULL"}
	a.Types = []string{}
	a.Location.Name = ""
	a.End = meeting.NoClock
	b := mk(nyc, 5, "23:59", "Asia/Tokyo")
	b.ByAppointment, b.Start, b.End = true, meeting.NoClock, meeting.NoClock
	b.Location.HasPoint, b.Location.Point = false, orb.Point{}
	b.Location.FormattedAddress = "Somewhere, Tokyo"
	b.Location.Regions = []string{}
	s := setup(t, a, b)
	ctx := context.Background()
	ids := map[string]int64{}
	for _, r := range find(t, s, meeting.Filter{}).Results {
		ids[r.ExternalID] = r.ID
	}
	for _, want := range []meeting.Meeting{a, b} {
		got, err := s.Get(ctx, ids[want.ExternalID])
		if err != nil {
			t.Fatal(err)
		}
		want.ID, want.CreatedAt, want.UpdatedAt = got.ID, got.CreatedAt, got.UpdatedAt
		if want.ByAppointment {
			want.Day = 0
		}
		if d := cmp.Diff(want, *got); d != "" {
			t.Errorf("%s round trip (-want +got):\n%s", want.ExternalID, d)
		}
	}
}
