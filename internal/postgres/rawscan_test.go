package postgres_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// TestLoadPublicReadsWhatPublicByIDReads checks the raw binary scan of
// LoadPublic against pgx's scan (PublicByID) on meetings with every kind
// of value: by appointment (no day), no end, no point, no zone, empty and
// several types and regions, NUL-free odd text, an organization. The
// meetings LoadPublic hands out share a reused buffer, so each is copied
// (through JSON) during the call.
func TestLoadPublicReadsWhatPublicByIDReads(t *testing.T) {
	db := pgtest.New(t)
	gen := demo.New(3)
	var in []meeting.Meeting
	for range 200 {
		in = append(in, gen.Next())
	}
	odd := []meeting.Meeting{
		{Name: "By appointment", ByAppointment: true, Start: meeting.NoClock, End: meeting.NoClock, Types: []string{}},
		{Name: "No end, no point, no zone", Day: 6, Start: meeting.NewClock(23, 59), End: meeting.NoClock, Types: []string{"O", "W", "LGBTQ"},
			Location: meeting.Location{City: "Nowhere", Regions: []string{"A", "B", "C"}}},
		{Name: "Ünïcode ✓ \"quoted\" \\ back", Day: 0, Start: meeting.NewClock(0, 0), End: meeting.NewClock(1, 30), TimeZone: "Asia/Kathmandu",
			Notes: "line\nbreak\ttab", Location: meeting.Location{Point: orb.Point{85.3240, 27.7172}, HasPoint: true, Approximate: true, Geocoded: true, Regions: []string{}},
			Online: meeting.Online{URL: "https://example.org/j/1", URLNotes: "pass 1", Phone: "+1 555 0100", PhoneNote: "*9"},
			Maintainer: meeting.Maintainer{FeedbackEmails: []string{"fix@example.org", "web@example.org"}, FeedbackURL: "mailto:fix@example.org",
				Entity: "Intergroup", EntityEmail: "office@example.org", EntityLocation: "Town", EntityLogo: "https://example.org/l.svg",
				EntityPhone: "+1 555 0101", EntityURL: "https://example.org"}},
	}
	for i := range odd {
		odd[i].Source, odd[i].ExternalID = "odd", string(rune('a'+i))
		odd[i].Program, odd[i].Attendance, odd[i].Status = meeting.ProgramAA, meeting.AttendanceInPerson, meeting.StatusPublished
	}
	in = append(in, odd...)
	ids := pgtest.Seed(t, db, in)
	want, err := db.PublicByID(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]meeting.Meeting{}
	if _, err := db.LoadPublic(context.Background(), func(m *meeting.Meeting) error {
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		var c meeting.Meeting
		if err := json.Unmarshal(b, &c); err != nil {
			return err
		}
		got[c.ID] = c
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(in) || len(got) != len(want) {
		t.Fatalf("PublicByID has %d meetings, LoadPublic %d, of %d seeded", len(want), len(got), len(in))
	}
	for _, w := range want {
		// Compared as JSON round trips, as got is.
		b, _ := json.Marshal(w)
		var wc meeting.Meeting
		_ = json.Unmarshal(b, &wc)
		if d := cmp.Diff(wc, got[w.ID], cmpopts.EquateEmpty()); d != "" {
			t.Errorf("meeting %d (%s): LoadPublic differs from PublicByID (-PublicByID +LoadPublic):\n%s", w.ID, w.Name, d)
		}
	}
}
