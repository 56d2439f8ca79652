package meeting_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func valid() meeting.Meeting {
	return meeting.Meeting{
		Source: "s", ExternalID: "x", Name: "Serenity Group", Program: meeting.ProgramAA,
		Day: 1, Start: meeting.NewClock(19, 0), End: meeting.NewClock(20, 0), TimeZone: "America/New_York",
		Types: []string{"O"}, Attendance: meeting.AttendanceInPerson,
		Location: meeting.Location{Address: "1 Main St", City: "Springfield", Point: orb.Point{-74, 40.7}, HasPoint: true},
	}
}

func TestValidateNamesEachField(t *testing.T) {
	cases := []struct {
		name   string
		change func(m *meeting.Meeting)
		fields []string
	}{
		{"valid", func(m *meeting.Meeting) {}, nil},
		{"no name", func(m *meeting.Meeting) { m.Name = " " }, []string{"name"}},
		{"bad program", func(m *meeting.Meeting) { m.Program = "xa" }, []string{"program"}},
		{"day 7", func(m *meeting.Meeting) { m.Day = 7 }, []string{"day"}},
		{"no start", func(m *meeting.Meeting) { m.Start = meeting.NoClock }, []string{"start_time"}},
		{"by appointment needs no time", func(m *meeting.Meeting) {
			m.ByAppointment, m.Start, m.End = true, meeting.NoClock, meeting.NoClock
		}, nil},
		{"bad zone", func(m *meeting.Meeting) { m.TimeZone = "Mars/Base" }, []string{"timezone"}},
		{"lat out of range", func(m *meeting.Meeting) { m.Location.Point = orb.Point{10, 91} }, []string{"location.lat"}},
		{"lng out of range", func(m *meeting.Meeting) { m.Location.Point = orb.Point{181, 10} }, []string{"location.lng"}},
		{"null island", func(m *meeting.Meeting) { m.Location.Point = orb.Point{0, 0} }, []string{"location.lat"}},
		{"in person without a place", func(m *meeting.Meeting) { m.Location = meeting.Location{} }, []string{"location"}},
		{"online without a link", func(m *meeting.Meeting) { m.Attendance = meeting.AttendanceOnline }, []string{"online"}},
		{"join link must be http", func(m *meeting.Meeting) {
			m.Attendance, m.Online.URL = meeting.AttendanceHybrid, "javascript:alert(1)"
		}, []string{"online.url"}},
		{"bad attendance", func(m *meeting.Meeting) { m.Attendance = "maybe" }, []string{"attendance"}},
		{"no source or id", func(m *meeting.Meeting) { m.Source, m.ExternalID = "", "" }, []string{"external_id", "source"}},

		// What a store cannot hold: NUL, bytes that are not UTF-8, and
		// values over the limits (an external id of 3,000 bytes overflows
		// the unique index; SQLSTATE 54000).
		{"NUL in the name", func(m *meeting.Meeting) { m.Name = "Serenity\x00Group" }, []string{"name"}},
		{"NUL in the external id", func(m *meeting.Meeting) { m.ExternalID = "x\x00" }, []string{"external_id"}},
		{"NUL in the join notes", func(m *meeting.Meeting) { m.Online.URLNotes = "\x00" }, []string{"online.url_notes"}},
		{"not UTF-8 in the notes", func(m *meeting.Meeting) { m.Notes = "caf\xe9" }, []string{"notes"}},
		{"not UTF-8 in the city", func(m *meeting.Meeting) { m.Location.City = "\xff" }, []string{"location.city"}},
		{"external id too long", func(m *meeting.Meeting) { m.ExternalID = strings.Repeat("x", 3000) }, []string{"external_id"}},
		{"external id at the limit", func(m *meeting.Meeting) { m.ExternalID = strings.Repeat("é", meeting.MaxIDLen) }, nil},
		{"group key too long", func(m *meeting.Meeting) { m.GroupKey = strings.Repeat("g", meeting.MaxIDLen+1) }, []string{"group_key"}},
		{"source too long", func(m *meeting.Meeting) { m.Source = strings.Repeat("s", meeting.MaxIDLen+1) }, []string{"source"}},
		{"name too long", func(m *meeting.Meeting) { m.Name = strings.Repeat("n", meeting.MaxNameLen+1) }, []string{"name"}},
		{"url too long", func(m *meeting.Meeting) { m.URL = "https://example.org/" + strings.Repeat("u", meeting.MaxURLLen) }, []string{"url"}},
		{"join link too long", func(m *meeting.Meeting) {
			m.Attendance, m.Online.URL = meeting.AttendanceHybrid, "https://example.org/"+strings.Repeat("u", meeting.MaxURLLen)
		}, []string{"online.url"}},
		{"location notes too long", func(m *meeting.Meeting) { m.Location.Notes = strings.Repeat("l", meeting.MaxTextLen+1) }, []string{"location.notes"}},
		{"phone note too long", func(m *meeting.Meeting) { m.Online.PhoneNote = strings.Repeat("p", meeting.MaxTextLen+1) }, []string{"online.phone_note"}},
		{"zone too long", func(m *meeting.Meeting) { m.TimeZone = strings.Repeat("z", meeting.MaxZoneLen+1) }, []string{"timezone"}},
		{"too many types", func(m *meeting.Meeting) { m.Types = slices.Repeat([]string{"O"}, meeting.MaxTypes+1) }, []string{"types"}},
		{"NUL in a type", func(m *meeting.Meeting) { m.Types = []string{"O\x00"} }, []string{"types"}},
		{"too many regions", func(m *meeting.Meeting) { m.Location.Regions = slices.Repeat([]string{"r"}, meeting.MaxRegions+1) }, []string{"location.regions"}},
		{"a region too long", func(m *meeting.Meeting) { m.Location.Regions = []string{strings.Repeat("r", meeting.MaxShortLen+1)} }, []string{"location.regions"}},
		{"NUL in a region", func(m *meeting.Meeting) { m.Location.Regions = []string{"North\x00"} }, []string{"location.regions"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			tc.change(&m)
			err := m.Validate()
			var got []string
			if err != nil {
				e, ok := err.(*meeting.Error)
				if !ok || e.Kind != meeting.KindInvalid {
					t.Fatalf("error %v, want a KindInvalid *meeting.Error", err)
				}
				for f := range e.Fields {
					got = append(got, f)
				}
			}
			if d := cmp.Diff(tc.fields, got, cmpSorted); d != "" {
				t.Errorf("fields (-want +got):\n%s", d)
			}
		})
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

func TestParseClock(t *testing.T) {
	for in, want := range map[string]meeting.Clock{
		"19:30": meeting.NewClock(19, 30), "7:05": meeting.NewClock(7, 5), "00:00:00": 0, "24:00": 0, "23:59:59": meeting.NewClock(23, 59),
	} {
		got, err := meeting.ParseClock(in)
		if err != nil || got != want {
			t.Errorf("ParseClock(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "25:00", "12:60", "noon", "24:01", "7", "7:30 PM", "7:3", "-1:00", "07:30:", "1:2:3:4"} {
		if _, err := meeting.ParseClock(in); !meeting.IsKind(err, meeting.KindInvalid) {
			t.Errorf("ParseClock(%q) error %v, want invalid", in, err)
		}
	}
}

func TestOccurrence(t *testing.T) {
	m := valid() // Monday 19:00-20:00 New York
	ny, _ := time.LoadLocation("America/New_York")
	cases := []struct {
		name string
		now  time.Time
		want string
	}{
		{"later today", time.Date(2026, 11, 30, 18, 0, 0, 0, ny), "2026-11-30T19:00:00-05:00"},
		{"in progress", time.Date(2026, 11, 30, 19, 59, 0, 0, ny), "2026-11-30T19:00:00-05:00"},
		{"just ended", time.Date(2026, 11, 30, 20, 0, 0, 0, ny), "2026-12-07T19:00:00-05:00"},
		{"from Tokyo on Tuesday morning", time.Date(2026, 12, 1, 9, 30, 0, 0, time.FixedZone("JST", 9*3600)), "2026-11-30T19:00:00-05:00"},
		{"across DST end", time.Date(2026, 10, 27, 12, 0, 0, 0, ny), "2026-11-02T19:00:00-05:00"},
	}
	for _, tc := range cases {
		got, ok := m.Occurrence(tc.now)
		if !ok || got.Format(time.RFC3339) != tc.want {
			t.Errorf("%s: got %v %v, want %s", tc.name, got.Format(time.RFC3339), ok, tc.want)
		}
	}
	late := valid()
	late.Start, late.End = meeting.NewClock(23, 30), meeting.NewClock(0, 30) // Monday 23:30 to Tuesday 00:30
	if got, _ := late.Occurrence(time.Date(2026, 12, 1, 0, 15, 0, 0, ny)); got.Format(time.RFC3339) != "2026-11-30T23:30:00-05:00" {
		t.Errorf("past midnight: in progress start %v", got)
	}
	noZone := valid()
	noZone.TimeZone = ""
	if _, ok := noZone.Occurrence(time.Now()); ok {
		t.Error("a meeting without a zone has no occurrence")
	}
}

func TestNormalizeType(t *testing.T) {
	for in, want := range map[string]string{"O": "O", "open": "O", "Big Book": "B", "onl": "ONL", " W ": "W", "Mujeres": "W", "XYZ": "XYZ"} {
		got, _ := meeting.NormalizeType(in)
		if got != want {
			t.Errorf("NormalizeType(%q) = %q, want %q", in, got, want)
		}
	}
	if _, known := meeting.NormalizeType("XYZ"); known {
		t.Error("XYZ is not a known type")
	}
	if meeting.TypeName("W", "es") != "Mujeres" || meeting.TypeName("W", "en") != "Women" {
		t.Errorf("type names: %q %q", meeting.TypeName("W", "es"), meeting.TypeName("W", "en"))
	}
}

func TestClean(t *testing.T) {
	m := valid()
	m.Name = "Serenity\x00 Group"
	m.ExternalID = "x\x00"
	m.Notes = "caf\xe9"
	m.Types = []string{"O", "W\x00"}
	m.Location.Regions = []string{"North\x00"}
	changed := m.Clean()
	if d := cmp.Diff([]string{"external_id", "location.regions", "name", "notes", "types"}, changed, cmpSorted); d != "" {
		t.Errorf("changed fields (-want +got):\n%s", d)
	}
	if m.Name != "Serenity Group" || m.ExternalID != "x" || m.Notes != "caf\uFFFD" || m.Types[1] != "W" || m.Location.Regions[0] != "North" {
		t.Errorf("cleaned: %q %q %q %q %q", m.Name, m.ExternalID, m.Notes, m.Types, m.Location.Regions)
	}
	if err := m.Validate(); err != nil {
		t.Errorf("after Clean: %v", err)
	}
	if changed := m.Clean(); changed != nil {
		t.Errorf("a clean meeting: Clean changed %q", changed)
	}
}

func TestParseProgram(t *testing.T) {
	for in, want := range map[string]meeting.Program{
		"ca": meeting.ProgramCA, "Cocaine Anonymous": meeting.ProgramCA, "C.A.": meeting.ProgramCA, "COCAINE  ANONYMOUS": meeting.ProgramCA,
		"Crystal Meth Anonymous": meeting.ProgramCMA, "Overeaters Anonymous": meeting.ProgramOA, "SLAA": meeting.ProgramSLAA, "Gamblers Anonymous": meeting.ProgramGA,
		"CoDA": meeting.ProgramCoDA, "Co-Dependents Anonymous": meeting.ProgramCoDA, "ACA": meeting.ProgramACA, "Adult Children of Alcoholics": meeting.ProgramACA,
		"Debtors Anonymous": meeting.ProgramDA, "Marijuana Anonymous": meeting.ProgramMA, "Heroin Anonymous": meeting.ProgramHA, "Nar Anon": meeting.ProgramNarAnon,
		"Nar-Anon": meeting.ProgramNarAnon, "Alateen": meeting.ProgramAlateen, "Recovery Dharma": meeting.ProgramRecoveryDharma, "Refuge Recovery": meeting.ProgramRefugeRecovery,
		"LifeRing": meeting.ProgramLifeRing, "Women for Sobriety": meeting.ProgramWFS, "AA": meeting.ProgramAA, "Alcoholics Anonymous": meeting.ProgramAA,
		"Al-Anon": meeting.ProgramAlAnon, "SMART Recovery": meeting.ProgramSMART,
	} {
		if got, ok := meeting.ParseProgram(in); !ok || got != want {
			t.Errorf("meeting.ParseProgram(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "Anonymous", "Cocaine", "xyz"} {
		if got, ok := meeting.ParseProgram(in); ok {
			t.Errorf("meeting.ParseProgram(%q) = %q, want none", in, got)
		}
	}
	if len(meeting.Programs) > 32 {
		t.Errorf("%d programs: the read model keeps a program set in 32 bits", len(meeting.Programs))
	}
	for _, p := range meeting.Programs {
		if !p.Valid() {
			t.Errorf("%q is not valid", p)
		}
	}
}
