package record

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want meeting.Clock
		ok   bool
	}{
		{"19:30", meeting.NewClock(19, 30), true},
		{"19:30:00", meeting.NewClock(19, 30), true},
		{"7:05", meeting.NewClock(7, 5), true},
		{"00:00", 0, true},
		{"24:00", 0, true},
		{"8:00 PM", meeting.NewClock(20, 0), true},
		{"8:00 pm", meeting.NewClock(20, 0), true},
		{"8 pm", meeting.NewClock(20, 0), true},
		{"8pm", meeting.NewClock(20, 0), true},
		{"12:00 AM", 0, true},
		{"12:30 PM", meeting.NewClock(12, 30), true},
		{"05:30P", meeting.NewClock(17, 30), true},
		{"07:00A", meeting.NewClock(7, 0), true},
		{"7:30 p.m.", meeting.NewClock(19, 30), true},
		{"Noon", meeting.NewClock(12, 0), true},
		{"midnight", 0, true},
		{"25:00", meeting.NoClock, false},
		{"13:00 PM", meeting.NoClock, false},
		{"0:30 AM", meeting.NoClock, false},
		{"7:5 PM", meeting.NoClock, false},
		{"19h30", meeting.NoClock, false},
		{"", meeting.NoClock, false},
		{"-1:00", meeting.NoClock, false},
		{"later", meeting.NoClock, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTime(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseTime(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil && !meeting.IsKind(err, meeting.KindInvalid) {
				t.Errorf("error kind = %s, want invalid", meeting.ErrorKind(err))
			}
			if got != tt.want {
				t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeTypes(t *testing.T) {
	tests := []struct {
		name        string
		in          []string
		want, unkno []string
	}{
		{"array", []string{"O", "D"}, []string{"O", "D"}, nil},
		{"bracketed", []string{"[open]"}, []string{"O"}, nil},
		{"comma list with spaces", []string{"C , W,  B"}, []string{"C", "W", "B"}, nil},
		{"space list of codes", []string{"O D X"}, []string{"O", "D", "X"}, nil},
		{"names", []string{"Big Book, Wheelchair Access, Step Meeting"}, []string{"B", "X", "ST"}, nil},
		{"drops ONL and duplicates", []string{"onl", "O", "o", "ONL"}, []string{"O"}, nil},
		{"unknown kept", []string{"O", "ASBI", "Birthday Party"}, []string{"O", "ASBI", "Birthday Party"}, []string{"ASBI", "Birthday Party"}},
		{"number", []string{"11"}, []string{"11"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, unknown := normalizeTypes(meeting.ProgramAA, tt.in, nil)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("codes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.unkno, unknown); diff != "" {
				t.Errorf("unknown (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"br", "a<br>b<br />c", "a\nb\nc"},
		{"tags", "<p>Use the <b>side</b> door</p>", "Use the side door"},
		{"entities", "St. Mark&#8217;s &amp; Co", "St. Mark\u2019s & Co"},
		{"escaped tag stays text", "&lt;b&gt;", "<b>"},
		{"not a tag", "I <3 meetings", "I <3 meetings"},
		{"spaces", "  a \t  b  \r\n\n\n\n c ", "a b\n\nc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanText(tt.in); got != tt.want {
				t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// sharedData returns the folder of real sample files, skipping the test
// when it is absent (see internal/sharedtest).

// TestOnlineIsNeverADoor: an online meeting's address and point, even a
// full street address the feed calls exact, are marked approximate, so
// no reader offers a walking distance or directions to them; a hybrid
// meeting keeps its door.
func TestOnlineIsNeverADoor(t *testing.T) {
	c := NewConverter(meeting.ImportOptions{Source: "s"})
	rec := func(slug, attendance string) Record {
		return Record{Slug: slug, Name: "Night Owls", Days: []string{"1"}, Time: "20:00", Attendance: attendance,
			Address: "1 Example St", City: "Sampletown", State: "PA", PostalCode: "19000", Country: "US",
			Latitude: "40.1", Longitude: "-75.2", Approximate: "no", ConferenceURL: "https://zoom.us/j/1"}
	}
	for _, tc := range []struct {
		attendance string
		approx     bool
	}{{"online", true}, {"hybrid", false}, {"in_person", false}} {
		ms, _ := c.Convert(rec(tc.attendance, tc.attendance), 1, "")
		if len(ms) != 1 {
			t.Fatalf("%s: %d meetings", tc.attendance, len(ms))
		}
		if ms[0].Location.Approximate != tc.approx || !ms[0].Location.HasPoint {
			t.Errorf("%s: approximate %v (point %v), want %v", tc.attendance, ms[0].Location.Approximate, ms[0].Location.HasPoint, tc.approx)
		}
		if got := ms[0].HasDoor(); got != !tc.approx {
			t.Errorf("%s: HasDoor %v", tc.attendance, got)
		}
	}
}

// TestTownIsNotADoor: TSML sites list online meetings at a town
// ("San Jose, CA, USA") geocoded to its centre; with a join link, or a
// location named "Online Meeting", such a meeting is online at an
// approximate point, not hybrid with a door at the town hall. A street
// address, or a town without any sign of being online, keeps its door.
func TestTownIsNotADoor(t *testing.T) {
	c := NewConverter(meeting.ImportOptions{Source: "s"})
	for i, tc := range []struct {
		location, address, link string
		want                    meeting.Attendance
		approx                  bool
	}{
		{"Online Meeting", "San Jose, CA, USA", "https://zoom.us/j/1", meeting.AttendanceOnline, true},
		{"Virtual Only", "Philadelphia, PA, USA", "", meeting.AttendanceInactive, true},
		{"Zoom", "Milpitas, CA 95035, USA", "https://zoom.us/j/1", meeting.AttendanceOnline, true},
		{"East Falls Church", "3800 Vaux St, Philadelphia, PA 19129", "https://zoom.us/j/1", meeting.AttendanceHybrid, false},
		{"St Mark's Church", "St Mark's Church, Denver, CO", "", meeting.AttendanceInPerson, false},
	} {
		ms, _ := c.Convert(Record{Slug: fmt.Sprint(i), Name: "M", Days: []string{"1"}, Time: "19:00", Location: tc.location,
			FormattedAddress: tc.address, Latitude: "37.3", Longitude: "-121.9", ConferenceURL: tc.link}, i+1, "")
		if len(ms) != 1 {
			t.Fatalf("%s: %d meetings", tc.location, len(ms))
		}
		if m := ms[0]; m.Attendance != tc.want || m.Location.Approximate != tc.approx || !m.Location.HasPoint {
			t.Errorf("%s at %q: %s, approximate %v; want %s, %v", tc.location, tc.address, m.Attendance, m.Location.Approximate, tc.want, tc.approx)
		}
	}
}

// TestPhoneOnlyMeetings: a phone-only meeting with a local or national
// number, or one with an extension, is online (flagged when the number is
// short), not inactive; an extension alone is no way to join.
func TestPhoneOnlyMeetings(t *testing.T) {
	c := NewConverter(meeting.ImportOptions{Source: "s"})
	for i, tc := range []struct {
		phone string
		want  meeting.Attendance
		flag  bool
	}{
		{"+1 212 555 0100", meeting.AttendanceOnline, false},
		{"(212) 555-0100 ext. 12", meeting.AttendanceOnline, false},
		{"212-555-0100 x12", meeting.AttendanceOnline, false},
		{"+16699009128,,530851127#", meeting.AttendanceOnline, false},
		{"555-0100", meeting.AttendanceOnline, true},    // local, 7 digits
		{"01 555 0100", meeting.AttendanceOnline, true}, // national, 9 digits
		{"ext. 12", meeting.AttendanceInactive, true},
		{"311", meeting.AttendanceInactive, true},
	} {
		ms, ps := c.Convert(Record{Slug: fmt.Sprint("p", i), Name: "Phone Group", Days: []string{"2"}, Time: "07:00", ConferencePhone: tc.phone}, i+1, "")
		if len(ms) != 1 {
			t.Fatalf("%q: %d meetings %+v", tc.phone, len(ms), ps)
		}
		flagged := false
		for _, p := range ps {
			if p.Field == "online.phone" {
				flagged = true
				if strings.Contains(p.Reason, tc.phone) {
					t.Errorf("%q: the reason quotes the number: %s", tc.phone, p.Reason)
				}
			}
		}
		if ms[0].Attendance != tc.want || flagged != tc.flag {
			t.Errorf("%q: %s (flagged %v), want %s (flagged %v)", tc.phone, ms[0].Attendance, flagged, tc.want, tc.flag)
		}
	}
}
