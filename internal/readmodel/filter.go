package readmodel

import (
	"slices"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// compiled is a meeting.Filter read against one snapshot's dictionaries:
// bit masks instead of lists, and each zone's clock at now.
type compiled struct {
	none       bool  // no meeting of the snapshot can match
	days       uint8 // bit d: weekday d allowed; 0 = any
	today      bool  // the meeting's day is today in its zone
	after      int   // start at or after, minutes; -1 = none
	before     int   // start before, minutes; -1 = none
	types      []uint64
	attendance uint16       // bit per meeting.Attendances index; 0 = any
	programs   uint32       // bit per meeting.Programs index (at most 32); 0 = any
	sources    []bool       // by source index; nil = any
	ids        map[int]bool // the snapshot indexes of Filter.IDs; nil = any
	upcoming   bool
	horizon    int64 // unix nanoseconds: occurrences must start by then
	clocks     *zoneClocks
	byZone     []*zoneClock // the snapshot's zones' clocks, filled on use
}

// compile reads f against s. now is the query's reference time, to the
// microsecond as PostgreSQL receives it; horizon the end of
// f.UpcomingHours.
func compile(s *snapshot, f *meeting.Filter, clocks *zoneClocks, horizon time.Time) *compiled {
	c := &compiled{after: -1, before: -1, clocks: clocks, byZone: make([]*zoneClock, len(s.zones))}
	for _, d := range f.Days {
		if d >= 0 && d <= 6 {
			c.days |= 1 << d
		}
	}
	if len(f.Days) > 0 && c.days == 0 {
		c.none = true
	}
	c.today = f.Today
	if f.StartAfter != nil {
		c.after = int(*f.StartAfter)
	}
	if f.StartBefore != nil {
		c.before = int(*f.StartBefore)
	}
	if len(f.Types) > 0 {
		c.types = make([]uint64, s.typeWords)
		for _, t := range f.Types {
			bit, ok := s.typeBit[t]
			if !ok {
				c.none = true
				break
			}
			c.types[bit/64] |= 1 << (bit % 64)
		}
	}
	for _, a := range f.Attendance {
		if i := slices.Index(meeting.Attendances, a); i >= 0 {
			c.attendance |= 1 << i
		}
	}
	if len(f.Attendance) > 0 && c.attendance == 0 {
		c.none = true
	}
	for _, p := range f.Programs {
		if i := slices.Index(meeting.Programs, p); i >= 0 {
			c.programs |= 1 << i
		}
	}
	if len(f.Programs) > 0 && c.programs == 0 {
		c.none = true
	}
	if len(f.Sources) > 0 {
		c.sources = make([]bool, len(s.sources))
		any := false
		for i, name := range s.sources {
			if slices.Contains(f.Sources, name) {
				c.sources[i], any = true, true
			}
		}
		c.none = c.none || !any
	}
	if len(f.IDs) > 0 {
		c.ids = map[int]bool{}
		for _, id := range f.IDs {
			if i := s.index(id); i >= 0 {
				c.ids[i] = true
			}
		}
		c.none = c.none || len(c.ids) == 0
	}
	if f.UpcomingHours > 0 {
		c.upcoming, c.horizon = true, horizon.UnixNano()
	}
	// today and upcoming hold only on some weekdays anywhere on Earth
	// (UTC-12 to UTC+14): narrow the day mask to them, so that the time
	// order skips every other day, as PostgreSQL's prefilter does.
	if f.Today {
		c.narrowDays(weekdaysBetween(clocks.now.Add(-12*time.Hour), clocks.now.Add(14*time.Hour)))
	}
	if f.UpcomingHours > 0 {
		c.narrowDays(weekdaysBetween(clocks.now.Add(-36*time.Hour), horizon.Add(14*time.Hour)))
	}
	return c
}

// narrowDays keeps only the weekdays of mask in c.days.
func (c *compiled) narrowDays(mask uint8) {
	if c.days == 0 {
		c.days = mask
	} else {
		c.days &= mask
	}
	if c.days == 0 {
		c.none = true
	}
}

// weekdaysBetween returns the mask of the UTC weekdays of every calendar
// day from a to b inclusive.
func weekdaysBetween(a, b time.Time) uint8 {
	var m uint8
	for t := a.UTC(); t.Before(b) && m != 0x7f; t = t.Add(24 * time.Hour) {
		m |= 1 << t.Weekday()
	}
	return m | 1<<b.UTC().Weekday()
}

// match reports whether meeting i of s passes c (everything but the point
// and the cursor). A constraint on the schedule leaves out meetings by
// appointment; one read in the meeting's zone (today, upcoming) also those
// without a zone.
func (c *compiled) match(s *snapshot, i int) bool {
	day := s.day[i]
	scheduled := day != 7
	if c.days != 0 && !(scheduled && c.days&(1<<day) != 0) {
		return false
	}
	if c.after >= 0 && !(scheduled && int(s.start[i]) >= c.after) {
		return false
	}
	if c.before >= 0 && !(scheduled && int(s.start[i]) < c.before) {
		return false
	}
	if c.attendance != 0 && c.attendance&(1<<s.attendance[i]) == 0 {
		return false
	}
	if c.programs != 0 && c.programs&(1<<s.program[i]) == 0 {
		return false
	}
	if c.sources != nil && !c.sources[s.source[i]] {
		return false
	}
	if c.ids != nil && !c.ids[i] {
		return false
	}
	if c.types != nil {
		w := s.types[i*s.typeWords : (i+1)*s.typeWords]
		for k, want := range c.types {
			if w[k]&want != want {
				return false
			}
		}
	}
	if c.today || c.upcoming {
		z := s.zone[i]
		if !scheduled || z == 0 || s.start[i] < 0 {
			return false
		}
		clock := c.clock(s, z)
		if c.today && int8(clock.weekday) != day {
			return false
		}
		if c.upcoming {
			occ := clock.occurrence(int(day), int(s.start[i]), int(s.dur[i]))
			if occ > c.horizon {
				return false
			}
		}
	}
	return true
}

// clock returns the clock of zone z of s.
func (c *compiled) clock(s *snapshot, z uint16) *zoneClock {
	if k := c.byZone[z]; k != nil {
		return k
	}
	k := c.clocks.get(s.zones[z])
	c.byZone[z] = k
	return k
}

// zoneClocks holds, for one query, each zone's clock at now, computed on
// first use.
type zoneClocks struct {
	now   time.Time
	nowNS int64
	by    map[string]*zoneClock
}

func newZoneClocks(now time.Time) *zoneClocks {
	return &zoneClocks{now: now, nowNS: now.UnixNano(), by: map[string]*zoneClock{}}
}

// get returns the clock of a zone.
func (zc *zoneClocks) get(info zoneInfo) *zoneClock {
	if c, ok := zc.by[info.name]; ok {
		return c
	}
	c := newZoneClock(zc.now, info.loc)
	zc.by[info.name] = c
	return c
}

// zoneClock is one zone's wall clock at the query's now. When the zone's
// offset stays the same from eight days before now to eight days after
// (fixed), a weekly occurrence is plain arithmetic on the local week;
// otherwise (a daylight-saving change is near) it is computed exactly, as
// meeting.Meeting.Occurrence does.
type zoneClock struct {
	loc     *time.Location
	now     time.Time
	nowNS   int64
	weekday int
	fixed   bool
	// weekStartNS is the instant of local midnight starting this local
	// week's Sunday, for a fixed offset.
	weekStartNS int64
}

// fixedWindow is how far from now a zone's offset must not change for the
// arithmetic of zoneClock to hold: a week back (the occurrence in
// progress) and a week ahead (the next one), plus a day.
const fixedWindow = 8 * 24 * time.Hour

func newZoneClock(now time.Time, loc *time.Location) *zoneClock {
	local := now.In(loc)
	c := &zoneClock{loc: loc, now: now, nowNS: now.UnixNano(), weekday: int(local.Weekday())}
	_, off := local.Zone()
	c.fixed = true
	for t := now.Add(-fixedWindow); !t.After(now.Add(fixedWindow)); t = t.Add(6 * time.Hour) {
		if _, o := t.In(loc).Zone(); o != off {
			c.fixed = false
			break
		}
	}
	if c.fixed {
		y, m, d := local.Date()
		midnight := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() - int64(off)
		c.weekStartNS = (midnight - int64(c.weekday)*86400) * int64(time.Second)
	}
	return c
}

// occurrence returns, in unix nanoseconds, the start of the occurrence of
// a meeting on day at start (minutes), lasting dur minutes, that is in
// progress at now, or else the next one: meeting.Meeting.Occurrence.
func (c *zoneClock) occurrence(day, start, dur int) int64 {
	if !c.fixed {
		m := meeting.Meeting{Day: meeting.Weekday(day), Start: meeting.Clock(start), TimeZone: c.loc.String()}
		m.End = meeting.Clock((start + dur) % (24 * 60))
		return m.OccurrenceIn(c.now, c.loc).UnixNano()
	}
	back := (c.weekday - day + 7) % 7
	startNS := c.weekStartNS + (int64(c.weekday-back)*86400+int64(start)*60)*int64(time.Second)
	if startNS <= c.nowNS && c.nowNS < startNS+int64(dur)*int64(time.Minute) {
		return startNS
	}
	if startNS > c.nowNS {
		return startNS
	}
	return startNS + 7*86400*int64(time.Second)
}
