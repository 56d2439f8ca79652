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

// chordSlack is the relative margin kept around a chord compared with a
// distance, far above the rounding of either, so that no meeting is ever
// dropped on the cheap test that the exact distance would keep.
const chordSlack = 1e-9

// chord2 returns the squared chord of the unit sphere that spans d metres
// of great circle.
func chord2(d float64) float64 {
	c := 2 * math.Sin(math.Min(d/meeting.EarthRadiusM, math.Pi)/2)
	return c * c
}

// query is a nearest-first search: the point, on the unit sphere too, the
// radius, and the cursor.
type query struct {
	lng, lat, x, y, z float64
	radiusM           float64
	cur               *meeting.Cursor
	curC2             float64 // chord2 of the cursor's distance, less the slack
	curC2Hi           float64 // and with the slack: beyond it, surely after the cursor
}

// nearest returns up to need hits with a point within radiusM of (lng,
// lat), matching, after the cursor (dist, id), nearest first, then by id,
// with their exact distances (meeting.DistanceM, PostGIS's). It searches a
// small circle first and widens it until the circle surely holds need
// hits or reaches radiusM: every meeting outside a circle is farther than
// every meeting in it, so the first need of the widest circle read are
// the first need of all. Candidates are compared by chord; only the few
// that may be returned get the exact distance.
func nearest(parts []part, lng, lat, radiusM float64, cur *meeting.Cursor, need int) []hit {
	q := query{lng: lng, lat: lat, radiusM: radiusM, cur: cur}
	q.x, q.y, q.z = unitVector(lng, lat)
	r := startRadius(parts, lng, lat, need)
	if cur != nil {
		q.curC2 = chord2(cur.DistanceM) * (1 - chordSlack)
		q.curC2Hi = chord2(cur.DistanceM) * (1 + chordSlack)
		r = max(r, cur.DistanceM*1.2+r)
	}
	var cands []hit
	for {
		r = min(r, radiusM)
		cands = cands[:0]
		limit := chord2(r) * (1 + chordSlack)
		for k := range parts {
			cands = q.within(&parts[k], r, limit, cands)
		}
		if r >= radiusM || q.surely(cands, chord2(r)*(1-chordSlack)) >= need {
			break
		}
		r *= 3
	}
	return q.exact(cands, need)
}

// startRadius guesses, from how many meetings share the query point's
// cell, the radius that holds about twice need of them: a dense city
// starts small, an empty countryside at startRadiusM.
func startRadius(parts []part, lng, lat float64, need int) float64 {
	row, col := cellOf(lng, lat)
	key := uint32(row*gridCols + col)
	n := 0
	for _, p := range parts {
		g := &p.s.grid
		if k, ok := slices.BinarySearch(g.keys, key); ok {
			n += int(g.from[k+1] - g.from[k])
		}
	}
	if n == 0 || need > 1<<20 {
		return startRadiusM
	}
	cellM := cellDeg * math.Pi / 180 * meeting.EarthRadiusM
	area := cellM * cellM * math.Max(math.Cos(lat*math.Pi/180), 0.01)
	r := math.Sqrt(2 * float64(need) * area / (math.Pi * float64(n)))
	return min(max(r, 200), startRadiusM)
}

// surely counts the candidates whose chord is certainly within the
// circle (c2) and certainly after the cursor: those the answer keeps.
func (q *query) surely(cands []hit, c2 float64) int {
	n := 0
	for _, h := range cands {
		if h.dist <= c2 && (q.cur == nil || h.dist > q.curC2Hi) {
			n++
		}
	}
	return n
}

// exact orders candidates (dist holding the squared chord) by chord, then
// takes the first need, and those tied with the last within the slack,
// measures them exactly, drops those beyond the radius or not after the
// cursor, and orders them by (distance, id). When that leaves fewer than
// need, it reads further down the candidates.
func (q *query) exact(cands []hit, need int) []hit {
	if len(cands) > 4*need && need < len(cands)/4 {
		// Keep what may be among the first need (the need-th chord and
		// its ties) before sorting; read on only if the exact pass falls
		// short.
		t := kthSmallest(cands, need) * (1 + chordSlack)
		keep := cands[:0:0]
		for _, h := range cands {
			if h.dist <= t {
				keep = append(keep, h)
			}
		}
		if out := q.exactSorted(keep, need); len(out) >= need {
			return out
		}
	}
	return q.exactSorted(cands, need)
}

// kthSmallest returns the k-th smallest dist of hits (1-based), by a
// bounded max-heap.
func kthSmallest(hits []hit, k int) float64 {
	h := make([]float64, 0, k)
	for _, x := range hits {
		switch {
		case len(h) < k:
			h = append(h, x.dist)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if h[p] >= h[i] {
					break
				}
				h[p], h[i] = h[i], h[p]
				i = p
			}
		case x.dist < h[0]:
			h[0] = x.dist
			for i := 0; ; {
				l, r, m := 2*i+1, 2*i+2, i
				if l < len(h) && h[l] > h[m] {
					m = l
				}
				if r < len(h) && h[r] > h[m] {
					m = r
				}
				if m == i {
					break
				}
				h[m], h[i] = h[i], h[m]
				i = m
			}
		}
	}
	return h[0]
}

