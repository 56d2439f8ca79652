package demo_test

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// sample is shared by the tests that only read meetings.
var sample = demo.Generate(7, 20000)

func cityKey(city, country string) string { return city + "|" + country }

func cityIndex(t *testing.T) map[string]demo.City {
	t.Helper()
	idx := map[string]demo.City{}
	for _, c := range demo.Cities() {
		k := cityKey(c.Name, c.Country)
		if _, dup := idx[k]; dup {
			t.Fatalf("city %s listed twice", k)
		}
		idx[k] = c
	}
	return idx
}

func TestDeterministic(t *testing.T) {
	a := demo.Generate(42, 3000)
	b := demo.Generate(42, 3000)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("same seed, different meetings (-first +second):\n%s", diff)
	}
	g := demo.New(42)
	for i := range 100 {
		if diff := cmp.Diff(a[i], g.Next()); diff != "" {
			t.Fatalf("meeting %d: Generate and Next disagree (-Generate +Next):\n%s", i, diff)
		}
	}
	c := demo.Generate(43, 3000)
	same := 0
	for i := range a {
		if cmp.Equal(a[i], c[i]) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("seeds 42 and 43 gave %d identical meetings out of %d", same, len(a))
	}
}

func TestEveryMeetingValidates(t *testing.T) {
	ids := map[string]bool{}
	for i, m := range sample {
		if err := m.Validate(); err != nil {
			t.Fatalf("meeting %d (%s) does not validate: %v\n%+v", i, m.ExternalID, err, m)
		}
		if m.Source != demo.Source || m.Status != meeting.StatusPublished {
			t.Fatalf("meeting %d: source %q status %q, want demo, published", i, m.Source, m.Status)
		}
		if !strings.HasPrefix(m.ExternalID, "demo-") || ids[m.ExternalID] {
			t.Fatalf("meeting %d: external id %q is malformed or repeated", i, m.ExternalID)
		}
		ids[m.ExternalID] = true
		if m.ByAppointment || !m.Start.Valid() || !m.End.Valid() {
			t.Fatalf("meeting %d: want a scheduled start and end, got %v–%v", i, m.Start, m.End)
		}
	}
}

func TestCities(t *testing.T) {
	cs := demo.Cities()
	if n := len(cs); n < 80 || n > 120 {
		t.Errorf("%d cities, want 80–120", n)
	}
	if cs[0].Name != "New York" {
		t.Errorf("first city is %s, want New York", cs[0].Name)
	}
	offsets := map[int]bool{}
	jan := time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)
	for _, c := range cs {
		loc, err := time.LoadLocation(c.Zone)
		if err != nil {
			t.Errorf("%s: zone %q does not load: %v", c.Name, c.Zone, err)
			continue
		}
		_, off := jan.In(loc).Zone()
		offsets[off] = true
		if c.Weight <= 0 || c.Weight > cs[0].Weight || (c.Name != "New York" && c.Weight == cs[0].Weight) {
			t.Errorf("%s: weight %v; want positive and below New York's %v", c.Name, c.Weight, cs[0].Weight)
		}
		if c.Lat < -90 || c.Lat > 90 || c.Lng < -180 || c.Lng > 180 {
			t.Errorf("%s: centre %v,%v out of range", c.Name, c.Lat, c.Lng)
		}
		if c.Region == "" || len(c.Country) != 2 || c.Language == "" {
			t.Errorf("%s: region %q, country %q, language %q: want all set", c.Name, c.Region, c.Country, c.Language)
		}
	}
	// Offsets the issue names, in seconds east of UTC, in January.
	for _, want := range []struct {
		name string
		off  int
	}{
		{"St. John's -3:30", -(3*3600 + 1800)}, {"Tehran +3:30", 3*3600 + 1800},
		{"India +5:30", 5*3600 + 1800}, {"Kathmandu +5:45", 5*3600 + 2700},
		{"Adelaide +10:30 (DST)", 10*3600 + 1800}, {"Chatham +13:45 (DST)", 13*3600 + 2700},
		{"Apia +13", 13 * 3600}, {"Honolulu -10", -10 * 3600}, {"Kiritimati +14", 14 * 3600},
	} {
		if !offsets[want.off] {
			t.Errorf("no city at %s", want.name)
		}
	}
	cs[0].Name = "changed"
	if demo.Cities()[0].Name != "New York" {
		t.Error("changing the result of Cities changed the table")
	}
}

