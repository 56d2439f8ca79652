package readmodel

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// TestZoneClockOccurrence checks the per-zone arithmetic of upcoming
// against meeting.Meeting.Occurrence, the definition PostgreSQL's
// meeting_occurrence agrees with, over random meetings and instants near
// and far from daylight-saving changes.
func TestZoneClockOccurrence(t *testing.T) {
	zones := []string{"America/New_York", "America/Los_Angeles", "Europe/London", "Pacific/Auckland",
		"Australia/Lord_Howe", "Asia/Kolkata", "Asia/Tokyo", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Sao_Paulo", "UTC",
		"Antarctica/Troll", "Africa/Casablanca", "Pacific/Chatham", "America/Santiago", "Europe/Dublin", "Asia/Kathmandu", "America/St_Johns"}
	instants := []time.Time{
		time.Date(2026, 3, 8, 6, 59, 0, 0, time.UTC), // just before New York springs forward
		time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), // New York's repeated hour
		time.Date(2026, 4, 5, 13, 30, 0, 0, time.UTC), // Auckland falls back
		time.Date(2026, 3, 29, 0, 59, 59, 0, time.UTC),
		time.Date(2026, 6, 17, 12, 0, 0, 0, time.UTC), // far from any change
		time.Date(2026, 1, 14, 23, 59, 30, 123456000, time.UTC),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 40 {
		instants = append(instants, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(365*24*time.Hour)))).Truncate(time.Microsecond))
	}
	// Around every change of offset of every zone: the days either side
	// are read by localDay, a change away or on the day itself.
	for _, name := range zones {
		loc, err := meeting.LoadZone(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range transitions(loc, 2026) {
			for _, d := range []time.Duration{-8 * 24 * time.Hour, -7 * 24 * time.Hour, -156 * time.Hour, -25 * time.Hour, -3 * time.Hour, -time.Hour,
				-30 * time.Minute, -time.Minute, 0, time.Minute, 30 * time.Minute, time.Hour, 3 * time.Hour, 25 * time.Hour, 6 * 24 * time.Hour, 7 * 24 * time.Hour} {
				instants = append(instants, tr.Add(d))
			}
		}
	}
	checked := 0
	for _, name := range zones {
		loc, err := meeting.LoadZone(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, now := range instants {
			c := newZoneClock(now, loc)
			for k := range 60 {
				m := meeting.Meeting{Day: meeting.Weekday(rng.IntN(7)), Start: meeting.Clock(rng.IntN(24 * 60)), End: meeting.NoClock, TimeZone: name}
				if k%2 == 0 { // the small hours of the local day the clock changes
					m.Day, m.Start = meeting.Weekday(now.In(loc).Weekday()+time.Weekday(rng.IntN(3))-1+7)%7, meeting.Clock(rng.IntN(5*60))
				}
				if rng.IntN(2) == 0 {
					m.End = meeting.Clock(rng.IntN(24 * 60))
				}
				want, ok := m.Occurrence(now)
				if !ok {
					t.Fatalf("no occurrence for %+v", m)
				}
				got := c.occurrence(int(m.Day), int(m.Start), int(m.Duration()/time.Minute))
				if got != want.UnixNano() {
					t.Errorf("%s at %s, day %d %s for %s (fixed %v): got %s, want %s", name, now, m.Day, m.Start, m.Duration(), c.fixed,
						time.Unix(0, got).In(loc), want)
				}
				checked++
			}
		}
	}
	t.Logf("%d occurrences checked", checked)
}

// TestBuilderSortsByID feeds meetings in shuffled order and checks that
// every column, the type bits and the records follow their meeting.
func TestBuilderSortsByID(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	codes := []string{"O", "C", "W", "M", "S", "X"}
	var ms []meeting.Meeting
	for i := range 500 {
		m := meeting.Meeting{ID: int64(i + 1), Name: "m" + strconv.Itoa(i+1), Day: meeting.Weekday(i % 7), Start: meeting.Clock(i % 1440),
			End: meeting.NoClock, Program: meeting.ProgramAA, Attendance: meeting.AttendanceOnline, Types: []string{codes[i%6], codes[(i/6)%6]}}
		ms = append(ms, m)
	}
	rng.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
	b := newBuilder(0, 0)
	for i := range ms {
		b.add(&ms[i])
	}
	s := b.finish()
	for i := range s.id {
		var m meeting.Meeting
		s.meeting(i, &m)
		want := int64(i + 1)
		if s.id[i] != want || m.ID != want || m.Name != "m"+strconv.Itoa(int(want)) || int(s.day[i]) != int(m.Day) || int(s.start[i]) != int(m.Start) {
			t.Fatalf("row %d: id %d, record %d %q day %d start %d", i, s.id[i], m.ID, m.Name, s.day[i], s.start[i])
		}
		for _, code := range m.Types {
			bit := s.typeBit[code]
			if s.types[i*s.typeWords+bit/64]&(1<<(bit%64)) == 0 {
				t.Fatalf("row %d lacks the bit of type %s", i, code)
			}
		}
	}
}

// transitions returns the instants in year at which loc's offset changes.
func transitions(loc *time.Location, year int) []time.Time {
	var out []time.Time
	t := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).In(loc)
	for range 100 {
		_, end := t.ZoneBounds()
		if end.IsZero() || end.Year() > year {
			break
		}
		_, o1 := t.Zone()
		if _, o2 := end.Zone(); o2 != o1 {
			out = append(out, end)
		}
		t = end
	}
	return out
}
