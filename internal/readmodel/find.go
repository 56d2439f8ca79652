package readmodel

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// hit is a meeting a query keeps: which snapshot and index, and its sort
// key (distance for a query with a point).
type hit struct {
	s    *snapshot
	i    int
	dist float64
}

// part is one snapshot of a view and what of it is alive.
type part struct {
	s    *snapshot
	dead []uint64 // bit i: meeting i is replaced or removed; nil = none
	c    *compiled
}

func (p *part) alive(i int) bool {
	return p.dead == nil || p.dead[i/64]&(1<<(i%64)) == 0
}

// startRadiusM is the first radius the nearest-first search tries.
const startRadiusM = 2000.0

// nearest returns up to need hits with a point within radiusM of pt,
// matching, after the cursor (dist, id), nearest first, then by id. It
// searches a small circle first and widens it until the circle holds need
// hits or reaches radiusM: every meeting outside a circle is farther than
// every meeting in it, so the first need hits of the widest circle read
// are the first need of all.
func nearest(parts []part, lng, lat, radiusM float64, cur *meeting.Cursor, need int) []hit {
	r := startRadiusM
	if cur != nil {
		r = max(r, cur.DistanceM*1.5+startRadiusM)
	}
	var hits []hit
	for {
		r = min(r, radiusM)
		hits = hits[:0]
		for k := range parts {
			hits = within(&parts[k], lng, lat, r, cur, hits)
		}
		if len(hits) >= need || r >= radiusM {
			break
		}
		r *= 4
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.s.id[a.i], b.s.id[b.i]))
	})
	if len(hits) > need {
		hits = hits[:need]
	}
	return hits
}

// within appends to hits the matching live meetings of p within r metres
// of (lng, lat) and after the cursor.
func within(p *part, lng, lat, r float64, cur *meeting.Cursor, hits []hit) []hit {
	s := p.s
	visit := func(i int) {
		if !p.alive(i) {
			return
		}
		d := meeting.DistanceM(pointOf(lng, lat), pointOf(s.lng[i], s.lat[i]))
		if d > r {
			return
		}
		if cur != nil && cmp.Or(cmp.Compare(d, cur.DistanceM), cmp.Compare(s.id[i], cur.ID)) <= 0 {
			return
		}
		if !p.c.match(s, i) {
			return
		}
		hits = append(hits, hit{s: s, i: i, dist: d})
	}
	rows, cols, all := cellRange(lng, lat, r)
	g := &s.grid
	if all || len(rows)*cols.count() > len(g.keys) {
		for _, i := range g.members {
			visit(int(i))
		}
		return hits
	}
	for _, row := range rows {
		for _, span := range cols.spans {
			lo := uint32(row*gridCols + span[0])
			hi := uint32(row*gridCols + span[1])
			k, _ := slices.BinarySearch(g.keys, lo)
			for ; k < len(g.keys) && g.keys[k] <= hi; k++ {
				for _, i := range g.members[g.from[k]:g.from[k+1]] {
					visit(int(i))
				}
			}
		}
	}
	return hits
}

// colSpans is a set of column ranges, inclusive: one, or two when the
// circle crosses the antimeridian.
type colSpans struct{ spans [][2]int }

func (c colSpans) count() int {
	n := 0
	for _, s := range c.spans {
		n += s[1] - s[0] + 1
	}
	return n
}

// cellRange returns the grid rows and columns that cover the circle of r
// metres around (lng, lat), with a margin of one cell; all is true when it
// covers a pole or all longitudes.
func cellRange(lng, lat, r float64) (rows []int, cols colSpans, all bool) {
	const deg = 180 / math.Pi
	ang := r / meeting.EarthRadiusM // radians
	if ang >= math.Pi/2 {
		return nil, cols, true
	}
	dLat := ang*deg + cellDeg
	lat0, lat1 := lat-dLat, lat+dLat
	if lat0 <= -90 || lat1 >= 90 {
		return nil, cols, true
	}
	// The widest longitude of a spherical cap: asin(sin r / cos lat).
	x := math.Sin(ang) / math.Cos(lat*math.Pi/180)
	if x >= 1 {
		return nil, cols, true
	}
	dLng := math.Asin(x)*deg + cellDeg
	// At the cap's widest latitude the extent is largest; away from the
	// equator the cap's rows nearer the pole are wider in degrees, so take
	// the extent at the cap's most poleward latitude as well.
	if p := math.Max(math.Abs(lat0), math.Abs(lat1)); p < 89 {
		if y := math.Sin(ang) / math.Cos(p*math.Pi/180); y < 1 {
			dLng = math.Max(dLng, math.Asin(y)*deg+cellDeg)
		} else {
			return nil, cols, true
		}
	}
	if dLng >= 180 {
		return nil, cols, true
	}
	r0, _ := cellOf(0, lat0)
	r1, _ := cellOf(0, lat1)
	for row := r0; row <= r1; row++ {
		rows = append(rows, row)
	}
	lng0, lng1 := lng-dLng, lng+dLng
	switch {
	case lng0 < -180:
		_, c0 := cellOf(lng0+360, 0)
		_, c1 := cellOf(lng1, 0)
		cols.spans = [][2]int{{0, c1}, {c0, gridCols - 1}}
	case lng1 > 180:
		_, c0 := cellOf(lng0, 0)
		_, c1 := cellOf(lng1-360, 0)
		cols.spans = [][2]int{{0, c1}, {c0, gridCols - 1}}
	default:
		_, c0 := cellOf(lng0, 0)
		_, c1 := cellOf(lng1, 0)
		cols.spans = [][2]int{{c0, c1}}
	}
	return rows, cols, false
}

