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
	offset  int // seconds east of UTC at now
	fixed   bool
	// weekStartNS is the instant of local midnight starting this local
	// week's Sunday, for a fixed offset.
	weekStartNS int64
	// For a zone that is not fixed: todayWall is the local midnight that
	// starts today, in minutes since the Unix epoch read as UTC, and
	// days[k+6] how the wall clock of the day k days from today (k from -6
	// to 7) maps to instants, read on first use.
	todayWall int64
	days      *[14]localDay
}

// localDay is how one day of a zone's wall clock maps to instants: with
// no change of offset near it (changes 0), with one change at the instant
// at from offset off to offset next (changes 1), or otherwise (changes 2:
// read by meeting.LocalInstant itself).
type localDay struct {
	changes   uint8
	off, next int32 // seconds east of UTC
	at        int64 // unix seconds
}

// minutesPerDay is the number of minutes in a day.
const minutesPerDay = 24 * 60

// dayReach is how far, in seconds, around a day's wall clock (its
// midnights read as UTC) a change of offset counts as near the day: the
// largest offset of a zone (15 hours: the wall clock read as UTC, time.Date's
// first guess, is that far from the instant), plus the three hours
// meeting.LocalInstant looks back, with room to spare.
const dayReach = 30 * 3600

// maxOffset bounds the offsets the plain arithmetic trusts, and maxChange
// the size of a change of offset (LocalInstant's look-back of three hours
// must reach across it).
const (
	maxOffset = 15 * 3600
	maxChange = 3 * 3600
)

// newLocalDay reads the day of loc whose midnight, on the wall clock read
// as UTC, is the unix second day.
func newLocalDay(loc *time.Location, day int64) localDay {
	t := time.Unix(day-dayReach, 0).In(loc)
	_, off := t.Zone()
	d := localDay{off: int32(off)}
	for {
		_, end := t.ZoneBounds()
		if end.IsZero() || end.Unix() > day+86400+dayReach {
			break
		}
		t = end
		_, next := t.Zone()
		if d.changes++; d.changes > 1 {
			return localDay{changes: 2}
		}
		d.at, d.next = end.Unix(), int32(next)
	}
	if abs(d.off) > maxOffset || abs(d.next) > maxOffset || d.changes == 1 && abs(d.next-d.off) > maxChange {
		return localDay{changes: 2}
	}
	return d
}

func abs(x int32) int32 { return max(x, -x) }

// instant returns, in unix seconds, when the zone's wall clock reads wall
// (seconds since the Unix epoch read as UTC) on day d, as
// meeting.LocalInstant resolves it: the one instant whose offset reads
// wall, else (the hour repeated as the offset falls) the first of the two,
// else (the hour skipped as it rises) wall read with the offset before the
// change. ok is false for a day of more changes, left to LocalInstant.
func (d *localDay) instant(wall int64) (_ int64, ok bool) {
	switch d.changes {
	case 0:
		return wall - int64(d.off), true
	case 1:
		before, after := wall-int64(d.off), wall-int64(d.next)
		okBefore, okAfter := before < d.at, after >= d.at
		switch {
		case okBefore && okAfter:
			return min(before, after), true
		case okAfter:
			return after, true
		default: // okBefore, or in the gap
			return before, true
		}
	}
	return 0, false
}

// fixedWindow is how far from now a zone's offset must not change for the
// arithmetic of zoneClock to hold: a week back (the occurrence in
// progress) and a week ahead (the next one), plus a day.
const fixedWindow = 8 * 24 * time.Hour

func newZoneClock(now time.Time, loc *time.Location) *zoneClock {
	local := now.In(loc)
	_, off := local.Zone()
	c := &zoneClock{loc: loc, now: now, nowNS: now.UnixNano(), weekday: int(local.Weekday()), offset: off}
	// The zone in force at now (an offset and a name) lasts from start to
	// end; a zero bound is the beginning or the end of time.
	start, end := local.ZoneBounds()
	c.fixed = (start.IsZero() || !start.After(now.Add(-fixedWindow))) && (end.IsZero() || end.After(now.Add(fixedWindow)))
	y, m, d := local.Date()
	todayWall := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 60
	if c.fixed {
		midnight := todayWall*60 - int64(off)
		c.weekStartNS = (midnight - int64(c.weekday)*86400) * int64(time.Second)
		return c
	}
	c.todayWall = todayWall
	return c
}

// occurrence returns, in unix nanoseconds, the start of the occurrence of
// a meeting on day at start (minutes), lasting dur minutes, that is in
// progress at now, or else the next one: meeting.Meeting.OccurrenceIn, step
// by step.
func (c *zoneClock) occurrence(day, start, dur int) int64 {
	back := (c.weekday - day + 7) % 7
	startNS := c.localStart(-back, start)
	if startNS <= c.nowNS && c.nowNS < startNS+int64(dur)*int64(time.Minute) {
		return startNS
	}
	if startNS > c.nowNS {
		return startNS
	}
	return c.localStart(7-back, start)
}

// localStart returns, in unix nanoseconds, the instant at which the zone's
// wall clock reads start (minutes) on the day k days from today (k from -6
// to 7), as meeting.LocalInstant resolves it: plain arithmetic for a
// fixed zone, by localDay.instant on a day with at most one change of
// offset, else LocalInstant itself.
func (c *zoneClock) localStart(k, start int) int64 {
	if c.fixed {
		return c.weekStartNS + (int64(c.weekday+k)*86400+int64(start)*60)*int64(time.Second)
	}
	if c.days == nil {
		c.days = new([14]localDay)
		for j := -6; j <= 7; j++ {
			c.days[j+6] = newLocalDay(c.loc, (c.todayWall+int64(j)*minutesPerDay)*60)
		}
	}
	wall := (c.todayWall + int64(k)*minutesPerDay + int64(start)) * 60
	if u, ok := c.days[k+6].instant(wall); ok {
		return u * int64(time.Second)
	}
	y, mo, d := time.Unix((c.todayWall+int64(k)*minutesPerDay)*60, 0).UTC().Date()
	return meeting.LocalInstant(y, mo, d, start/60, start%60, c.loc).UnixNano()
}
