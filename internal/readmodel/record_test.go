package readmodel

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// TestRecordRoundTrip: a record decodes to the meeting it was made of,
// every field included, with and without a maintainer; the maintainer
// costs nothing to a meeting without one.
func TestRecordRoundTrip(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 30, 0, 0, time.UTC)
	full := meeting.Meeting{ID: 42, Source: "s", ExternalID: "x", GroupKey: "g", Name: "Noon", Program: meeting.ProgramNA,
		Day: 3, Start: meeting.NewClock(12, 0), End: meeting.NewClock(13, 0), TimeZone: "America/New_York",
		Types: []string{"O", "D"}, Attendance: meeting.AttendanceHybrid,
		Location: meeting.Location{Name: "Hall", Address: "1 Main St", City: "Scranton", Region: "PA", PostalCode: "18503", Country: "US",
			FormattedAddress: "1 Main St, Scranton, PA 18503, USA", Regions: []string{"NEPA"}, Notes: "side door",
			Point: orb.Point{-75.66, 41.41}, HasPoint: true, Approximate: true, Geocoded: true},
		Online: meeting.Online{URL: "https://zoom.us/j/1", URLNotes: "pw", Phone: "+1 555 0100", PhoneNote: "#"},
		Notes:  "n", Group: "grp", URL: "https://example.org/m",
		Maintainer: meeting.Maintainer{FeedbackEmails: []string{"fix@example.org"}, FeedbackURL: "https://example.org/fix",
			Entity: "Intergroup", EntityEmail: "office@example.org", EntityLocation: "Scranton, PA", EntityLogo: "https://example.org/l.svg",
			EntityPhone: "+1-570-555-0100", EntityURL: "https://example.org"},
		Status: meeting.StatusPublished, OrgID: 7, CreatedAt: at, UpdatedAt: at.Add(time.Hour)}
	plain := full
	plain.Maintainer = meeting.Maintainer{}
	plain.Location.Geocoded = false
	for name, m := range map[string]meeting.Meeting{"with a maintainer": full, "without": plain} {
		var got meeting.Meeting
		got.Maintainer.Entity = "left over" // decoding into a reused meeting clears it
		decodeRecord(appendRecord(nil, &m), &got)
		if d := cmp.Diff(m, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
	withLen, withoutLen := len(appendRecord(nil, &full)), len(appendRecord(nil, &plain))
	if extra := withLen - withoutLen; extra != 1+len("fix@example.org")+1+len(full.Maintainer.FeedbackURL)+1+len("Intergroup")+1+len("office@example.org")+1+
		len("Scranton, PA")+1+len("https://example.org/l.svg")+1+len("+1-570-555-0100")+1+len("https://example.org")+1 {
		t.Errorf("the maintainer adds %d bytes", extra)
	}
}