// byTime returns up to need matching live meetings in the order without a
// point, (day, start, id) with meetings by appointment last, after the
// cursor (day, start, id) when given: a merge of each part's time order.
func byTime(parts []part, cur *meeting.Cursor, need int) []hit {
	type stream struct {
		p   *part
		pos int
		end int
	}
	streams := make([]stream, 0, len(parts))
	for k := range parts {
		p := &parts[k]
		pos := 0
		if cur != nil {
			pos, _ = slices.BinarySearchFunc(p.s.byTime, cur, func(i uint32, c *meeting.Cursor) int {
				if p.s.compareTime(int(i), c.Day, c.Start, c.ID) <= 0 {
					return -1
				}
				return 1
			})
		}
		streams = append(streams, stream{p: p, pos: pos, end: len(p.s.byTime)})
	}
	// advance moves a stream to its next matching live meeting.
	advance := func(st *stream) {
		for ; st.pos < st.end; st.pos++ {
			i := int(st.p.s.byTime[st.pos])
			if st.p.alive(i) && st.p.c.match(st.p.s, i) {
				return
			}
			st.pos = skipDays(st.p, st.pos)
		}
	}
	for k := range streams {
		advance(&streams[k])
	}
	var hits []hit
	for len(hits) < need {
		best := -1
		for k := range streams {
			st := &streams[k]
			if st.pos >= st.end {
				continue
			}
			if best < 0 {
				best = k
				continue
			}
			b := &streams[best]
			bi := int(b.p.s.byTime[b.pos])
			i := int(st.p.s.byTime[st.pos])
			if st.p.s.compareTime(i, int(b.p.s.day[bi]), b.p.s.sortStart(bi), b.p.s.id[bi]) < 0 {
				best = k
			}
		}
		if best < 0 {
			break
		}
		st := &streams[best]
		hits = append(hits, hit{s: st.p.s, i: int(st.p.s.byTime[st.pos])})
		st.pos++
		advance(st)
	}
	return hits
}

// skipDays returns pos, or when the filter allows none of the days from
// pos's day on until some later day, the position just before that day's
// first meeting (the caller's loop then steps onto it).
func skipDays(p *part, pos int) int {
	c := p.c
	if c.days == 0 {
		return pos
	}
	s := p.s
	d := int(s.day[s.byTime[pos]])
	if d < 7 && c.days&(1<<d) != 0 {
		return pos
	}
	next := d + 1
	for next < 7 && c.days&(1<<next) == 0 {
		next++
	}
	if next >= 7 {
		return len(s.byTime) - 1 // by appointment never matches a day filter
	}
	return max(pos, s.dayFrom[next]-1)
}

// result decodes hit h into a meeting.Result at now (dbNow as PostgreSQL
// reads it).
func result(h hit, hasPoint bool, now, dbNow time.Time) meeting.Result {
	var r meeting.Result
	h.s.meeting(h.i, &r.Meeting)
	if hasPoint {
		r.DistanceM, r.HasDistance = h.dist, true
	}
	if z := h.s.zone[h.i]; z != 0 && h.s.day[h.i] != 7 && h.s.start[h.i] >= 0 {
		if occ, ok := occurrenceIn(&r.Meeting, dbNow, h.s.zones[z].loc); ok {
			r.NextStart = occ
			r.InProgress = !occ.After(now)
		}
	}
	return r
}