func TestDistribution(t *testing.T) {
	ms := demo.Generate(11, 50000)
	idx := cityIndex(t)
	n := float64(len(ms))

	programs := map[meeting.Program]float64{}
	attendance := map[meeting.Attendance]float64{}
	days := map[meeting.Weekday]int{}
	starts := map[meeting.Clock]int{}
	late, nyc := 0, 0
	for _, m := range ms {
		programs[m.Program]++
		attendance[m.Attendance]++
		days[m.Day]++
		starts[m.Start]++
		if m.Start >= meeting.NewClock(23, 0) || m.Start <= meeting.NewClock(0, 30) {
			late++
		}
		c, ok := idx[cityKey(m.Location.City, m.Location.Country)]
		if !ok {
			t.Fatalf("%s: city %s, %s is not in Cities", m.ExternalID, m.Location.City, m.Location.Country)
		}
		if c.Name == "New York" {
			nyc++
		}
		if m.TimeZone != c.Zone {
			t.Fatalf("%s in %s: zone %s, want %s", m.ExternalID, c.Name, m.TimeZone, c.Zone)
		}
		if d := geo.Distance(m.Location.Point, orb.Point{c.Lng, c.Lat}); d > 60000 {
			t.Fatalf("%s: %.1f km from the centre of %s, want within 60 km", m.ExternalID, d/1000, c.Name)
		}
		if m.Start.Minute()%15 != 0 {
			t.Fatalf("%s: start %v is not on the quarter hour", m.ExternalID, m.Start)
		}
		if dur := m.Duration(); dur != time.Hour && dur != 90*time.Minute {
			t.Fatalf("%s: %v–%v lasts %v, want 60 or 90 minutes", m.ExternalID, m.Start, m.End, dur)
		}
		if want := []string{m.Location.Region, m.Location.City}; m.Location.Region == m.Location.City {
			if diff := cmp.Diff([]string{m.Location.City}, m.Location.Regions); diff != "" {
				t.Fatalf("%s: regions (-want +got):\n%s", m.ExternalID, diff)
			}
		} else if diff := cmp.Diff(want, m.Location.Regions); diff != "" {
			t.Fatalf("%s: regions (-want +got):\n%s", m.ExternalID, diff)
		}
	}
	t.Logf("program shares of %d meetings: %v", len(ms), programs)
	for p, want := range map[meeting.Program]float64{
		meeting.ProgramAA: 0.55, meeting.ProgramNA: 0.20, meeting.ProgramAlAnon: 0.08, meeting.ProgramSMART: 0.06,
		meeting.ProgramCelebrateRecovery: 0.05, meeting.ProgramActivity: 0.04, meeting.ProgramOther: 0.02,
	} {
		if got := programs[p] / n; math.Abs(got-want) > 0.015 {
			t.Errorf("program %s: share %.3f, want %.2f ± 0.015", p, got, want)
		}
	}
	for a, want := range map[meeting.Attendance]float64{
		meeting.AttendanceInPerson: 0.70, meeting.AttendanceHybrid: 0.15, meeting.AttendanceOnline: 0.13, meeting.AttendanceInactive: 0.02,
	} {
		if got := attendance[a] / n; math.Abs(got-want) > 0.015 {
			t.Errorf("attendance %s: share %.3f, want %.2f ± 0.015", a, got, want)
		}
	}
	for d := meeting.Weekday(0); d < 7; d++ {
		if days[d] < len(ms)/14 {
			t.Errorf("%v: %d meetings, want at least %d", d, days[d], len(ms)/14)
		}
	}
	if len(days) != 7 {
		t.Errorf("days %v, want exactly 0–6", days)
	}
	// The peaks: each of these is more common than any off-peak time.
	for _, peak := range []meeting.Clock{meeting.NewClock(7, 0), meeting.NewClock(12, 0), meeting.NewClock(19, 0), meeting.NewClock(20, 0)} {
		if starts[peak] < starts[meeting.NewClock(15, 0)]*5 {
			t.Errorf("start %v: %d meetings, not a peak (15:00 has %d)", peak, starts[peak], starts[meeting.NewClock(15, 0)])
		}
	}
	if late == 0 {
		t.Error("no late meetings (23:00–00:30)")
	}
	if share := float64(nyc) / n; share < 0.08 {
		t.Errorf("New York has %.3f of meetings, want at least 0.08", share)
	}
}

func TestMultiDayListings(t *testing.T) {
	groups := map[string][]meeting.Meeting{}
	var order []string
	for i, m := range sample {
		if m.GroupKey == "" {
			n := strings.TrimPrefix(m.ExternalID, "demo-")
			if _, err := strconv.Atoi(n); err != nil {
				t.Fatalf("meeting %d: one-day listing has external id %q, want demo-<n>", i, m.ExternalID)
			}
			continue
		}
		if _, seen := groups[m.GroupKey]; !seen {
			order = append(order, m.GroupKey)
		}
		groups[m.GroupKey] = append(groups[m.GroupKey], m)
	}
	if len(groups) < len(sample)/100 {
		t.Fatalf("%d multi-day listings in %d meetings, want at least 1%%", len(groups), len(sample))
	}
	for _, key := range order {
		rows := groups[key]
		if len(rows) < 2 && key != order[len(order)-1] { // the last may be cut short
			t.Errorf("group %s has %d row", key, len(rows))
		}
		ids, days := map[string]bool{}, map[meeting.Weekday]bool{}
		for _, m := range rows {
			if want := key + "-" + strconv.Itoa(int(m.Day)); m.ExternalID != want {
				t.Errorf("group %s: external id %q, want %q", key, m.ExternalID, want)
			}
			if ids[m.ExternalID] || days[m.Day] {
				t.Errorf("group %s: repeated id %q or day %v", key, m.ExternalID, m.Day)
			}
			ids[m.ExternalID], days[m.Day] = true, true
			first := rows[0]
			if m.Name != first.Name || m.Start != first.Start || m.End != first.End || m.Location.Point != first.Location.Point {
				t.Errorf("group %s: rows differ in more than day and id", key)
			}
		}
	}
	// Rows of one listing do not share slices.
	rows := groups[order[0]]
	rows[0].Location.Regions[0] = "changed"
	if rows[1].Location.Regions[0] == "changed" {
		t.Error("rows of a listing share their Regions slice")
	}
}

