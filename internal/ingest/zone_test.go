package ingest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// zoneAt is a ZoneFinder that knows one zone everywhere.
type zoneAt string

func (z zoneAt) Zone(lng, lat float64) string { return string(z) }

func TestZoneMentions(t *testing.T) {
	type m = zoneMention
	c := meeting.NewClock
	none := meeting.NoClock
	for _, tc := range []struct {
		text string
		want []zoneMention
	}{
		{"Chatroom – 8pm Eastern", []m{{"America/New_York", "8pm Eastern", c(20, 0)}}},
		{"London Daily Readings – 2am Eastern", []m{{"America/New_York", "2am Eastern", c(2, 0)}}},
		{"Meets at 7:30 PM (ET)", []m{{"America/New_York", "7:30 PM (ET", c(19, 30)}}},
		{"Big Book study, EST/EDT", []m{{"America/New_York", "EST/EDT", none}}},
		{"Sunrise group 6am EST", []m{{"America/New_York", "6am EST", c(6, 0)}}},
		{"Eastern Standard Time", []m{{"America/New_York", "Eastern Standard Time", none}}},
		{"All times are Eastern", []m{{"America/New_York", "Eastern", none}}},
		{"Noon PT daily", []m{{"America/Los_Angeles", "Noon PT", c(12, 0)}}},
		{"7:00 pm Central", []m{{"America/Chicago", "7:00 pm Central", c(19, 0)}}},
		{"7pm CST", []m{{"America/Chicago", "7pm CST", c(19, 0)}}},
		{"Mountain Time", []m{{"America/Denver", "Mountain Time", none}}},
		{"Pacific", nil},
		// Central European Time is not US Central, Australian Eastern not US Eastern.
		{"8pm Central European Time", []m{{"Europe/Berlin", "8pm Central European Time", c(20, 0)}}},
		{"20:00 CET", []m{{"Europe/Berlin", "20:00 CET", c(20, 0)}}},
		{"8pm Central Europe", []m{{"Europe/Berlin", "8pm Central Europe", c(20, 0)}}},
		{"Australian Eastern Standard Time", []m{{"Australia/Sydney", "Australian Eastern Standard Time", none}}},
		{"Eastern European Time", []m{{"Europe/Athens", "Eastern European Time", none}}},
		{"UK time", []m{{"Europe/London", "UK time", none}}},
		{"7pm GMT", []m{{"Europe/London", "7pm GMT", c(19, 0)}}},
		{"South Africa Time", []m{{"Africa/Johannesburg", "South Africa Time", none}}},
		{"18:00 SAST", []m{{"Africa/Johannesburg", "18:00 SAST", c(18, 0)}}},
		{"UTC+2", []m{{"Etc/GMT-2", "UTC+2", none}}},
		{"GMT -5", []m{{"Etc/GMT+5", "GMT -5", none}}},
		{"7pm ET / 4pm PT", []m{{"America/New_York", "7pm ET", c(19, 0)}, {"America/Los_Angeles", "4pm PT", c(16, 0)}}},
		{"7pm-8pm Eastern", []m{{"America/New_York", "7pm-8pm Eastern", c(19, 0)}}},
		// Not zones.
		{"Central Office", nil},
		{"Eastern Avenue Group", nil},
		{"Meets in New Haven, CT", nil},
		{"Men's Stag EST. 1985", nil},
		{"MT. ZION CHURCH", nil},
		{"Pacific Beach", nil},
		{"the New York Times", nil},
		{"Meeting ID: 264 843 2097 Password: PST", nil},
		{"https://zoom.us/j/123?pwd=EST", nil},
		{"Join at 7pm: example.org/PT", nil},
		{"Central Time Zone group, 8pm", []m{{"America/Chicago", "Central Time", none}}},
	} {
		got := zoneMentions(tc.text)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.text, diff)
		}
	}
}

func TestTextZone(t *testing.T) {
	c := meeting.NewClock
	for _, tc := range []struct {
		name, notes string
		start       meeting.Clock
		want        string
		note        bool
	}{
		{"Chatroom – 8pm Eastern", "", c(20, 0), "America/New_York", false},
		{"Chatroom – 8pm Eastern", "", c(17, 0), "", true}, // the Eastern clock of a meeting on another one
		{"Online group", "7pm ET / 4pm PT", c(16, 0), "America/Los_Angeles", false},
		{"Online group", "7pm ET / 4pm PT", c(19, 0), "America/New_York", false},
		{"Online group", "7pm ET / 4pm PT", c(18, 0), "", true},
		{"Online group", "Eastern Time; 8pm EST", c(20, 0), "America/New_York", false},
		{"Daily reflections", "", c(7, 0), "", false},
	} {
		m := meeting.Meeting{Name: tc.name, Notes: tc.notes, Start: tc.start}
		z, _, note := textZone(&m)
		if z != tc.want || (note != "") != tc.note {
			t.Errorf("%q / %q at %s: zone %q note %q, want %q (note %v)", tc.name, tc.notes, tc.start, z, note, tc.want, tc.note)
		}
	}
}

