package bmlt

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func TestParseNAWSFixture(t *testing.T) {
	ms, ps, err := ParseNAWS(openFile(t, "testdata/naws.csv"), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	place := meeting.Location{
		Name: "Example Church", Address: "10 Example Road", City: "Sampletown", Region: "MA", PostalCode: "02000", Country: "US",
		FormattedAddress: "10 Example Road, Sampletown, MA 02000, US", Regions: []string{"Synthetic Area"},
		Point: orb.Point{-70.5, 41.5}, HasPoint: true,
	}
	m := func(id, group, name string, day meeting.Weekday, h, mi int, types ...string) meeting.Meeting {
		return meeting.Meeting{
			Source: testSource, ExternalID: id, GroupKey: group, Name: name, Program: meeting.ProgramNA,
			Day: day, Start: meeting.NewClock(h, mi), End: meeting.NoClock, Types: types,
			Attendance: meeting.AttendanceInPerson, Location: place, Status: meeting.StatusPublished,
		}
	}
	want := []meeting.Meeting{
		with(m("1", "G1", "Early Risers", 0, 7, 30, "D", "JFT", "O", "S", "X"), func(m *meeting.Meeting) {
			m.TimeZone = "America/New_York"
			m.Location.Notes = "Room 4; Side door"
		}),
		m("2", "G1", "Early Risers", 1, 7, 30, "BE", "C", "M"),
		with(m("3", "G3", "Online Only", 2, 19, 0, "O"), func(m *meeting.Meeting) {
			m.Attendance = meeting.AttendanceOnline
			m.Location = meeting.Location{Region: "MA", Country: "US", FormattedAddress: "MA, US", Regions: []string{"Synthetic Area"}, Approximate: true}
			m.Online = meeting.Online{URL: "https://meet.example.org/j/3", URLNotes: "Passcode 3"}
		}),
		m("G7-4-2015", "G7", "No Bmlt Id", 4, 20, 15, "O"),
		m("10", "G10", "Inside Group", 5, 12, 0, "O", "RA"),
		with(m("11", "G11", "Both Ways", 6, 18, 0, "O"), func(m *meeting.Meeting) {
			m.Attendance = meeting.AttendanceHybrid
			m.Online.URL = "https://meet.example.org/j/11"
		}),
		with(m("12", "G12", "Closed Venue", 6, 20, 0, "O", "TC"), func(m *meeting.Meeting) { m.Attendance = meeting.AttendanceInactive }),
		with(m("13", "G13", "NA Meeting", 6, 21, 0, "O"), func(m *meeting.Meeting) {
			m.Location.Point, m.Location.HasPoint = orb.Point{}, false
		}),
	}
	if diff := cmp.Diff(want, ms); diff != "" {
		t.Errorf("meetings (-want +got):\n%s", diff)
	}
	p := func(line int, id, name string, sev meeting.Severity, field, reason string) meeting.Problem {
		return meeting.Problem{Record: line, ExternalID: id, Name: name, Severity: sev, Field: field, Reason: reason}
	}
	const R, F = meeting.Rejected, meeting.Flagged
	wantProblems := []meeting.Problem{
		p(5, "4", "Funday Group", R, "day", `Day "Funday" is not a weekday (want a day name, Sunday to Saturday)`),
		p(6, "5", "Late Clock", R, "start_time", `Time "2560" is not a time of day (want HHMM, 24-hour)`),
		p(8, "1", "Early Risers Copy", R, "external_id", "id 1 appears again (first at line 2); later copies are ignored"),
		p(9, "8", "Deleted Group", R, "status", "marked deleted (Delete=D) in the NAWS export"),
		p(10, "9", "Hidden Group", R, "status", "unpublished in the NAWS export"),
		p(15, "13", "NA Meeting", F, "location", "0,0 is not a meeting place (null island); dropped"),
		p(15, "13", "NA Meeting", F, "name", `meeting_name is empty; listed as "NA Meeting"`),
	}
	if diff := cmp.Diff(wantProblems, ps, cmpopts.IgnoreFields(meeting.Problem{}, "Raw")); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	for _, p := range ps {
		if strings.Contains(p.Raw, "Pat Contact") || strings.Contains(p.Raw, "555-0199") {
			t.Errorf("line %d: Raw quotes a contact column: %q", p.Record, p.Raw)
		}
	}
}

func TestParseNAWSShapes(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantKind meeting.Kind
		wantN    int
	}{
		{name: "header only", in: "Committee,CommitteeName,Day,Time,bmlt_id\n"},
		{name: "minimal row", in: "bmlt_id,CommitteeName,Day,Time,City\n7,Tiny,Monday,1900,Town\n", wantN: 1},
		{name: "byte order mark", in: "\uFEFFbmlt_id,CommitteeName,Day,Time,City\n7,Tiny,Monday,1900,Town\n", wantN: 1},
		{name: "short row", in: "bmlt_id,CommitteeName,Day,Time,City\n7,Tiny,Monday,1900\n", wantN: 0}, // no place: rejected
		{name: "empty input", in: "", wantKind: meeting.KindInvalid},
		{name: "not an export", in: "name,address\nA,B\n", wantKind: meeting.KindInvalid},
		{name: "no id columns", in: "Day,Time\nMonday,1900\n", wantKind: meeting.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, _, err := ParseNAWS(strings.NewReader(tt.in), testOpts)
			if got := meeting.ErrorKind(err); got != tt.wantKind {
				t.Fatalf("error kind = %q (%v), want %q", got, err, tt.wantKind)
			}
			if len(ms) != tt.wantN {
				t.Errorf("got %d meetings, want %d", len(ms), tt.wantN)
			}
		})
	}
}

func TestParseHHMM(t *testing.T) {
	tests := []struct {
		in     string
		want   meeting.Clock
		wantOK bool
	}{
		{"0730", meeting.NewClock(7, 30), true},
		{"730", meeting.NewClock(7, 30), true},
		{"2015", meeting.NewClock(20, 15), true},
		{"2400", meeting.NewClock(0, 0), true},
		{"19:45", meeting.NewClock(19, 45), true},
		{"2460", meeting.NoClock, false},
		{"2401", meeting.NoClock, false},
		{"75", meeting.NoClock, false},
		{"+730", meeting.NoClock, false},
		{"7:30 PM", meeting.NoClock, false},
		{"", meeting.NoClock, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseHHMM(tt.in)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseHHMM(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
