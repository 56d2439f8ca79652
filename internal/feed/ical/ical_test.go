package ical_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/feed/ical"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// calendarMeetings are two meetings in two zones and one by appointment.
func calendarMeetings() []meeting.Meeting {
	created := time.Date(2024, 5, 6, 7, 0, 0, 0, time.UTC)
	return []meeting.Meeting{
		{ID: 1, Name: "Evening", Day: 1, Start: meeting.NewClock(19, 0), End: meeting.NewClock(20, 0), TimeZone: "America/New_York", CreatedAt: created, UpdatedAt: created},
		{ID: 2, Name: "By appointment", ByAppointment: true, Start: meeting.NoClock, End: meeting.NoClock, TimeZone: "Asia/Tokyo"},
		{ID: 3, Name: "Morning", Day: 4, Start: meeting.NewClock(7, 0), End: meeting.NoClock, TimeZone: "Europe/London", CreatedAt: created, UpdatedAt: created},
	}
}

// TestEncoderZonesFirst checks that the VTIMEZONEs of the Zones pass come
// before the events, one per zone with a scheduled meeting, and that a
// meeting in a zone the pass did not see still gets its VTIMEZONE.
func TestEncoderZonesFirst(t *testing.T) {
	ms := calendarMeetings()
	opts := ical.Options{Host: "example.org", Now: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)}
	var b bytes.Buffer
	if err := ical.Encode(&b, ms, opts); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "BEGIN:VTIMEZONE"); n != 2 {
		t.Errorf("%d VTIMEZONEs, want 2 (New York, London; not Tokyo, by appointment only)", n)
	}
	if strings.LastIndex(out, "END:VTIMEZONE") > strings.Index(out, "BEGIN:VEVENT") {
		t.Errorf("a VTIMEZONE comes after the first VEVENT:\n%s", out)
	}

	// A pass that saw only New York: London comes just before its event.
	zones := ical.NewZones(opts.Now)
	zones.Add(&ms[0])
	var late bytes.Buffer
	enc, err := ical.NewEncoder(&late, zones, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ms {
		if err := enc.Encode(&ms[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	got := late.String()
	london := strings.Index(got, "TZID:Europe/London")
	if strings.Count(got, "BEGIN:VTIMEZONE") != 2 || london < 0 || london > strings.Index(got, "UID:meeting-3@") ||
		!strings.Contains(got, "DTSTART;TZID=Europe/London:") || !strings.HasSuffix(got, "END:VCALENDAR\r\n") {
		t.Errorf("a zone the pass missed has no VTIMEZONE before its event:\n%s", got)
	}
}