func TestDecideZone(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) // summer: EST still means Eastern
	london := orb.Point{-0.1276, 51.5072}
	online := func(name string, approx bool) meeting.Meeting {
		return meeting.Meeting{ExternalID: "x", Name: name, Start: meeting.NewClock(20, 0), Attendance: meeting.AttendanceOnline,
			Location: meeting.Location{Point: london, HasPoint: true, Approximate: approx}}
	}
	inPerson := func(name, zone string) meeting.Meeting {
		return meeting.Meeting{ExternalID: "x", Name: name, Start: meeting.NewClock(20, 0), TimeZone: zone, Attendance: meeting.AttendanceInPerson,
			Location: meeting.Location{Point: london, HasPoint: true}}
	}
	for _, tc := range []struct {
		name     string
		m        meeting.Meeting
		src      meeting.Source
		finder   ZoneFinder
		want     string
		rule     ZoneRule
		flag     string // a word the flag must hold; "" = no flag
		noFlag   bool
		flagWant bool
	}{
		{name: "online at a London centroid, 8pm Eastern in the name", m: online("London Daily – 8pm Eastern", true),
			finder: zoneAt("Europe/London"), want: "America/New_York", rule: ZoneFromText},
		{name: "online with EST in summer", m: online("Sunset EST", true), finder: zoneAt("Europe/London"),
			want: "America/New_York", rule: ZoneFromText},
		{name: "online, no text: the online default", m: online("Daily", true), finder: zoneAt("Europe/London"),
			src: meeting.Source{TimeZone: "America/Chicago", OnlineTimeZone: "America/New_York"}, want: "America/New_York", rule: ZoneFromSource},
		{name: "online, no online default: the source default", m: online("Daily", true), finder: zoneAt("Europe/London"),
			src: meeting.Source{TimeZone: "America/Chicago"}, want: "America/Chicago", rule: ZoneFromSource},
		{name: "online, nothing: no zone, flagged", m: online("Daily", true), finder: zoneAt("Europe/London"),
			want: "", rule: ZoneNone, flag: "online"},
		{name: "online with a point not marked approximate: still not its clock", m: online("Daily", false), finder: zoneAt("Europe/London"),
			want: "", rule: ZoneNone, flag: "online"},
		{name: "in person: the source default before the point, flagged when they differ", m: inPerson("Daily", ""), finder: zoneAt("Europe/London"),
			src: meeting.Source{TimeZone: "America/Chicago"}, want: "America/Chicago", rule: ZoneFromSource, flag: "Europe/London (at its point)"},
		{name: "in person: the point", m: inPerson("Daily", ""), finder: zoneAt("Europe/London"), want: "Europe/London", rule: ZoneFromPoint},
		{name: "in person: the online default is not its", m: inPerson("Daily", ""), finder: zoneAt("Europe/London"),
			src: meeting.Source{OnlineTimeZone: "America/New_York"}, want: "Europe/London", rule: ZoneFromPoint},
		{name: "record first; the text disagreeing is flagged", m: inPerson("8pm Eastern", "America/Los_Angeles"), finder: zoneAt("America/Los_Angeles"),
			want: "America/Los_Angeles", rule: ZoneFromRecord, flag: "8pm Eastern"},
		{name: "record and point on the same clock: no flag", m: inPerson("Daily", "America/Toronto"), finder: zoneAt("America/New_York"),
			want: "America/Toronto", rule: ZoneFromRecord},
		{name: "record and point a clock apart in summer", m: inPerson("Daily", "America/Phoenix"), finder: zoneAt("America/Denver"),
			want: "America/Phoenix", rule: ZoneFromRecord, flag: "America/Denver"},
		{name: "the source default disagreeing with the record is not flagged", m: inPerson("Daily", "America/Denver"), finder: zoneAt("America/Denver"),
			src: meeting.Source{TimeZone: "America/New_York"}, want: "America/Denver", rule: ZoneFromRecord},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			d := newZoneDecider(tc.src, tc.finder, now)
			rule, probs := d.decide(&m)
			if m.TimeZone != tc.want || rule != tc.rule {
				t.Errorf("zone %q by %s, want %q by %s", m.TimeZone, rule, tc.want, tc.rule)
			}
			switch {
			case tc.flag == "" && len(probs) > 0:
				t.Errorf("flagged: %+v", probs)
			case tc.flag != "" && (len(probs) != 1 || !strings.Contains(probs[0].Reason, tc.flag)):
				t.Errorf("problems %+v, want one flag with %q", probs, tc.flag)
			}
			for _, p := range probs {
				if p.Severity != meeting.Flagged || p.Field != "timezone" || p.ExternalID != "x" {
					t.Errorf("problem %+v", p)
				}
			}
		})
	}
}
