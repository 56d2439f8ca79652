package bmlt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

const testSource = "bmlt-test"

var testOpts = Options{meeting.ImportOptions{Source: testSource}}

// testCatalog reads the synthetic catalog in testdata.
func testCatalog(t *testing.T) Catalog {
	t.Helper()
	formats, err := ParseFormats(openFile(t, "testdata/formats.json"))
	if err != nil {
		t.Fatal(err)
	}
	bodies, err := ParseServiceBodies(openFile(t, "testdata/service-bodies.json"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := ParseServerInfo(openFile(t, "testdata/server-info.json"))
	if err != nil {
		t.Fatal(err)
	}
	return Catalog{Formats: formats, ServiceBodies: bodies, DefaultPoint: info.DefaultPoint}
}

func openFile(t testing.TB, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// base is the meeting most fixture records in testdata/search.json start
// from: Monday 19:00–20:00 at 1 Example Street, Sampletown, PA, in person.
func base(id, name string) meeting.Meeting {
	return meeting.Meeting{
		Source: testSource, ExternalID: id, GroupKey: id, Name: name, Program: meeting.ProgramNA,
		Day: 1, Start: meeting.NewClock(19, 0), End: meeting.NewClock(20, 0),
		Attendance: meeting.AttendanceInPerson, Status: meeting.StatusPublished,
		Location: meeting.Location{
			Address: "1 Example Street", City: "Sampletown", Region: "PA",
			FormattedAddress: "1 Example Street, Sampletown, PA",
			Point:            orb.Point{-75.2, 40.1}, HasPoint: true,
		},
	}
}

func with(m meeting.Meeting, f func(*meeting.Meeting)) meeting.Meeting {
	f(&m)
	return m
}

// online strips the street from a base meeting, as the fixture's online
// records do, and marks its location approximate.
func online(m *meeting.Meeting) {
	m.Attendance = meeting.AttendanceOnline
	m.Location.Address = ""
	m.Location.FormattedAddress = "Sampletown, PA"
	m.Location.Approximate = true
}

const link = "https://meet.example.org/j/"

func TestParseFixture(t *testing.T) {
	ms, ps, err := Parse(openFile(t, "testdata/search.json"), testCatalog(t), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	want := []meeting.Meeting{
		with(base("101", "Hope Tonight"), func(m *meeting.Meeting) {
			m.GroupKey = "555"
			m.Start, m.End = meeting.NewClock(19, 30), meeting.NewClock(21, 0)
			m.TimeZone = "America/New_York"
			m.Types = []string{"O", "SP", "ST", "X"}
			m.Location = meeting.Location{
				Name: "Community Hall", Address: "12 Example Street", City: "Sampletown", Region: "PA", PostalCode: "19000", Country: "US",
				FormattedAddress: "12 Example Street, Sampletown, PA 19000, US",
				Regions:          []string{"Synthetic Region", "Synthetic Area", "Synthetic Group"},
				Notes:            "Side door, room 2", Point: orb.Point{-75.2, 40.1}, HasPoint: true,
			}
			m.Notes = "Bring a friend."
			m.Maintainer = meeting.Maintainer{Entity: "Synthetic Group", EntityURL: "https://example.org/"} // GetServiceBodies' url
		}),
		with(base("102", "Morning Online"), func(m *meeting.Meeting) {
			online(m)
			m.Day, m.Start, m.End = 0, meeting.NewClock(8, 0), meeting.NewClock(9, 0)
			m.Types = []string{"O"}
			m.Location.Point = orb.Point{-75.4, 40.3}
			m.Online = meeting.Online{URL: link + "102", URLNotes: "Passcode 1234", Phone: "+15550100"}
		}),
		with(base("103", "Default Point Online"), func(m *meeting.Meeting) {
			online(m)
			m.Location.Point, m.Location.HasPoint = orb.Point{}, false
			m.Online.URL = link + "103"
		}),
		with(base("104", "Null Island Phone"), func(m *meeting.Meeting) {
			online(m)
			m.Location = meeting.Location{Approximate: true}
			m.Online = meeting.Online{Phone: "+15550104", PhoneNote: "PIN 104"}
		}),
		with(base("105", "Both Ways"), func(m *meeting.Meeting) {
			m.Attendance = meeting.AttendanceHybrid
			m.Online.URL = link + "105"
		}),
		with(base("106", "Derived Virtual"), func(m *meeting.Meeting) {
			m.Attendance = meeting.AttendanceOnline // VM wins over the street
			m.Location.Approximate = true
			m.Online.URL = link + "106"
		}),
		with(base("107", "Derived Hybrid"), func(m *meeting.Meeting) {
			m.Attendance = meeting.AttendanceHybrid
			m.Types = []string{"O"}
			m.Online.URL = link + "107"
		}),
		with(base("108", "Closed For Now"), func(m *meeting.Meeting) {
			m.Attendance = meeting.AttendanceInactive
			m.Types = []string{"C", "TC"}
		}),
		with(base("109", "Closed But Calling"), func(m *meeting.Meeting) {
			m.Attendance = meeting.AttendanceOnline
			m.Location.Approximate = true
			m.Types = []string{"TC"}
			m.Online.Phone = "+15550109"
		}),
		with(base("110", "Link And Street"), func(m *meeting.Meeting) {
			m.Attendance = meeting.AttendanceHybrid
			m.Online.URL = link + "110"
		}),
		base("111", "Schemeless Link"),
		with(base("114", "Late Night"), func(m *meeting.Meeting) {
			m.Start, m.End = meeting.NewClock(23, 30), meeting.NewClock(0, 30)
		}),
		with(base("115", "All Day"), func(m *meeting.Meeting) {
			m.Start, m.End = meeting.NewClock(10, 0), meeting.NewClock(10, 0)
		}),
		with(base("116", "No Duration"), func(m *meeting.Meeting) { m.End = meeting.NoClock }),
		base("117", "Martian Time"),
		base("118", "NA Meeting"),
		with(base("120", "Null Island In Person"), func(m *meeting.Meeting) {
			m.Location.Point, m.Location.HasPoint = orb.Point{}, false
		}),
		with(base("121", "Bad Latitude"), func(m *meeting.Meeting) {
			m.Location.Point, m.Location.HasPoint = orb.Point{}, false
		}),
		with(base("123", "Many Formats"), func(m *meeting.Meeting) { m.Types = []string{"BT", "FR", "JFT", "S"} }),
		with(base("124", "Key Strings"), func(m *meeting.Meeting) { m.Types = []string{"CAN", "M", "O"} }),
		with(base("125", "German Keys"), func(m *meeting.Meeting) { m.Types = []string{"BE"} }),
		with(base("126", "English Keys"), func(m *meeting.Meeting) { m.Types = []string{"NC"} }),
		with(base("127", "Numbers Group"), func(m *meeting.Meeting) {
			m.Day, m.Start, m.End = 2, meeting.NewClock(12, 0), meeting.NoClock
			m.Location = meeting.Location{Address: "1 Number Way", City: "Sampletown", FormattedAddress: "1 Number Way, Sampletown", Point: orb.Point{-75.1, 40.5}, HasPoint: true}
		}),
		with(base("128", "Loop Body"), func(m *meeting.Meeting) {
			m.Location.Regions = []string{"Loop B", "Loop A"}
			m.Maintainer = meeting.Maintainer{Entity: "Loop A", EntityURL: "https://example.org/"} // its body's url
		}),
		with(base("129", "Named Body"), func(m *meeting.Meeting) { m.Location.Regions = []string{"Named Elsewhere"} }),
		base("130", "Odd Venue"),
		with(base("133", "Default Point In Person"), func(m *meeting.Meeting) {
			m.Location.Point, m.Location.HasPoint = orb.Point{}, false
		}),
		with(base("134", "Hybrid Venue Closed"), func(m *meeting.Meeting) {
			m.Attendance = meeting.AttendanceOnline // the place is closed, the link stays
			m.Location.Approximate = true
			m.Types = []string{"TC"}
			m.Online.URL = link + "134"
		}),
	}
	if diff := cmp.Diff(want, ms); diff != "" {
		t.Errorf("meetings (-want +got):\n%s", diff)
	}

	p := func(rec int, id, name string, sev meeting.Severity, field, reason string) meeting.Problem {
		return meeting.Problem{Record: rec, ExternalID: id, Name: name, Severity: sev, Field: field, Reason: reason}
	}
	const R, F = meeting.Rejected, meeting.Flagged
	wantProblems := []meeting.Problem{
		p(3, "103", "Default Point Online", F, "location", "the server's default point (its map centre) on a virtual meeting, not a real location; dropped"),
		p(4, "104", "Null Island Phone", F, "location", "0,0 on a virtual meeting, not a real location; dropped"),
		p(11, "111", "Schemeless Link", F, "online.url", `virtual_meeting_link "zoom.example.org/j/111" is not an http or https URL; dropped`),
		p(12, "112", "Day Zero", R, "day", `weekday_tinyint "0" is not a weekday (want 1 (Sunday) to 7 (Saturday))`),
		p(13, "113", "Day Eight", R, "day", `weekday_tinyint "8" is not a weekday (want 1 (Sunday) to 7 (Saturday))`),
		p(13, "113", "Day Eight", R, "start_time", `start_time "25:00:00" is not a time of day (want HH:MM:SS)`),
		p(17, "117", "Martian Time", F, "timezone", `"Mars/Olympus_Mons" is not an IANA time zone; left unknown`),
		p(18, "118", "NA Meeting", F, "name", `meeting_name is empty; listed as "NA Meeting"`),
		p(19, "101", "Hope Tonight Again", R, "external_id", "id_bigint 101 appears again (first at record 1); later copies are ignored"),
		p(20, "119", "Unpublished", R, "status", "unpublished on the BMLT server (published = 0)"),
		p(21, "120", "Null Island In Person", F, "location", "0,0 is not a meeting place (null island); dropped"),
		p(22, "121", "Bad Latitude", F, "location", `latitude "abc", longitude "-75.2" is not a point; dropped`),
		p(23, "122", "Nowhere", R, "location", "an in-person or hybrid meeting needs an address or a point"),
		p(24, "123", "Many Formats", F, "types", "formats not mapped: Pi Pitch (no world_id), xx Klingon (language not recognised)"),
		p(25, "124", "Key Strings", F, "types", "formats not mapped: Zz (not in the format list)"),
		p(27, "126", "English Keys", F, "types", "unknown codes kept verbatim: NC"),
		p(29, "", "", R, "", "not a meeting object: json: cannot unmarshal number into Go value of type bmlt.wireMeeting"),
		p(32, "130", "Odd Venue", F, "attendance", `venue_type "7" is not 1, 2 or 3; read from the formats instead`),
		p(33, "", "No Id", R, "external_id", "is required"),
		p(34, "132", "Online Without Way In", R, "online", "an online or hybrid meeting needs a join link or a phone number"),
		p(35, "133", "Default Point In Person", F, "location", "the server's default point (its map centre), not a geocoded place; dropped"),
	}
	if diff := cmp.Diff(wantProblems, ps, cmpopts.IgnoreFields(meeting.Problem{}, "Raw")); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	for _, p := range ps {
		if p.Raw == "" || len([]rune(p.Raw)) > 200 {
			t.Errorf("record %d: Raw has %d characters, want 1–200", p.Record, len([]rune(p.Raw)))
		}
	}
}

func TestParseUsedFormats(t *testing.T) {
	// The {meetings, formats} shape: key_strings resolve through the
	// formats that came with the meetings, without any catalog.
	ms, ps, err := Parse(openFile(t, "testdata/search-used-formats.json"), Catalog{}, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	loc := meeting.Location{Address: "5 Example Avenue", City: "Sampletown", Region: "PA", FormattedAddress: "5 Example Avenue, Sampletown, PA", Point: orb.Point{-75.3, 40.2}, HasPoint: true}
	want := []meeting.Meeting{
		{Source: testSource, ExternalID: "201", GroupKey: "201", Name: "Saturday Topic", Program: meeting.ProgramNA, Day: 6, Start: meeting.NewClock(18, 0), End: meeting.NoClock,
			Types: []string{"O", "TOP", "VAR"}, Attendance: meeting.AttendanceInPerson, Location: loc, Status: meeting.StatusPublished},
		{Source: testSource, ExternalID: "202", GroupKey: "202", Name: "Plain", Program: meeting.ProgramNA, Day: 3, Start: meeting.NewClock(7, 0), End: meeting.NoClock,
			Attendance: meeting.AttendanceInPerson, Location: loc, Status: meeting.StatusPublished},
	}
	if diff := cmp.Diff(want, ms); diff != "" {
		t.Errorf("meetings (-want +got):\n%s", diff)
	}
	wantProblems := []meeting.Problem{{Record: 1, ExternalID: "201", Name: "Saturday Topic", Severity: meeting.Flagged, Field: "types",
		Reason: "formats not mapped: Pi Pitch (no world_id)"}}
	if diff := cmp.Diff(wantProblems, ps, cmpopts.IgnoreFields(meeting.Problem{}, "Raw")); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestParseWithoutCatalog(t *testing.T) {
	// Without a format list only the reserved venue key_strings mean
	// anything; "O" and "B" are server-local and are dropped, not guessed.
	in := `[{"id_bigint":"1","weekday_tinyint":"1","start_time":"10:00:00","formats":"O,B,VM","meeting_name":"Keys","virtual_meeting_link":"https://meet.example.org/j/1"}]`
	ms, ps, err := Parse(strings.NewReader(in), Catalog{}, Options{meeting.ImportOptions{Source: testSource, Program: meeting.ProgramAA}})
	if err != nil {
		t.Fatal(err)
	}
	want := []meeting.Meeting{{Source: testSource, ExternalID: "1", GroupKey: "1", Name: "Keys", Program: meeting.ProgramAA, Day: 0, Start: meeting.NewClock(10, 0), End: meeting.NoClock,
		Attendance: meeting.AttendanceOnline, Location: meeting.Location{Approximate: true}, Online: meeting.Online{URL: "https://meet.example.org/j/1"}, Status: meeting.StatusPublished}}
	if diff := cmp.Diff(want, ms); diff != "" {
		t.Errorf("meetings (-want +got):\n%s", diff)
	}
	wantProblems := []meeting.Problem{{Record: 1, ExternalID: "1", Name: "Keys", Severity: meeting.Flagged, Field: "types",
		Reason: "formats not mapped: O (not in the format list), B (not in the format list)"}}
	if diff := cmp.Diff(wantProblems, ps, cmpopts.IgnoreFields(meeting.Problem{}, "Raw")); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestParseShapes(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		opts     Options
		wantKind meeting.Kind // "" = no error
		wantN    int
	}{
		{name: "empty array", in: "[]"},
		{name: "array with a space", in: "[ ]"},
		{name: "empty meetings object", in: `{"meetings":[],"formats":[]}`},
		{name: "one meeting", in: `[{"id_bigint":"1","weekday_tinyint":"1","start_time":"10:00","meeting_name":"A","location_municipality":"Town","latitude":"1","longitude":"2"}]`, wantN: 1},
		{name: "empty input", in: "", wantKind: meeting.KindInvalid},
		{name: "white space only", in: " \n", wantKind: meeting.KindInvalid},
		{name: "not JSON", in: "<html>oops</html>", wantKind: meeting.KindInvalid},
		{name: "a string", in: `"meetings"`, wantKind: meeting.KindInvalid},
		{name: "null", in: `null`, wantKind: meeting.KindInvalid},
		{name: "a number", in: `42`, wantKind: meeting.KindInvalid},
		{name: "object without meetings", in: `{"formats":[]}`, wantKind: meeting.KindInvalid},
		{name: "meetings not an array", in: `{"meetings":"none"}`, wantKind: meeting.KindInvalid},
		{name: "truncated array", in: `[{"id_bigint":"1"`, wantKind: meeting.KindInvalid},
		{name: "trailing garbage", in: `[] []`, wantKind: meeting.KindInvalid},
		{name: "no source", in: "[]", opts: Options{}, wantKind: meeting.KindInvalid},
		{name: "unknown program", in: "[]", opts: Options{meeting.ImportOptions{Source: "s", Program: "xx"}}, wantKind: meeting.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts == (Options{}) && tt.name != "no source" {
				opts = testOpts
			}
			ms, ps, err := Parse(strings.NewReader(tt.in), Catalog{}, opts)
			if got := meeting.ErrorKind(err); got != tt.wantKind {
				t.Fatalf("error kind = %q (%v), want %q", got, err, tt.wantKind)
			}
			if err != nil && (ms != nil || ps != nil) {
				t.Errorf("on error got %d meetings and %d problems, want none", len(ms), len(ps))
			}
			if len(ms) != tt.wantN || len(ps) != 0 {
				t.Errorf("got %d meetings, %d problems (%v); want %d, 0", len(ms), len(ps), ps, tt.wantN)
			}
		})
	}
}

func TestParseFixturesValidate(t *testing.T) {
	// Every meeting Parse returns passes the domain's own validation.
	for _, name := range []string{"search.json", "search-used-formats.json"} {
		ms, _, err := Parse(openFile(t, filepath.Join("testdata", name)), testCatalog(t), testOpts)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if err := m.Validate(); err != nil {
				t.Errorf("%s: %s: %v", name, m.ExternalID, err)
			}
		}
	}
}

// TestParsePoisonRecords: a NUL in a record's text is removed and
// flagged; an id too long to store (and the group key made of it) rejects
// that record alone.
func TestParsePoisonRecords(t *testing.T) {
	long := strings.Repeat("9", meeting.MaxIDLen+1)
	in := `[{"id_bigint":"1","weekday_tinyint":"2","start_time":"10:00","meeting_name":"Keys\u0000","location_municipality":"Town","latitude":"1","longitude":"2","comments":"Side\u0000 door"},
		{"id_bigint":"` + long + `","weekday_tinyint":"2","start_time":"10:00","meeting_name":"Long","location_municipality":"Town","latitude":"1","longitude":"2"},
		{"id_bigint":"3","weekday_tinyint":"2","start_time":"11:00","meeting_name":"Fine","location_municipality":"Town","latitude":"1","longitude":"2"}]`
	ms, ps, err := Parse(strings.NewReader(in), Catalog{}, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Name != "Keys" || ms[0].Notes != "Side door" || ms[1].Name != "Fine" {
		t.Fatalf("meetings %+v, want Keys (cleaned) and Fine", ms)
	}
	var got []string
	for _, p := range ps {
		got = append(got, string(p.Severity)+" "+p.Field)
	}
	if d := cmp.Diff([]string{"flagged name", "flagged notes", "rejected external_id", "rejected group_key"}, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); d != "" {
		t.Errorf("problems (-want +got):\n%s\n%v", d, ps)
	}
}

// TestStockDefaultPoint: BMLT's stock default point (in Los Angeles) is
// never a meeting's place, with or without the server's info, however
// many decimals it is written with; the server's own default is dropped
// too when the catalog gives it; a point near but not at them is kept.
func TestStockDefaultPoint(t *testing.T) {
	rec := func(id, venue, lat, lng string) string {
		return `{"id_bigint":"` + id + `","weekday_tinyint":"2","start_time":"19:00:00","venue_type":"` + venue +
			`","latitude":"` + lat + `","longitude":"` + lng + `","meeting_name":"M` + id +
			`","location_street":"1 Example Street","location_municipality":"Sampletown","location_province":"PA",` +
			`"virtual_meeting_link":"https://meet.example.org/j/` + id + `"}`
	}
	in := "[" + strings.Join([]string{
		rec("1", "2", "34.235918", "-118.563659"),   // virtual at the stock default
		rec("2", "2", "34.2359180", "-118.5636590"), // the same, more decimals
		rec("3", "3", "34.235918", "-118.563659"),   // hybrid at the stock default
		rec("4", "2", "34.2400", "-118.5600"),       // near it, not at it
		rec("5", "2", "40.25", "-75.5"),             // the server's own default
		rec("6", "1", "40.1", "-75.2"),              // a real place
	}, ",") + "]"
	for _, tc := range []struct {
		name    string
		cat     Catalog
		dropped []string
	}{
		{"without server info", Catalog{}, []string{"1", "2", "3"}},
		{"with the server's default", Catalog{DefaultPoint: &orb.Point{-75.5, 40.25}}, []string{"1", "2", "3", "5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, ps, err := Parse(strings.NewReader(in), tc.cat, testOpts)
			if err != nil || len(ms) != 6 {
				t.Fatalf("%d meetings, %v", len(ms), err)
			}
			var dropped []string
			for _, m := range ms {
				if !m.Location.HasPoint {
					dropped = append(dropped, m.ExternalID)
				}
			}
			if diff := cmp.Diff(tc.dropped, dropped); diff != "" {
				t.Errorf("meetings without a point (-want +got):\n%s", diff)
			}
			flagged := map[string]string{}
			for _, p := range ps {
				if p.Field == "location" && p.Severity == meeting.Flagged {
					flagged[p.ExternalID] = p.Reason
				}
			}
			for _, id := range tc.dropped {
				if !strings.Contains(flagged[id], "default point") {
					t.Errorf("meeting %s: flag %q, want one about the default point", id, flagged[id])
				}
			}
			if len(flagged) != len(tc.dropped) {
				t.Errorf("flags %v, want one for each of %v", flagged, tc.dropped)
			}
		})
	}
}

// TestBodyMaintainer: a meeting's maintainer is the nearest service body,
// its own or one above, that gives a web site or a helpline.
func TestBodyMaintainer(t *testing.T) {
	ix := newBodyIndex([]ServiceBody{
		{ID: "1", ParentID: "0", Name: "Region", URL: "https://region.example.org", Helpline: "+1 800 555 0100"},
		{ID: "2", ParentID: "1", Name: "Area"},
		{ID: "3", ParentID: "2", Name: "Group", Helpline: "570-555-0101"},
		{ID: "4", ParentID: "5", Name: "Loop"}, {ID: "5", ParentID: "4", Name: "Loop too"},
	})
	for id, want := range map[string]meeting.Maintainer{
		"3": {Entity: "Group", EntityPhone: "570-555-0101"},
		"2": {Entity: "Region", EntityURL: "https://region.example.org", EntityPhone: "+1 800 555 0100"},
		"4": {}, "unknown": {},
	} {
		if d := cmp.Diff(want, ix.maintainer(id)); d != "" {
			t.Errorf("body %s (-want +got):\n%s", id, d)
		}
	}
}
