package readmodel

import (
	"math"
	"slices"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// The zone order answers Filter.Today and Filter.UpcomingHours without a
// point. Both are read on each meeting's own wall clock, so the global
// time order (day, start, id) holds the meetings they keep scattered over
// two or three weekdays. Grouped by zone (and, within a zone, by how long
// the meetings last) instead, the meetings a group can contribute at now
// lie in one or two ranges of its (day, start) order: the zone's local
// today, or its local wall clock from now (less the group's longest
// meeting, which may still be in progress) to the horizon. A query finds
// those ranges in every group by binary search and merges them back into
// the global order; compiled.match still decides every candidate, so the
// ranges only have to hold every meeting that can match, never exactly
// those.

// weekMinutes is the number of minutes in a week: a week key, day*1440 +
// start, runs from 0 (Sunday 00:00) to weekMinutes-1.
const weekMinutes = 7 * minutesPerDay

// durationClasses split each zone's meetings by how long they last: class
// k holds those lasting at most durationClasses[k] minutes (and more than
// the class before). The in-progress part of an upcoming window looks back
// as far as its class's longest meeting, so the many hour-long meetings
// are not read again for the few that last longer, nor everything for a
// 24-hour "marathon" or an end typed as the start.
var durationClasses = [...]int{60, 90, 120, 24 * 60}

// zoneRun is one zone's meetings of one duration class in the zone order:
// byZone[from:to], in the order (day, start, id), none lasting more than
// maxDur minutes; day d's meetings are byZone[from+day[d]:from+day[d+1]].
type zoneRun struct {
	zone     uint16
	from, to uint32
	maxDur   int
	day      [8]uint32
}

// buildZoneOrder returns the meetings that have a day, a start and a zone
// grouped by (zone, duration class) and, within a group, in the order of
// s.byTime (a stable counting partition of it), with the groups.
func buildZoneOrder(s *snapshot) ([]uint32, []zoneRun) {
	const classes = len(durationClasses)
	group := func(i uint32) int {
		if s.zone[i] == 0 || s.day[i] == 7 || s.start[i] < 0 {
			return -1
		}
		k := 0
		for k < classes-1 && int(s.dur[i]) > durationClasses[k] {
			k++
		}
		return classes*int(s.zone[i]) + k
	}
	next := make([]int, classes*len(s.zones)+1)
	maxDur := make([]int, classes*len(s.zones))
	for _, i := range s.byTime {
		if g := group(i); g >= 0 {
			next[g+1]++
			maxDur[g] = max(maxDur[g], int(s.dur[i]))
		}
	}
	for g := 1; g < len(next); g++ {
		next[g] += next[g-1]
	}
	var runs []zoneRun
	for g := range maxDur {
		if next[g+1] > next[g] {
			runs = append(runs, zoneRun{zone: uint16(g / classes), from: uint32(next[g]), to: uint32(next[g+1]), maxDur: maxDur[g]})
		}
	}
	order := make([]uint32, next[len(next)-1])
	for _, i := range s.byTime {
		if g := group(i); g >= 0 {
			order[next[g]] = i
			next[g]++
		}
	}
	for k := range runs {
		r := &runs[k]
		run := order[r.from:r.to]
		d := 0
		for j, i := range run {
			for d <= int(s.day[i]) {
				r.day[d] = uint32(j)
				d++
			}
		}
		for ; d < len(r.day); d++ {
			r.day[d] = uint32(len(run))
		}
	}
	return order, runs
}

// weekKey returns meeting i's place in the week of its wall clock,
// day*1440 + start; i must have a day and a start.
func (s *snapshot) weekKey(i uint32) int {
	return int(s.day[i])*minutesPerDay + int(s.start[i])
}

// span is an inclusive range of week keys.
type span struct{ lo, hi int }

// zoneSpans appends to buf, in order, the spans of week keys in which a
// meeting of the zone whose clock is k, lasting at most maxDur minutes, can
// pass c's days, start times, today and upcoming, and returns buf. c has
// today or upcoming.
func (c *compiled) zoneSpans(k *zoneClock, maxDur int, buf []span) []span {
	var win [2]span
	wins := win[:0]
	if c.upcoming {
		lo, hi := c.upcomingWall(k, maxDur)
		wins = wallSpans(lo, hi, wins)
	} else {
		wins = append(wins, span{0, weekMinutes - 1})
	}
	if c.today {
		day := span{k.weekday * minutesPerDay, k.weekday*minutesPerDay + minutesPerDay - 1}
		n := 0
		for _, w := range wins {
			if w = (span{max(w.lo, day.lo), min(w.hi, day.hi)}); w.lo <= w.hi {
				wins[n] = w
				n++
			}
		}
		wins = wins[:n]
	}
	// Cut each window to the allowed days and start times, joining what
	// stays contiguous.
	from, to := 0, minutesPerDay-1
	if c.after >= 0 {
		from = c.after
	}
	if c.before >= 0 {
		to = min(to, c.before-1)
	}
	for _, w := range wins {
		for d := w.lo / minutesPerDay; d <= w.hi/minutesPerDay; d++ {
			if c.days != 0 && c.days&(1<<d) == 0 {
				continue
			}
			sp := span{max(w.lo, d*minutesPerDay+from), min(w.hi, d*minutesPerDay+to)}
			if sp.lo > sp.hi {
				continue
			}
			if n := len(buf); n > 0 && buf[n-1].hi+1 >= sp.lo {
				buf[n-1].hi = max(buf[n-1].hi, sp.hi)
				continue
			}
			buf = append(buf, sp)
		}
	}
	return buf
}

// upcomingWall returns the local wall-clock minutes (since the Unix epoch,
// read as UTC) between which the wall clock of every occurrence that
// upcoming keeps, of a meeting of zone clock k lasting at most maxDur
// minutes, reads. Such an occurrence is in progress at now, so it started
// after now - maxDur, or it starts after now and by the horizon. Its wall
// clock is the instant plus an offset the zone has at it or shortly
// before (offsetRange), so the window runs from that start plus the
// smallest such offset to the horizon plus the largest, in whole minutes.
// Near a change of offset the window is thus wider by the
// change; no other margin is needed, and TestZoneSpansHoldEveryMatch
// checks it minute by minute.
func (c *compiled) upcomingWall(k *zoneClock, maxDur int) (lo, hi int64) {
	const minute = int64(time.Minute)
	from := c.clocks.nowNS - int64(maxDur)*minute
	minOff, maxOff := k.offsetRange(from, c.horizon)
	// Wall clocks are whole minutes after an instant later than from, so
	// the first is the minute after from's; a sum of floors is at most
	// the floor of the sum, and so on the safe side.
	lo = floorDiv(from, minute) + floorDiv(int64(minOff), 60) + 1
	hi = floorDiv(c.horizon, minute) - floorDiv(-int64(maxOff), 60)
	return lo, hi
}

// lookBack is how long before an instant meeting.LocalInstant may read
// the offset it resolves a wall-clock time with: an hour skipped at a
// change is read with the offset before it (so that change, up to its own
// size before the instant), found three hours before Go's first reading.
const lookBack = 3 * time.Hour

// changeReach bounds how long before a window offsetRange looks for
// changes: beyond lookBack and the largest change a zone has made.
const changeReach = 30 * time.Hour

// offsetRange returns the smallest and the largest offset, in seconds
// east of UTC, with which meeting.LocalInstant can read a wall-clock time
// whose instant is from a to b (unix nanoseconds): the offsets in force
// then, and the offset before each change up to lookBack and the size of
// the change before a. Over a week or more it need not be exact: the
// window it serves is then the whole week anyway.
func (c *zoneClock) offsetRange(a, b int64) (lo, hi int) {
	if b-a >= int64(7*24*time.Hour) || c.fixed && a-int64(changeReach) >= c.nowNS-int64(fixedWindow) && b <= c.nowNS+int64(fixedWindow) {
		return c.offset, c.offset
	}
	t := time.Unix(0, a-int64(changeReach)).In(c.loc)
	lo, hi = math.MaxInt, math.MinInt
	for range 64 {
		_, off := t.Zone()
		_, end := t.ZoneBounds()
		if end.IsZero() || end.UnixNano() > b {
			return min(lo, off), max(hi, off) // in force at b
		}
		_, next := end.Zone()
		if end.UnixNano() > a-int64(lookBack)-int64(abs(int32(next-off)))*int64(time.Second) {
			lo, hi = min(lo, off), max(hi, off)
		}
		t = end
	}
	// Sixty-four changes in a few days: no zone does that; be wide.
	_, off := t.Zone()
	return min(lo, off) - 26*3600, max(hi, off) + 26*3600
}

// wallSpans appends to buf, in order, the week keys of the wall-clock
// minutes lo to hi: one span, two when they wrap from Saturday to Sunday,
// the whole week when they last a week, none when hi < lo.
func wallSpans(lo, hi int64, buf []span) []span {
	switch {
	case hi < lo:
		return buf
	case hi-lo >= weekMinutes-1:
		return append(buf, span{0, weekMinutes - 1})
	}
	k0 := wallWeekKey(lo)
	k1 := k0 + int(hi-lo)
	if k1 < weekMinutes {
		return append(buf, span{k0, k1})
	}
	return append(buf, span{0, k1 - weekMinutes}, span{k0, weekMinutes - 1})
}

// wallWeekKey returns the week key of a wall-clock minute since the Unix
// epoch (a Thursday).
func wallWeekKey(m int64) int {
	day := floorDiv(m, minutesPerDay)
	return int(floorMod(day+4, 7)*minutesPerDay + floorMod(m, minutesPerDay))
}

// floorDiv is a/b rounded towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// floorMod is a mod b, from 0 to b-1 for b > 0.
func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// zoneStreams appends to out the streams of p's zone order that can hold
// a meeting matching p's filter after cur (nil: from the start), and
// returns them with the number of meetings they span. ok is false when
// p's filter has neither today nor upcoming: no window narrows it.
func zoneStreams(p *part, cur *meeting.Cursor, out []stream) (_ []stream, n int, ok bool) {
	c, s := p.c, p.s
	if !c.today && !c.upcoming {
		return out, 0, false
	}
	var buf [8]span
	spans := buf[:0]
	for k := range s.zoneRuns {
		r := &s.zoneRuns[k]
		run := s.byZone[r.from:r.to]
		spans = c.zoneSpans(c.clock(s, r.zone), r.maxDur, spans[:0])
		if len(spans) == 0 {
			continue
		}
		first := 0
		if cur != nil {
			first = s.searchAfter(r, run, cur)
		}
		for _, sp := range spans {
			lo := max(first, s.searchWeekKey(r, run, sp.lo))
			hi := s.searchWeekKey(r, run, sp.hi+1)
			if lo < hi {
				out = append(out, stream{p: p, order: run, pos: lo, end: hi})
				n += hi - lo
			}
		}
	}
	return out, n, true
}

// searchWeekKey returns the position in run r of its first meeting whose
// week key is key (0 to weekMinutes) or later: a binary search within
// key's day.
func (s *snapshot) searchWeekKey(r *zoneRun, run []uint32, key int) int {
	d := key / minutesPerDay
	if d >= 7 {
		return len(run)
	}
	lo, hi := int(r.day[d]), int(r.day[d+1])
	if key%minutesPerDay == 0 {
		return lo
	}
	pos, _ := slices.BinarySearchFunc(run[lo:hi], key, func(i uint32, key int) int {
		if s.weekKey(i) < key {
			return -1
		}
		return 1
	})
	return lo + pos
}

// searchAfter returns the position in run r of its first meeting after
// the cursor: a binary search within the cursor's day.
func (s *snapshot) searchAfter(r *zoneRun, run []uint32, cur *meeting.Cursor) int {
	switch {
	case cur.Day < 0:
		return 0
	case cur.Day >= 7:
		return len(run)
	}
	lo, hi := int(r.day[cur.Day]), int(r.day[cur.Day+1])
	pos, _ := slices.BinarySearchFunc(run[lo:hi], cur, func(i uint32, cur *meeting.Cursor) int {
		if s.compareTime(int(i), cur.Day, cur.Start, cur.ID) <= 0 {
			return -1
		}
		return 1
	})
	return lo + pos
}
