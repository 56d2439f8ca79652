package meetingguide

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meetingfinder/meetingfinder/importers/record"
	"github.com/meetingfinder/meetingfinder/internal/sharedtest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

var testOpts = Options{ImportOptions: meeting.ImportOptions{Source: "test"}}

func parseFile(t *testing.T, path string, opts Options) ([]meeting.Meeting, []meeting.Problem) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ms, ps, err := Parse(f, opts)
	if err != nil {
		t.Fatalf("Parse(%s): %v", path, err)
	}
	return ms, ps
}

// outcome summarises what happened to each record: the ExternalIDs kept,
// the field of a rejection, and the fields flagged.
type outcome struct {
	Kept     []string
	Rejected string
	Flagged  []string
}

func outcomes(ms []meeting.Meeting, ps []meeting.Problem, recordOf func(meeting.Meeting) int) map[int]*outcome {
	out := map[int]*outcome{}
	get := func(n int) *outcome {
		if out[n] == nil {
			out[n] = &outcome{}
		}
		return out[n]
	}
	for _, m := range ms {
		o := get(recordOf(m))
		o.Kept = append(o.Kept, m.ExternalID)
	}
	for _, p := range ps {
		o := get(p.Record)
		if p.Severity == meeting.Rejected {
			o.Rejected = p.Field
			if p.Field == "" {
				o.Rejected = "(record)"
			}
		} else {
			o.Flagged = append(o.Flagged, p.Field)
		}
	}
	return out
}

