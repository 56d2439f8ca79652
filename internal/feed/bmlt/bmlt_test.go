package bmlt_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	bmltimport "github.com/meetingfinder/meetingfinder/importers/bmlt"
	"github.com/meetingfinder/meetingfinder/internal/feed/bmlt"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// TestFormatIDsUnique checks that every format of the catalogue has its
// own shared id and that ids do not depend on the language.
func TestFormatIDsUnique(t *testing.T) {
	seen := map[string]string{}
	es := bmlt.Catalog("es")
	for i, f := range bmlt.Catalog("en") {
		if other, dup := seen[f.ID]; dup {
			t.Errorf("formats %s and %s share id %s", other, f.KeyString, f.ID)
		}
		seen[f.ID] = f.KeyString
		if es[i].ID != f.ID || es[i].KeyString != f.KeyString {
			t.Errorf("format %s: id %s in English, %s in Spanish", f.KeyString, f.ID, es[i].ID)
		}
		if f.NameString == "" || f.WorldID == "" || f.TypeEnum == "" {
			t.Errorf("format %s is incomplete: %+v", f.KeyString, f)
		}
	}
}

// TestImporterReadsOurOutput encodes meetings as BMLT answers and reads
// them back with importers/bmlt: the types, schedule and venue survive.
func TestImporterReadsOurOutput(t *testing.T) {
	var ms []meeting.Meeting
	for i, info := range meeting.Types {
		if info.Legacy {
			continue
		}
		m := meeting.Meeting{ID: int64(i + 1), Source: "s", Name: "Meeting " + info.Code, Program: meeting.ProgramNA,
			Day: meeting.Weekday(i % 7), Start: meeting.NewClock(i%24, 30), End: meeting.NoClock, TimeZone: "America/Chicago",
			Types: []string{info.Code}, Attendance: meeting.AttendanceInPerson,
			Location: meeting.Location{Address: "1 Main St", City: "Springfield", Region: "IL", Point: orb.Point{-89.65, 39.78}, HasPoint: true}}
		switch i % 3 {
		case 1:
			m.Attendance, m.Online = meeting.AttendanceOnline, meeting.Online{URL: "https://zoom.us/j/1"}
			m.Location = meeting.Location{City: "Springfield", Region: "IL"}
		case 2:
			m.Attendance, m.Online = meeting.AttendanceHybrid, meeting.Online{URL: "https://zoom.us/j/2"}
		}
		ms = append(ms, m)
	}
	s, ok := bmlt.ParseSearch(url.Values{"get_used_formats": {""}})
	if !ok {
		t.Fatal("ParseSearch rejected a plain query")
	}
	res := s.Run(ms, bmlt.ServiceBodies([][]string{{"s"}}), "http://127.0.0.1/bmlt")
	body, _ := json.Marshal(map[string]any{"meetings": res.Meetings, "formats": res.Formats})
	got, problems, err := bmltimport.Parse(bytes.NewReader(body), bmltimport.Catalog{}, bmltimport.Options{ImportOptions: meeting.ImportOptions{Source: "back"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if p.Severity == meeting.Rejected {
			t.Errorf("rejected: %+v", p)
		}
	}
	byName := map[string]meeting.Meeting{}
	for _, m := range got {
		byName[m.Name] = m
	}
	for _, want := range ms {
		m, ok := byName[want.Name]
		if !ok {
			t.Errorf("%s was not imported", want.Name)
			continue
		}
		if !slices.Contains(m.Types, want.Types[0]) {
			t.Errorf("%s: types %v, want %s among them", want.Name, m.Types, want.Types[0])
		}
		if m.Day != want.Day || m.Start != want.Start || m.Attendance != want.Attendance || m.TimeZone != want.TimeZone {
			t.Errorf("%s: day %d start %s attendance %s zone %s; want %d %s %s %s", want.Name, m.Day, m.Start, m.Attendance, m.TimeZone,
				want.Day, want.Start, want.Attendance, want.TimeZone)
		}
		if d := cmp.Diff(want.Duration(), m.Duration()); d != "" && m.End.Valid() {
			t.Errorf("%s: duration (-want +got):\n%s", want.Name, d)
		}
	}
}