func TestTypes(t *testing.T) {
	idx := cityIndex(t)
	aaOnly := map[string]bool{"B": true, "SP": true, "12x12": true, "DR": true, "LS": true, "GR": true, "ABSI": true, "11": true, "TR": true, "CAN": true}
	for _, m := range sample {
		seen := map[string]bool{}
		for _, code := range m.Types {
			info, ok := meeting.LookupType(code)
			if !ok || info.Legacy {
				t.Fatalf("%s: type %q is not in the vocabulary", m.ExternalID, code)
			}
			if seen[code] {
				t.Fatalf("%s: type %q repeated in %v", m.ExternalID, code, m.Types)
			}
			seen[code] = true
			if aaOnly[code] && m.Program != meeting.ProgramAA {
				t.Errorf("%s: %s meeting has AA type %s", m.ExternalID, m.Program, code)
			}
			if code == "OUT" && m.Program != meeting.ProgramActivity {
				t.Errorf("%s: %s meeting is outdoors", m.ExternalID, m.Program)
			}
			if info.InPersonOnly && !m.Attendance.HasPlace() && m.Attendance != meeting.AttendanceInactive {
				t.Errorf("%s: online meeting has in-person type %s", m.ExternalID, code)
			}
		}
		if strings.Contains(m.Name, "Running") && m.Attendance == meeting.AttendanceOnline {
			t.Errorf("%s: online %q", m.ExternalID, m.Name)
		}
		if seen["O"] && seen["C"] {
			t.Errorf("%s: both open and closed", m.ExternalID)
		}
		if (m.Attendance == meeting.AttendanceInactive) != seen["TC"] {
			t.Errorf("%s: attendance %s with types %v; TC goes with inactive", m.ExternalID, m.Attendance, m.Types)
		}
		if c := idx[cityKey(m.Location.City, m.Location.Country)]; c.Language == "es" && !seen["S"] && !seen["EN"] {
			t.Errorf("%s in %s: neither S nor EN in %v", m.ExternalID, c.Name, m.Types)
		}
	}
}

func TestOnlineDetails(t *testing.T) {
	idx := cityIndex(t)
	for _, m := range sample {
		l := m.Location
		switch m.Attendance {
		case meeting.AttendanceOnline:
			c := idx[cityKey(l.City, l.Country)]
			if !l.Approximate || !l.HasPoint || l.Address != "" || l.Name != "" {
				t.Errorf("%s: online meeting location %+v, want the approximate centre of %s", m.ExternalID, l, c.Name)
			}
		default:
			if l.Approximate || l.Address == "" || l.Name == "" || !strings.HasPrefix(l.FormattedAddress, l.Address+", ") {
				t.Errorf("%s: %s meeting location %+v, want a full address", m.ExternalID, m.Attendance, l)
			}
			if l.PostalCode != "" && !strings.Contains(l.FormattedAddress, l.PostalCode) {
				t.Errorf("%s: postal code %q not in %q", m.ExternalID, l.PostalCode, l.FormattedAddress)
			}
		}
		hasJoin := m.Attendance == meeting.AttendanceOnline || m.Attendance == meeting.AttendanceHybrid
		if hasJoin != (m.Online.URL != "") {
			t.Errorf("%s: %s meeting with join URL %q", m.ExternalID, m.Attendance, m.Online.URL)
		}
		if hasJoin && (!strings.HasPrefix(m.Online.URL, "https://zoom.us/j/") || len(m.Online.URL) != len("https://zoom.us/j/")+10) {
			t.Errorf("%s: join URL %q, want https://zoom.us/j/<10 digits>", m.ExternalID, m.Online.URL)
		}
		if p := m.Online.Phone; p != "" && (!strings.HasPrefix(p, "+1-212-555-01") || len(p) != len("+1-212-555-0100")) {
			t.Errorf("%s: phone %q, want +1-212-555-01xx", m.ExternalID, p)
		}
	}
}

// BenchmarkNext measures drawing one meeting.
func BenchmarkNext(b *testing.B) {
	g := demo.New(1)
	b.ReportAllocs()
	for b.Loop() {
		_ = g.Next()
	}
}

// BenchmarkGenerate measures Generate for a million meetings; the figure
// quoted in the package's report is its ns/op.
func BenchmarkGenerate(b *testing.B) {
	const n = 1_000_000
	b.ReportAllocs()
	for b.Loop() {
		ms := demo.Generate(1, n)
		if len(ms) != n {
			b.Fatal(len(ms))
		}
	}
}
