package meetingguide_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	mgimport "github.com/meetingfinder/meetingfinder/importers/meetingguide"
	"github.com/meetingfinder/meetingfinder/internal/feed/meetingguide"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// TestEncoderIsTheArrayEncoding checks that the streaming Encoder writes
// exactly what encoding/json writes for the whole array, for no, one and
// several meetings, HTML characters unescaped.
func TestEncoderIsTheArrayEncoding(t *testing.T) {
	ms := []meeting.Meeting{
		{ID: 1, Name: "Step & Tradition <Study>", Day: 1, Start: meeting.NewClock(19, 0), End: meeting.NoClock,
			Types: []string{"O", "ONL"}, UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		{ID: 2, Name: "By appointment", ByAppointment: true, Start: meeting.NoClock, End: meeting.NoClock},
		{ID: 3, Name: "Lunch", Day: 3, Start: meeting.NewClock(12, 0), End: meeting.NewClock(13, 0),
			Location: meeting.Location{HasPoint: true, Address: "1 Main St"}},
	}
	for n := 0; n <= len(ms); n++ {
		objs := make([]meetingguide.Meeting, n)
		for i := range n {
			objs[i] = meetingguide.New(&ms[i])
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(objs); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := meetingguide.Encode(&got, ms[:n]); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want.String(), got.String()); d != "" {
			t.Errorf("%d meetings (-json.Encoder +Encoder):\n%s", n, d)
		}
	}
}

// TestMaintainerRoundTrip: who maintains a listing goes out under the
// specification's names and comes back the same through our importer.
func TestMaintainerRoundTrip(t *testing.T) {
	x := meeting.Maintainer{FeedbackEmails: []string{"fix@example.org", "web@example.org"}, FeedbackURL: "https://example.org/fix?m=1&d=2",
		Entity: "Example Intergroup", EntityEmail: "office@example.org", EntityLocation: "Scranton, PA",
		EntityLogo: "https://example.org/logo.svg", EntityPhone: "+1-570-555-0100", EntityURL: "https://example.org"}
	ms := []meeting.Meeting{{ID: 1, Name: "Noon", Day: 1, Start: meeting.NewClock(12, 0), End: meeting.NoClock, Attendance: meeting.AttendanceInPerson,
		Location: meeting.Location{Address: "1 Main St", City: "Scranton", Region: "PA", PostalCode: "18503", Country: "US",
			Point: orb.Point{-75.66, 41.41}, HasPoint: true}, Maintainer: x},
		{ID: 2, Name: "Plain", Day: 2, Start: meeting.NewClock(12, 0), End: meeting.NoClock, Attendance: meeting.AttendanceInPerson,
			Location: meeting.Location{Address: "1 Main St", City: "Scranton", Region: "PA", PostalCode: "18503", Country: "US",
				Point: orb.Point{-75.66, 41.41}, HasPoint: true}}}
	var b bytes.Buffer
	if err := meetingguide.Encode(&b, ms); err != nil {
		t.Fatal(err)
	}
	var objs []map[string]any
	if err := json.Unmarshal(b.Bytes(), &objs); err != nil {
		t.Fatal(err)
	}
	if objs[0]["entity_url"] != x.EntityURL || objs[0]["feedback_url"] != x.FeedbackURL {
		t.Errorf("first object %v", objs[0])
	}
	for k := range objs[1] {
		if k == "entity" || len(k) > 7 && (k[:7] == "entity_" || k[:8] == "feedback") {
			t.Errorf("a meeting without a maintainer has %q", k)
		}
	}
	got, probs, err := mgimport.Parse(&b, mgimport.Options{ImportOptions: meeting.ImportOptions{Source: "back"}})
	if err != nil || len(got) != 2 {
		t.Fatalf("%d meetings back, %v, %+v", len(got), err, probs)
	}
	if d := cmp.Diff(x, got[0].Maintainer); d != "" {
		t.Errorf("maintainer back (-want +got):\n%s", d)
	}
	if !got[1].Maintainer.Empty() {
		t.Errorf("a maintainer came back for the plain meeting: %+v", got[1].Maintainer)
	}
}

// TestProgramTypesRoundTrip: types go out in the meeting's program's own
// vocabulary and come back the same through our importer; a type the
// program's readers would misread is left out.
func TestProgramTypesRoundTrip(t *testing.T) {
	at := meeting.Location{Address: "1 Main St", City: "Scranton", Region: "PA", PostalCode: "18503", Country: "US",
		Point: orb.Point{-75.66, 41.41}, HasPoint: true}
	ms := []meeting.Meeting{
		{ID: 1, Name: "ACA", Program: meeting.ProgramACA, Day: 1, Start: meeting.NewClock(19, 0), End: meeting.NoClock,
			Attendance: meeting.AttendanceInPerson, Location: at, Types: []string{"S", "SP", "TEXT", "W", "A"}}, // A (secular): ACA's A is 18+
		{ID: 2, Name: "Al-Anon", Program: meeting.ProgramAlAnon, Day: 1, Start: meeting.NewClock(19, 0), End: meeting.NoClock,
			Attendance: meeting.AttendanceInPerson, Location: at, Types: []string{"ALATEEN", "Y", "O"}},
		{ID: 3, Name: "NA", Program: meeting.ProgramNA, Day: 1, Start: meeting.NewClock(19, 0), End: meeting.NoClock,
			Attendance: meeting.AttendanceInPerson, Location: at, Types: []string{"BT", "SP", "ALATEEN"}}, // not an NA type
	}
	wantOut := [][]string{{"SP", "S", "T", "W"}, {"Y", "YA", "O"}, {"BT", "SP"}}
	for i := range ms {
		if got := meetingguide.New(&ms[i]).Types; cmp.Diff(wantOut[i], got) != "" {
			t.Errorf("%s written as %v, want %v", ms[i].Name, got, wantOut[i])
		}
	}
	var b bytes.Buffer
	if err := meetingguide.Encode(&b, ms); err != nil {
		t.Fatal(err)
	}
	back, _, err := mgimport.Parse(&b, mgimport.Options{ImportOptions: meeting.ImportOptions{Source: "back"}})
	if err != nil || len(back) != 3 {
		t.Fatalf("%d meetings back, %v", len(back), err)
	}
	wantBack := [][]string{{"S", "SP", "TEXT", "W"}, {"ALATEEN", "Y", "O"}, {"BT", "SP"}}
	for i, m := range back {
		if d := cmp.Diff(wantBack[i], m.Types); d != "" {
			t.Errorf("%s back (-want +got):\n%s", m.Name, d)
		}
	}
}