func TestParseQuirks(t *testing.T) {
	ms, ps := parseFile(t, "testdata/quirks.json", testOpts)
	// Map each meeting back to its record through its GroupKey.
	recordBySlug := map[string]int{"basic": 1, "42": 2, "multi": 3, "one-in-array": 4, "appointment": 5, "null-island": 13,
		"bad-zone": 14, "bad-url": 15, "unknown-types": 16, "closed-online": 17, "entity": 21}
	got := outcomes(ms, ps, func(m meeting.Meeting) int { return recordBySlug[m.GroupKey] })
	want := map[int]*outcome{
		1:  {Kept: []string{"basic"}},
		2:  {Kept: []string{"42"}},
		3:  {Kept: []string{"multi-1", "multi-3", "multi-5"}},
		4:  {Kept: []string{"one-in-array-6"}},
		5:  {Kept: []string{"appointment"}},
		6:  {Rejected: "day"},
		7:  {Rejected: "start_time"},
		8:  {Rejected: "day"},
		9:  {Rejected: "start_time"},
		10: {Rejected: "end_time"},
		11: {Rejected: "name"},
		12: {Rejected: "slug"},
		13: {Kept: []string{"null-island"}, Flagged: []string{"location.lat"}},
		14: {Kept: []string{"bad-zone"}, Flagged: []string{"timezone"}},
		15: {Kept: []string{"bad-url"}, Flagged: []string{"online.url"}},
		16: {Kept: []string{"unknown-types"}, Flagged: []string{"types"}},
		17: {Kept: []string{"closed-online"}},
		18: {Rejected: "location"},
		19: {Rejected: "name"},
		20: {Rejected: "(record)"},
		21: {Kept: []string{"entity"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcome per record (-want +got):\n%s", diff)
	}
	for _, p := range ps {
		if p.Reason == "" || p.Raw == "" || len(p.Raw) > record.MaxExcerpt {
			t.Errorf("problem %+v: want a reason and a raw excerpt of at most %d bytes", p, record.MaxExcerpt)
		}
	}
	dup := findProblem(ps, 12)
	if want := "duplicate slug basic, first seen at record 1"; dup.Reason != want {
		t.Errorf("duplicate reason = %q, want %q", dup.Reason, want)
	}
	if got := findProblem(ps, 16).Reason; !strings.Contains(got, "ASBI, NA") {
		t.Errorf("unknown types reason = %q, want it to list ASBI, NA", got)
	}
	if got := findProblem(ps, 20).Reason; got != "the record is a string, want an object" {
		t.Errorf("non-object reason = %q", got)
	}
}

func findProblem(ps []meeting.Problem, record int) meeting.Problem {
	for _, p := range ps {
		if p.Record == record {
			return p
		}
	}
	return meeting.Problem{}
}

func TestParseQuirksMapping(t *testing.T) {
	ms, _ := parseFile(t, "testdata/quirks.json", testOpts)
	byID := map[string]meeting.Meeting{}
	for _, m := range ms {
		byID[m.ExternalID] = m
	}
	tests := []struct {
		id   string
		want meeting.Meeting
	}{
		{"basic", meeting.Meeting{
			Source: "test", ExternalID: "basic", GroupKey: "basic", Name: "Basic Group", Program: meeting.ProgramAA,
			Day: 1, Start: meeting.NewClock(19, 30), End: meeting.NewClock(20, 30), TimeZone: "America/Chicago",
			Types: []string{"O", "D"}, Attendance: meeting.AttendanceHybrid,
			Location: meeting.Location{Name: "St. Mark\u2019s Church", FormattedAddress: "100 Main St, Springfield, IL 62701, USA",
				Address: "100 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US",
				Regions: []string{"Central", "Downtown"}, Notes: "Use the side door", Point: orb.Point{-89.65, 39.8}, HasPoint: true},
			Online: meeting.Online{URL: "https://zoom.us/j/123", URLNotes: "Passcode 1", Phone: "+1 555 555 0100"},
			Notes:  "Line one\nLine two & more", Group: "Basic", URL: "https://example.org/meetings/basic", Status: meeting.StatusPublished,
		}},
		{"42", meeting.Meeting{
			Source: "test", ExternalID: "42", GroupKey: "42", Name: "Integer Slug", Program: meeting.ProgramAA,
			Day: 3, Start: meeting.NewClock(19, 0), End: meeting.NoClock, Types: []string{"O"}, Attendance: meeting.AttendanceInPerson,
			Location: meeting.Location{Address: "5 Elm St", City: "Amarillo", Region: "TX", PostalCode: "79107", Country: "USA",
				FormattedAddress: "5 Elm St, Amarillo, TX 79107, USA", Point: orb.Point{-101.8, 35.2}, HasPoint: true},
			Status: meeting.StatusPublished,
		}},
		{"multi-5", meeting.Meeting{
			Source: "test", ExternalID: "multi-5", GroupKey: "multi", Name: "Multi Day", Program: meeting.ProgramAA,
			Day: 5, Start: meeting.NewClock(12, 0), End: meeting.NoClock, Types: []string{"C", "W"}, Attendance: meeting.AttendanceInPerson,
			Location: meeting.Location{FormattedAddress: "1 Oak St, Edmonton, AB T6E 4E8, Canada",
				Address: "1 Oak St", City: "Edmonton", Region: "AB", PostalCode: "T6E 4E8", Country: "CA"}, Status: meeting.StatusPublished,
		}},
		{"one-in-array-6", meeting.Meeting{
			Source: "test", ExternalID: "one-in-array-6", GroupKey: "one-in-array", Name: "One In Array", Program: meeting.ProgramAA,
			Day: 6, Start: meeting.NewClock(8, 0), End: meeting.NoClock, Types: []string{"B"}, Attendance: meeting.AttendanceOnline,
			Location: meeting.Location{FormattedAddress: "Edmonton, AB, Canada", City: "Edmonton", Region: "AB", Country: "CA", Approximate: true},
			Online:   meeting.Online{URL: "https://meet.google.com/abc"}, Status: meeting.StatusPublished,
		}},
		{"appointment", meeting.Meeting{
			Source: "test", ExternalID: "appointment", GroupKey: "appointment", Name: "By Appointment", Program: meeting.ProgramAA,
			Start: meeting.NoClock, End: meeting.NoClock, ByAppointment: true, Attendance: meeting.AttendanceOnline,
			Location: meeting.Location{City: "San Francisco", FormattedAddress: "San Francisco", Approximate: true},
			Online:   meeting.Online{Phone: "+14155550100"}, Status: meeting.StatusPublished,
		}},
		{"null-island", meeting.Meeting{
			Source: "test", ExternalID: "null-island", GroupKey: "null-island", Name: "Null Island", Program: meeting.ProgramAA,
			Start: meeting.NewClock(10, 0), End: meeting.NoClock, Attendance: meeting.AttendanceInPerson,
			Location: meeting.Location{Address: "9 Pine St", City: "Floydada", Region: "TX", Country: "USA", FormattedAddress: "9 Pine St, Floydada, TX, USA"},
			Status:   meeting.StatusPublished,
		}},
		{"bad-zone", meeting.Meeting{
			Source: "test", ExternalID: "bad-zone", GroupKey: "bad-zone", Name: "Bad Zone", Program: meeting.ProgramAA,
			Start: meeting.NewClock(10, 0), End: meeting.NoClock, Attendance: meeting.AttendanceInPerson,
			Location: meeting.Location{FormattedAddress: "1 A St, B, C 1, USA", Country: "US", Point: orb.Point{-81.7, 41.5}, HasPoint: true},
			Status:   meeting.StatusPublished,
		}},
		{"bad-url", meeting.Meeting{
			Source: "test", ExternalID: "bad-url", GroupKey: "bad-url", Name: "Bad URL", Program: meeting.ProgramAA,
			Start: meeting.NewClock(10, 0), End: meeting.NoClock, Attendance: meeting.AttendanceOnline,
			Location: meeting.Location{City: "Chicago", Region: "IL", FormattedAddress: "Chicago, IL", Approximate: true},
			Online:   meeting.Online{Phone: "(555) 555-0100"}, Status: meeting.StatusPublished,
		}},
		{"unknown-types", meeting.Meeting{
			Source: "test", ExternalID: "unknown-types", GroupKey: "unknown-types", Name: "Unknown Types", Program: meeting.ProgramAA,
			Start: meeting.NewClock(10, 0), End: meeting.NoClock, Types: []string{"O", "ASBI", "NA", "11"}, Attendance: meeting.AttendanceInPerson,
			Location: meeting.Location{FormattedAddress: "1 A St, B, C 1, USA", Country: "US"}, Status: meeting.StatusPublished,
		}},
		{"closed-online", meeting.Meeting{
			Source: "test", ExternalID: "closed-online", GroupKey: "closed-online", Name: "Temporarily Closed", Program: meeting.ProgramAA,
			Day: 5, Start: meeting.NewClock(18, 0), End: meeting.NoClock, Types: []string{"TC"}, Attendance: meeting.AttendanceInactive,
			Location: meeting.Location{FormattedAddress: "1 A St, B, C 1, USA", Country: "US"}, Status: meeting.StatusPublished,
		}},
		{"entity", meeting.Meeting{
			Source: "test", ExternalID: "entity", GroupKey: "entity", Name: "Entity Fields", Program: meeting.ProgramNA,
			Day: 2, Start: meeting.NewClock(12, 0), End: meeting.NewClock(13, 0), Attendance: meeting.AttendanceInactive,
			Location:   meeting.Location{FormattedAddress: "1 A St, B, C 1, USA", Country: "US", Approximate: true},
			Maintainer: meeting.Maintainer{Entity: "Intergroup", EntityURL: "https://example.org"}, Status: meeting.StatusPublished,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got, ok := byID[tt.id]
			if !ok {
				t.Fatalf("no meeting %q", tt.id)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("meeting (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseNotAFeed(t *testing.T) {
	tests := []struct {
		name, in string
		wantMsg  string
	}{
		{"object", `{"meetings": []}`, "the top level is an object"},
		{"string", `"hello"`, "the top level is a string"},
		{"number", `12`, "the top level is a number"},
		{"null", `null`, "the top level is null"},
		{"empty", "  \n", "the input is empty"},
		{"garbage", `<html>`, "invalid JSON at byte 1"},
		{"trailing", `[{"slug": "a"}] invalid text`, "invalid JSON at byte 17"},
		{"truncated", `[{"slug": "a"`, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, ps, err := Parse(strings.NewReader(tt.in), testOpts)
			if !meeting.IsKind(err, meeting.KindInvalid) {
				t.Fatalf("err = %v, want a KindInvalid error", err)
			}
			var e *meeting.Error
			if !errors.As(err, &e) || !strings.Contains(e.Message, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", err, tt.wantMsg)
			}
			if ms != nil || ps != nil {
				t.Errorf("got %d meetings and %d problems with the error, want none", len(ms), len(ps))
			}
		})
	}
}

func TestParseEmptyArrayAndBOM(t *testing.T) {
	for _, in := range []string{"[]", "\xef\xbb\xbf[ ]"} {
		ms, ps, err := Parse(strings.NewReader(in), testOpts)
		if err != nil || len(ms) != 0 || len(ps) != 0 {
			t.Errorf("Parse(%q) = %d, %d, %v; want nothing and no error", in, len(ms), len(ps), err)
		}
	}
}

func TestParseProgramDefault(t *testing.T) {
	in := `[{"slug":"a","name":"A","day":1,"time":"10:00","city":"X"},{"slug":"b","name":"B","day":1,"time":"10:00","city":"X","program":"al-anon"},{"slug":"c","name":"C","day":1,"time":"10:00","city":"X","program":"bogus"}]`
	tests := []struct {
		name string
		opt  meeting.Program
		want []meeting.Program
	}{
		{"default aa", "", []meeting.Program{meeting.ProgramAA, meeting.ProgramAlAnon, meeting.ProgramAA}},
		{"option", meeting.ProgramSMART, []meeting.Program{meeting.ProgramSMART, meeting.ProgramAlAnon, meeting.ProgramSMART}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, ps, err := Parse(strings.NewReader(in), Options{ImportOptions: meeting.ImportOptions{Source: "s", Program: tt.opt}})
			if err != nil {
				t.Fatal(err)
			}
			var got []meeting.Program
			for _, m := range ms {
				got = append(got, m.Program)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("programs (-want +got):\n%s", diff)
			}
			if len(ps) != 1 || ps[0].Field != "program" || ps[0].Severity != meeting.Flagged {
				t.Errorf("problems = %+v, want one flagged program problem", ps)
			}
		})
	}
}

func sharedData(t *testing.T) string {
	t.Helper()
	return sharedtest.Data(t)
}

// counts is what an import of one file comes to.
type counts struct {
	Meetings int // meetings returned
	Rejected int // records with a Rejected problem
	Flagged  int // records with a Flagged problem
	Invalid  bool
}

func count(ms []meeting.Meeting, ps []meeting.Problem) counts {
	rej, fl := map[int]bool{}, map[int]bool{}
	for _, p := range ps {
		if p.Severity == meeting.Rejected {
			rej[p.Record] = true
		} else {
			fl[p.Record] = true
		}
	}
	return counts{Meetings: len(ms), Rejected: len(rej), Flagged: len(fl)}
}

func TestSharedData(t *testing.T) {
	dir := filepath.Join(sharedData(t), "meetingguide")
	// Counts checked by hand against the files with jq (see the commit).
	want := map[string]counts{
		"aasanjose.test.json":     {Meetings: 692, Rejected: 1},  // 693 records, one slug repeated
		"aasepia.json":            {Meetings: 2038, Flagged: 26}, // 26 records with the typo ASBI
		"aasfmarin.test.json":     {Meetings: 658, Flagged: 1},   // one record with a longitude but no latitude
		"appointment.test.json":   {Meetings: 2},                 // one by appointment
		"edmonton.json":           {Meetings: 315},               // every day an array of one
		"invalid.json":            {Invalid: true},               // trailing text after the array
		"kc.test.json":            {Meetings: 206},               // lowercase onl, integer slugs
		"meetings.json":           {Meetings: 46},                // types as a string
		"nepa-tsml-cache.json":    {Meetings: 480},               // attendance_option on every record
		"nocodeapi.com.test.json": {Invalid: true},               // an Airtable dump, an object
		"nwta.test.json":          {Meetings: 613, Flagged: 53},  // 53 at 0,0
		"quinte-ontario.json":     {Meetings: 45},                //
		"times.json":              {Meetings: 9, Flagged: 1},     // the unknown type NA
		"timezones.test.json":     {Meetings: 2},                 //
		"types.json":              {Invalid: true},               // the type table, an object
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Skipf("../shared/data not present: no JSON files in %s", dir)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			if !ok {
				t.Fatalf("no expected counts for %s: check the file by hand and add them", name)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			ms, ps, err := Parse(f, Options{ImportOptions: meeting.ImportOptions{Source: name}})
			var got counts
			if err != nil {
				if !meeting.IsKind(err, meeting.KindInvalid) {
					t.Fatalf("error kind = %s, want invalid: %v", meeting.ErrorKind(err), err)
				}
				got.Invalid = true
			} else {
				got = count(ms, ps)
			}
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
			for _, m := range ms {
				if err := m.Validate(); err != nil {
					t.Errorf("meeting %s does not validate: %v", m.ExternalID, err)
				}
				if slices.Contains(m.Types, "ONL") {
					t.Errorf("meeting %s keeps ONL in types", m.ExternalID)
				}
			}
		})
	}
}

func TestSharedDataFields(t *testing.T) {
	dir := filepath.Join(sharedData(t), "meetingguide")
	t.Run("aasanjose duplicate slug", func(t *testing.T) {
		raw := readRaw(t, filepath.Join(dir, "aasanjose.test.json"))
		first, second := -1, -1
		for i, r := range raw {
			if r["slug"] == "pass-it-on-group" {
				if first < 0 {
					first = i + 1
				} else {
					second = i + 1
				}
			}
		}
		_, ps := parseFile(t, filepath.Join(dir, "aasanjose.test.json"), testOpts)
		want := []meeting.Problem{{Record: second, ExternalID: "pass-it-on-group", Name: fmt.Sprint(raw[second-1]["name"]), Severity: meeting.Rejected,
			Field: "slug", Reason: fmt.Sprintf("duplicate slug pass-it-on-group, first seen at record %d", first)}}
		if diff := cmp.Diff(want, ps, cmpNoRaw); diff != "" {
			t.Errorf("problems (-want +got):\n%s", diff)
		}
	})
	t.Run("aasepia strings as coordinates", func(t *testing.T) {
		raw := readRaw(t, filepath.Join(dir, "aasepia.json"))
		ms, _ := parseFile(t, filepath.Join(dir, "aasepia.json"), testOpts)
		// The feed gives only formatted_address; its parts are split out.
		parts := map[int]meeting.Location{
			0:    {Address: "1937 West MacDade Boulevard", City: "Woodlyn", Region: "PA", PostalCode: "19094", Country: "US"},
			500:  {Address: "8744 New Falls Rd", City: "Levittown", Region: "PA", PostalCode: "19054", Country: "US"},
			2037: {Address: "700 Veteran Hwy", City: "Bristol", Region: "PA", PostalCode: "19007", Country: "US"},
		}
		for _, i := range []int{0, 500, 2037} {
			r, m := raw[i], ms[i] // one meeting per record, in order
			want := parts[i]
			want.Name, want.FormattedAddress, want.Regions = str(r["location"]), str(r["formatted_address"]), strs(r["regions"])
			want.Point, want.HasPoint = orb.Point{num(t, r["longitude"]), num(t, r["latitude"])}, true
			if diff := cmp.Diff(want, m.Location, cmpLocationCore); diff != "" {
				t.Errorf("record %d location (-want +got):\n%s", i+1, diff)
			}
			if m.ExternalID != r["slug"] || m.Name != r["name"] || m.Start.String() != r["time"] || float64(m.Day) != r["day"].(float64) {
				t.Errorf("record %d: got %s %q %s day %d, want %v %v %v %v", i+1, m.ExternalID, m.Name, m.Start, m.Day, r["slug"], r["name"], r["time"], r["day"])
			}
		}
	})
	t.Run("nwta null island and bracketed types", func(t *testing.T) {
		raw := readRaw(t, filepath.Join(dir, "nwta.test.json"))
		ms, ps := parseFile(t, filepath.Join(dir, "nwta.test.json"), testOpts)
		zero := 0
		for i, r := range raw {
			m := ms[i]
			if m.ExternalID != fmt.Sprint(r["slug"]) {
				t.Fatalf("record %d: id %s, want %v", i+1, m.ExternalID, r["slug"])
			}
			wantType := map[string]string{"[open]": "O", "[closed]": "C"}[str(r["types"])]
			if diff := cmp.Diff([]string{wantType}, m.Types); diff != "" {
				t.Errorf("record %d types (-want +got):\n%s", i+1, diff)
			}
			if r["latitude"].(float64) == 0 && r["longitude"].(float64) == 0 {
				zero++
				if m.Location.HasPoint {
					t.Errorf("record %d at 0,0 stored as a point", i+1)
				}
				if p := findProblem(ps, i+1); p.Severity != meeting.Flagged || p.Field != "location.lat" {
					t.Errorf("record %d at 0,0: problem %+v, want flagged location.lat", i+1, p)
				}
			}
		}
		if zero != 53 {
			t.Errorf("%d records at 0,0, want 53", zero)
		}
	})
	t.Run("edmonton 12-hour times and day arrays", func(t *testing.T) {
		raw := readRaw(t, filepath.Join(dir, "edmonton.json"))
		ms, _ := parseFile(t, filepath.Join(dir, "edmonton.json"), testOpts)
		var want, got []string
		for _, r := range raw {
			start, err := record.ParseTime(str(r["time"]))
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range r["day"].([]any) {
				want = append(want, fmt.Sprintf("%v-%v %s %s", r["slug"], d, start, record.CleanLine(str(r["address"]))))
			}
		}
		for _, m := range ms {
			got = append(got, fmt.Sprintf("%s %s %s", m.ExternalID, m.Start, m.Location.FormattedAddress))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("meetings (-want +got):\n%s", diff)
		}
	})
	t.Run("nepa attendance_option", func(t *testing.T) {
		raw := readRaw(t, filepath.Join(dir, "nepa-tsml-cache.json"))
		ms, _ := parseFile(t, filepath.Join(dir, "nepa-tsml-cache.json"), testOpts)
		for i, r := range raw {
			m := ms[i]
			// An online meeting's place is never a door, whatever the
			// feed's approximate says.
			approx := r["approximate"] == "yes" || r["attendance_option"] == "online"
			if string(m.Attendance) != r["attendance_option"] || m.TimeZone != r["timezone"] || m.Location.Approximate != approx {
				t.Errorf("record %d: %s %s %v, want %v %v %v", i+1, m.Attendance, m.TimeZone, m.Location.Approximate, r["attendance_option"], r["timezone"], r["approximate"])
			}
		}
	})
	t.Run("kc html notes and lowercase onl", func(t *testing.T) {
		raw := readRaw(t, filepath.Join(dir, "kc.test.json"))
		ms, _ := parseFile(t, filepath.Join(dir, "kc.test.json"), testOpts)
		for i, r := range raw {
			m := ms[i]
			if strings.ContainsAny(m.Notes, "<>") || strings.Contains(m.Notes, "&nbsp;") {
				t.Errorf("record %d notes keep HTML: %q", i+1, m.Notes)
			}
			if slices.Contains(strs(r["types"]), "onl") && m.Attendance != meeting.AttendanceOnline && m.Attendance != meeting.AttendanceHybrid && m.Online.URL+m.Online.Phone != "" {
				t.Errorf("record %d has onl and join details but attendance %s", i+1, m.Attendance)
			}
		}
	})
}

var (
	cmpNoRaw        = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Raw" }, cmp.Ignore())
	cmpLocationCore = cmp.FilterPath(func(p cmp.Path) bool {
		s := p.Last().String()
		return s == ".Notes" || s == ".Approximate"
	}, cmp.Ignore())
)

// TestSharedDataAddressParts imports every real feed and checks the
// address parts split out of formatted_address when a record gives
// nothing else: each part is text of the formatted address (nothing is
// made up; the country is written as its code), a town holds no digit, and the feeds that give only
// formatted_address now have a town for nearly every meeting. It logs the
// share of meetings without a town before the split and after.
func TestSharedDataAddressParts(t *testing.T) {
	dir := filepath.Join(sharedData(t), "meetingguide")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Skipf("../shared/data not present: no JSON files in %s", dir)
	}
	var all, noCityBefore, noCityAfter, noPartsBefore, noPartsAfter int
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		ms, _, err := Parse(f, Options{ImportOptions: meeting.ImportOptions{Source: filepath.Base(path)}})
		f.Close()
		if err != nil {
			continue // not a feed (counted in TestSharedData)
		}
		raw := readRaw(t, path)
		rawCity, rawParts := map[string]string{}, map[string]bool{}
		for _, r := range raw {
			slug := fmt.Sprint(r["slug"])
			rawCity[slug] = strings.TrimSpace(str(r["city"]))
			for _, k := range []string{"address", "city", "state", "postal_code", "country"} {
				if strings.TrimSpace(str(r[k])) != "" {
					rawParts[slug] = true
				}
			}
		}
		before, after := 0, 0
		for _, m := range ms {
			l := m.Location
			if rawCity[m.GroupKey] == "" {
				before++
			}
			if l.City == "" {
				after++
			}
			if !rawParts[m.GroupKey] {
				noPartsBefore++
			}
			if l.Address+l.City+l.Region+l.PostalCode+l.Country == "" {
				noPartsAfter++
			}
			if rawCity[m.GroupKey] != "" || l.FormattedAddress == "" {
				continue
			}
			for _, p := range []string{l.Address, l.City, l.Region, l.PostalCode} {
				if !strings.Contains(l.FormattedAddress, p) {
					t.Errorf("%s %s: part %q is not in %q", filepath.Base(path), m.ExternalID, p, l.FormattedAddress)
				}
			}
			// The country is the code of the name the address ends with.
			if l.Country != "" && (len(l.Country) != 2 || strings.ToUpper(l.Country) != l.Country) {
				t.Errorf("%s %s: country %q is not a code (%q)", filepath.Base(path), m.ExternalID, l.Country, l.FormattedAddress)
			}
			if strings.ContainsAny(l.City, "0123456789") {
				t.Errorf("%s %s: town %q has a digit (%q)", filepath.Base(path), m.ExternalID, l.City, l.FormattedAddress)
			}
		}
		t.Logf("%-24s %5d meetings; without a town: %5d before, %5d after", filepath.Base(path), len(ms), before, after)
		switch filepath.Base(path) {
		case "aasanjose.test.json", "aasepia.json", "nepa-tsml-cache.json", "times.json", "edmonton.json":
			// Only formatted_address, in the geocoders' shapes (Edmonton:
			// the whole address in address).
			if after*100 > len(ms) {
				t.Errorf("%s: %d of %d meetings without a town, want under 1%%", filepath.Base(path), after, len(ms))
			}
		}
		all, noCityBefore, noCityAfter = all+len(ms), noCityBefore+before, noCityAfter+after
	}
	t.Logf("all feeds: %d meetings; without a town: %d (%.1f%%) before, %d (%.1f%%) after; "+
		"with none of street, town, state, postal code, country: %d before, %d after", all,
		noCityBefore, 100*float64(noCityBefore)/float64(all), noCityAfter, 100*float64(noCityAfter)/float64(all),
		noPartsBefore, noPartsAfter)
}

// TestWrongShape: JSON arrays whose records lack what makes a meeting in
// the format's fields are refused as a whole, with a reason, rather than
// stored "by appointment" and inactive.
func TestWrongShape(t *testing.T) {
	f, err := os.Open("testdata/directory.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ms, ps, err := Parse(f, testOpts)
	if !meeting.IsKind(err, meeting.KindInvalid) || ms != nil || ps != nil {
		t.Fatalf("a directory's JSON: %d meetings, %d problems, %v; want it refused", len(ms), len(ps), err)
	}
	if msg := err.Error(); !strings.Contains(msg, "4 of 5 records have neither a schedule (day, time) nor a place") {
		t.Errorf("reason %q does not say what is missing", msg)
	}

	rec := func(i int, fields string) string {
		return fmt.Sprintf(`{"slug":"m%d","name":"Meeting %d"%s}`, i, i, fields)
	}
	feed := func(n int, fields func(i int) string) string {
		var recs []string
		for i := range n {
			recs = append(recs, rec(i, fields(i)))
		}
		return "[" + strings.Join(recs, ",") + "]"
	}
	for _, tc := range []struct {
		name   string
		in     string
		reason string // "" = accepted
	}{
		{"a venue list: addresses, no schedules", feed(12, func(int) string { return `,"address":"1 Example St","city":"Sampletown"` }), "12 of 12 records have no schedule"},
		{"a schedule without places", feed(12, func(int) string { return `,"day":1,"time":"19:00"` }), "12 of 12 records have no place"},
		{"a small feed of meetings by appointment", feed(3, func(int) string { return `,"city":"Sampletown"` }), ""},
		{"a feed with a few by appointment", feed(12, func(i int) string {
			if i < 5 {
				return `,"city":"Sampletown"`
			}
			return `,"day":1,"time":"19:00","city":"Sampletown"`
		}), ""},
		{"an array of strings", `["a","b","c"]`, "3 of 3 records have neither"},
		{"one record with a name only", `[{"slug":"x","name":"X"}]`, "1 of 1 records have neither"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse(strings.NewReader(tc.in), testOpts)
			switch {
			case tc.reason == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.reason != "" && (!meeting.IsKind(err, meeting.KindInvalid) || !strings.Contains(err.Error(), tc.reason)):
				t.Errorf("error %v, want KindInvalid with %q", err, tc.reason)
			}
		})
	}
}

// TestSharedWrongShape: the Airtable API dump of ../shared/data is refused
// as it is (an object), and its records unwrapped into an array are
// refused too (each is {"id", "fields"}: no Meeting Guide field at all).
func TestSharedWrongShape(t *testing.T) {
	path := filepath.Join(sharedData(t), "meetingguide", "nocodeapi.com.test.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("../shared/data has no nocodeapi.com.test.json: %v", err)
	}
	if _, _, err := Parse(bytes.NewReader(data), testOpts); !meeting.IsKind(err, meeting.KindInvalid) || !strings.Contains(err.Error(), `"records"`) {
		t.Errorf("the dump: %v; want KindInvalid naming its \"records\"", err)
	}
	var obj struct{ Records json.RawMessage }
	if err := json.Unmarshal(data, &obj); err != nil || len(obj.Records) == 0 {
		t.Fatalf("no records in the dump: %v", err)
	}
	_, _, err = Parse(bytes.NewReader(obj.Records), testOpts)
	if !meeting.IsKind(err, meeting.KindInvalid) || !strings.Contains(err.Error(), "have neither a schedule") {
		t.Errorf("its records as an array: %v; want refused for having neither schedules nor places", err)
	}
	t.Logf("refused: %v", err)
}

// TestMaintainer: feedback_emails, feedback_url and the entity fields are
// kept per meeting, on the fast path and the slow one alike; what cannot
// be kept is left out and flagged without quoting it, and never costs the
// meeting.
func TestMaintainer(t *testing.T) {
	feed := `[
	{"slug": "full", "name": "Full", "day": [1, 3], "time": "19:00", "formatted_address": "1 Main St, Scranton, PA 18503, USA",
	 "feedback_emails": ["fix@intergroup.example.org", "web@intergroup.example.org"], "feedback_url": "https://intergroup.example.org/fix?m=full",
	 "entity": "Example Intergroup", "entity_email": "office@intergroup.example.org", "entity_location": "Scranton, PA",
	 "entity_logo": "https://intergroup.example.org/logo.svg", "entity_phone": "+1-570-555-0100", "entity_website_url": "https://intergroup.example.org"},
	{"slug": "sheet", "name": "Sheet", "day": 2, "time": "19:00", "formatted_address": "1 Main St, Scranton, PA 18503, USA",
	 "feedback_emails": "a@example.org, b@example.org"},
	{"slug": "junk", "name": "Junk", "day": 2, "time": "20:00", "formatted_address": "1 Main St, Scranton, PA 18503, USA",
	 "feedback_emails": ["bob smith 570 555 0199"], "feedback_url": "javascript:void(0)", "entity": {"name": "nested"}, "entity_email": "nobody"}
	]`
	full := meeting.Maintainer{FeedbackEmails: []string{"fix@intergroup.example.org", "web@intergroup.example.org"},
		FeedbackURL: "https://intergroup.example.org/fix?m=full", Entity: "Example Intergroup", EntityEmail: "office@intergroup.example.org",
		EntityLocation: "Scranton, PA", EntityLogo: "https://intergroup.example.org/logo.svg", EntityPhone: "+1-570-555-0100",
		EntityURL: "https://intergroup.example.org"}
	want := map[string]meeting.Maintainer{"full-1": full, "full-3": full,
		"sheet": {FeedbackEmails: []string{"a@example.org", "b@example.org"}}, "junk": {}}
	// The fast path, and the slow one (a leading Unicode space sends the
	// feed there).
	for name, in := range map[string]string{"fast": feed, "slow": "\u00a0" + feed} {
		t.Run(name, func(t *testing.T) {
			ms, ps, err := Parse(strings.NewReader(in), testOpts)
			if name == "slow" && err != nil {
				t.Skipf("the slow path refuses a leading no-break space: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]meeting.Maintainer{}
			for _, m := range ms {
				got[m.ExternalID] = m.Maintainer
			}
			if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("maintainers (-want +got):\n%s", d)
			}
			flagged := map[string]bool{}
			for _, p := range ps {
				if p.Severity == meeting.Rejected {
					t.Errorf("rejected: %+v", p)
				}
				flagged[p.Field] = true
				for _, secret := range []string{"bob smith", "570 555 0199", "javascript", "nobody"} {
					if strings.Contains(p.Reason, secret) {
						t.Errorf("the reason quotes the value: %s", p.Reason)
					}
				}
			}
			for _, f := range []string{"maintainer.feedback_emails", "maintainer.feedback_url", "maintainer.entity", "maintainer.entity_email"} {
				if !flagged[f] {
					t.Errorf("%s not flagged; flagged %v", f, flagged)
				}
			}
		})
	}
}

// TestSharedMaintainer: the real feed whose every meeting has a
// feedback_url (a form prefilled with the listing, one 2,510 characters
// long) keeps it on every meeting.
func TestSharedMaintainer(t *testing.T) {
	path := filepath.Join(sharedData(t), "meetingguide", "aasfmarin.test.json")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("../shared/data has no aasfmarin.test.json: %v", err)
	}
	ms, _ := parseFile(t, path, testOpts)
	n := 0
	for _, m := range ms {
		if strings.HasPrefix(m.Maintainer.FeedbackURL, "https://") {
			n++
		}
	}
	if n != len(ms) || n == 0 {
		t.Errorf("%d of %d meetings keep their feedback_url", n, len(ms))
	}
}

// TestProgramTypes: a record's types are read in its program's own
// vocabulary, the record's program or the import's.
func TestProgramTypes(t *testing.T) {
	feed := `[
	{"slug": "aca", "name": "ACA", "program": "aca", "day": 1, "time": "19:00", "formatted_address": "1 Main St, Scranton, PA 18503, USA", "types": ["SP", "S", "T", "Yellow Workbook Study"]},
	{"slug": "alanon", "name": "Al-Anon", "program": "Al-Anon", "day": 1, "time": "19:00", "formatted_address": "1 Main St, Scranton, PA 18503, USA", "types": ["Y", "AC", "O"]},
	{"slug": "aa", "name": "AA", "day": 1, "time": "19:00", "formatted_address": "1 Main St, Scranton, PA 18503, USA", "types": ["SP", "S", "T", "Y"]},
	{"slug": "na", "name": "NA", "program": "na", "day": 1, "time": "19:00", "formatted_address": "1 Main St, Scranton, PA 18503, USA", "types": ["JFT", "BT", "SPK", "GL"]}
	]`
	ms, ps, err := Parse(strings.NewReader(feed), Options{ImportOptions: meeting.ImportOptions{Source: "test", Program: meeting.ProgramAA}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, m := range ms {
		got[m.ExternalID] = m.Types
	}
	want := map[string][]string{
		"aca":    {"S", "SP", "TEXT", "YELLOW-WORKBOOK"},
		"alanon": {"ALATEEN", "ADULT-CHILD", "O"},
		"aa":     {"SP", "S", "T", "Y"},
		"na":     {"JFT", "BT", "SP", "LGBTQ"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("types (-want +got):\n%s", d)
	}
	for _, p := range ps {
		if p.Field == "types" {
			t.Errorf("flagged: %+v", p)
		}
	}
}