// exactSorted is exact on all of cands.
func (q *query) exactSorted(cands []hit, need int) []hit {
	slices.SortFunc(cands, func(a, b hit) int { return cmp.Compare(a.dist, b.dist) })
	var out []hit
	from := 0
	for len(out) < need && from < len(cands) {
		to := min(from+need-len(out), len(cands))
		for to < len(cands) && cands[to].dist <= cands[to-1].dist*(1+chordSlack)+1e-300 {
			to++
		}
		for _, h := range cands[from:to] {
			d := meeting.DistanceM(pointOf(q.lng, q.lat), pointOf(h.s.lng[h.i], h.s.lat[h.i]))
			if d > q.radiusM {
				continue
			}
			if q.cur != nil && cmp.Or(cmp.Compare(d, q.cur.DistanceM), cmp.Compare(h.s.id[h.i], q.cur.ID)) <= 0 {
				continue
			}
			h.dist = d
			out = append(out, h)
		}
		from = to
	}
	slices.SortFunc(out, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.s.id[a.i], b.s.id[b.i]))
	})
	if len(out) > need {
		out = out[:need]
	}
	return out
}

// within appends to hits the matching live meetings of p whose chord from
// the query point is at most limit (the circle of r metres and its slack)
// and that are not surely before the cursor; dist holds the squared chord.
func (q *query) within(p *part, r, limit float64, hits []hit) []hit {
	s := p.s
	visit := func(i int) {
		dx, dy, dz := s.x[i]-q.x, s.y[i]-q.y, s.z[i]-q.z
		c2 := dx*dx + dy*dy + dz*dz
		if c2 > limit || (q.cur != nil && c2 < q.curC2) || !p.alive(i) || !p.c.match(s, i) {
			return
		}
		hits = append(hits, hit{s: s, i: i, dist: c2})
	}
	rows, cols, all := cellRange(q.lng, q.lat, r)
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
	var hits []hit
	eachByTime(parts, cur, func(h hit) bool {
		hits = append(hits, h)
		return len(hits) < need
	})
	return hits
}

// eachByTime calls emit with each matching live meeting in the order
// without a point, after the cursor when given, until emit returns false.
func eachByTime(parts []part, cur *meeting.Cursor, emit func(hit) bool) {
	mergeStreams(timeStreams(parts, cur, zoneShare), emit)
}

// zoneShare is how few meetings a part's zone windows must span, as a
// share of those its time order would read, for a query to read the
// windows instead: a merge of many windows costs more per meeting than one
// walk of the time order.
const zoneShare = 0.5

// timeStreams returns, for each part, the streams that together hold, in
// the order without a point, every matching live meeting after cur: the
// part's windows of its zone order when its filter has today or upcoming
// and they span fewer than share of the meetings its time order would
// read, else its whole time order. share 0 always reads the time order.
func timeStreams(parts []part, cur *meeting.Cursor, share float64) []stream {
	size := len(parts)
	for k := range parts {
		if c := parts[k].c; share > 0 && (c.today || c.upcoming) {
			size += 2 * len(parts[k].s.zoneRuns)
		}
	}
	streams := make([]stream, 0, size)
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
		if share > 0 {
			zs, n, ok := zoneStreams(p, cur, streams)
			if ok && float64(n) < share*float64(p.timeSpan(pos)) {
				streams = zs
				continue
			}
		}
		streams = append(streams, stream{p: p, order: p.s.byTime, pos: pos, end: len(p.s.byTime), full: true})
	}
	return streams
}

// timeSpan returns how many meetings of p's time order from pos on are on
// a day p's filter allows.
func (p *part) timeSpan(pos int) int {
	s := p.s
	if p.c.days == 0 {
		return len(s.byTime) - pos
	}
	n := 0
	for d := range 7 {
		if p.c.days&(1<<d) != 0 {
			n += max(0, s.dayFrom[d+1]-max(pos, s.dayFrom[d]))
		}
	}
	return n
}

// stream is a run of one part's meetings in the order without a point,
// order[pos:end], positioned (by next) on its next matching live meeting,
// whose sort key is (key, id).
type stream struct {
	p        *part
	order    []uint32
	pos, end int
	full     bool // order is the part's whole time order: skip the days the filter excludes
	key      int  // day*1440 + sortStart of the meeting at pos
	id       int64
}

// next moves st onto its next matching live meeting from pos on and
// reports whether there is one.
func (st *stream) next() bool {
	p := st.p
	s := p.s
	for ; st.pos < st.end; st.pos++ {
		i := int(st.order[st.pos])
		if p.alive(i) && p.c.match(s, i) {
			st.key, st.id = int(s.day[i])*minutesPerDay+s.sortStart(i), s.id[i]
			return true
		}
		if st.full {
			st.pos = skipDays(p, st.pos)
		}
	}
	return false
}

// before reports whether st's meeting comes before o's.
func (st *stream) before(o *stream) bool {
	return st.key < o.key || st.key == o.key && st.id < o.id
}

// mergeStreams calls emit with the meetings of streams in the order
// without a point, until emit returns false: a merge on a binary heap of
// the streams by their next meeting. No meeting is in two streams.
func mergeStreams(streams []stream, emit func(hit) bool) {
	h := streams[:0]
	for _, st := range streams {
		if st.next() {
			h = append(h, st)
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		siftDown(h, i)
	}
	for len(h) > 0 {
		st := &h[0]
		hit := hit{s: st.p.s, i: int(st.order[st.pos])}
		st.pos++
		if !st.next() {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		siftDown(h, 0)
		if !emit(hit) {
			return
		}
	}
}

// siftDown restores the heap order of h below i.
func siftDown(h []stream, i int) {
	for {
		m, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[l].before(&h[m]) {
			m = l
		}
		if r < len(h) && h[r].before(&h[m]) {
			m = r
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
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
		occ := r.Meeting.OccurrenceIn(dbNow, h.s.zones[z].loc)
		r.NextStart, r.InProgress = occ, !occ.After(now)
	}
	return r
}
