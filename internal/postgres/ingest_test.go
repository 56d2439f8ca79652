package postgres

import (
	"bytes"
	"context"
	"testing"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// hashFixture is a meeting with every written field set.
func hashFixture() meeting.Meeting {
	return meeting.Meeting{Source: "s", ExternalID: "x", GroupKey: "g", Name: "N", Program: meeting.ProgramAA,
		Day: 2, Start: meeting.NewClock(19, 0), End: meeting.NewClock(20, 0), TimeZone: "America/Denver",
		Types: []string{"O", "D"}, Attendance: meeting.AttendanceHybrid,
		Location: meeting.Location{Name: "Hall", Address: "1 Main St", City: "Denver", Region: "CO", PostalCode: "80202",
			Country: "US", FormattedAddress: "1 Main St, Denver, CO 80202, USA", Regions: []string{"Metro"}, Notes: "side door",
			Point: orb.Point{-104.99, 39.74}, HasPoint: true},
		Online: meeting.Online{URL: "https://zoom.us/j/1", URLNotes: "pw 1", Phone: "+1 555 555 5555", PhoneNote: "#"},
		Notes:  "n", Group: "grp", URL: "https://example.org/m", Status: meeting.StatusPublished}
}

func TestContentHash(t *testing.T) {
	base := hashFixture()
	h := contentHash(rowValues(&base))
	again := hashFixture()
	if !bytes.Equal(h, contentHash(rowValues(&again))) {
		t.Fatal("equal meetings hash differently")
	}
	for name, change := range map[string]func(m *meeting.Meeting){
		"name":            func(m *meeting.Meeting) { m.Name = "M" },
		"day":             func(m *meeting.Meeting) { m.Day = 3 },
		"start":           func(m *meeting.Meeting) { m.Start++ },
		"end unknown":     func(m *meeting.Meeting) { m.End = meeting.NoClock },
		"by appointment":  func(m *meeting.Meeting) { m.ByAppointment = true },
		"zone":            func(m *meeting.Meeting) { m.TimeZone = "" },
		"types order":     func(m *meeting.Meeting) { m.Types = []string{"D", "O"} },
		"types split":     func(m *meeting.Meeting) { m.Types = []string{"OD"} },
		"point":           func(m *meeting.Meeting) { m.Location.Point[0] += 1e-6 },
		"no point":        func(m *meeting.Meeting) { m.Location.HasPoint = false },
		"approximate":     func(m *meeting.Meeting) { m.Location.Approximate = true },
		"regions":         func(m *meeting.Meeting) { m.Location.Regions = nil; m.Location.Notes = "Metro" + m.Location.Notes },
		"online notes":    func(m *meeting.Meeting) { m.Online.URLNotes = "" },
		"shifted strings": func(m *meeting.Meeting) { m.Notes, m.Group = "ngrp", "" },
		"geocoded":        func(m *meeting.Meeting) { m.Location.Geocoded = true },
		"feedback emails": func(m *meeting.Meeting) { m.Maintainer.FeedbackEmails = []string{"a@example.org"} },
		"entity":          func(m *meeting.Meeting) { m.Maintainer.Entity = "Intergroup" },
		"entity url":      func(m *meeting.Meeting) { m.Maintainer.EntityURL = "https://example.org" },
	} {
		m := hashFixture()
		change(&m)
		if bytes.Equal(h, contentHash(rowValues(&m))) {
			t.Errorf("%s: the hash did not change", name)
		}
	}
}

// TestContentHashOfLaterColumns checks that columns added after hashes
// were first stored leave the hash of a row that does not use them as it
// was (a migration does not make the next import rewrite every row), and
// that a value in one of them cannot pass for one in another.
func TestContentHashOfLaterColumns(t *testing.T) {
	if writeColumns[hashAlways-1] != "org_id" {
		t.Fatalf("hashAlways = %d no longer ends at org_id (%s)", hashAlways, writeColumns[hashAlways-1])
	}
	m := hashFixture()
	vals := rowValues(&m)
	if !bytes.Equal(contentHash(vals), contentHash(vals[:hashAlways])) {
		t.Error("later columns at their zero values changed the hash")
	}
	if len(vals) <= hashAlways+1 {
		return
	}
	a, b := append([]any{}, vals...), append([]any{}, vals...)
	a[hashAlways], b[hashAlways+1] = true, true
	if bytes.Equal(contentHash(a), contentHash(b)) {
		t.Error("the same value in two later columns hashes the same")
	}
}

func TestApplyRefusesAnotherSource(t *testing.T) {
	s := NewImportStore(&DB{}) // never reaches the database
	m := hashFixture()
	_, err := s.Apply(context.Background(), "other", []meeting.Meeting{m}, false)
	if !meeting.IsKind(err, meeting.KindInvalid) {
		t.Errorf("Apply with a meeting of another source: %v, want KindInvalid", err)
	}
}
