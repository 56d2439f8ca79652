package memindex

import (
	"cmp"
	"math"
	"slices"
	"sync/atomic"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
)

// plan is a text query read once, for every part: the corrected words,
// the filters as masks, the point's box and how many results to find.
type plan struct {
	tq     textdoc.Query
	asType bool // no word has corrections: every match is as typed
	byName bool // the name tiers rank (a phrase, no point)
	need   int  // results to find: the page's end and one more

	hasPoint bool
	circle   circle

	filtered bool // any of the filters below
	days     uint8
	after    int // minutes; -1 = none
	before   int
	att      uint16 // bit per meeting.Attendances index; 0 = any
	prog     uint64 // bit per meeting.Programs index; 0 = any
	sources  []string
	types    []string
	ids      []int64 // sorted
	none     bool    // the filters exclude every meeting

	walkOnly bool // never search nearest first (tests compare the two)
}

// newPlan reads f (its words already corrected in tq) for a search of
// need results.
func newPlan(f *meeting.Filter, tq textdoc.Query, need int) *plan {
	pl := &plan{tq: tq, need: need, after: -1, before: -1}
	pl.asType = tq.AsTyped()
	pl.byName = tq.Phrase != "" && !f.HasPoint
	if f.HasPoint {
		r := f.RadiusKM * 1000
		if r <= 0 {
			r = meeting.DefaultRadiusKM * 1000
		}
		pl.hasPoint, pl.circle = true, newCircle(f.Point, r)
	}
	for _, d := range f.Days {
		if d >= 0 && d <= 6 {
			pl.days |= 1 << d
		}
	}
	pl.none = len(f.Days) > 0 && pl.days == 0
	if f.StartAfter != nil {
		pl.after = int(*f.StartAfter)
	}
	if f.StartBefore != nil {
		pl.before = int(*f.StartBefore)
	}
	for _, a := range f.Attendance {
		if i := indexOf(meeting.Attendances, a); i != noIndex {
			pl.att |= 1 << i
		}
	}
	pl.none = pl.none || len(f.Attendance) > 0 && pl.att == 0
	for _, p := range f.Programs {
		if i := indexOf(meeting.Programs, p); i != noIndex {
			pl.prog |= 1 << i
		}
	}
	pl.none = pl.none || len(f.Programs) > 0 && pl.prog == 0
	pl.sources, pl.types = f.Sources, f.Types
	if len(f.IDs) > 0 {
		pl.ids = slices.Clone(f.IDs)
		slices.Sort(pl.ids)
	}
	pl.filtered = pl.days != 0 || pl.after >= 0 || pl.before >= 0 || pl.att != 0 || pl.prog != 0 || len(pl.sources) > 0 || len(pl.ids) > 0
	return pl
}

// cand is a result found in a part: the meeting, its score and, with a
// point, its squared chord to the query point and its point (for the
// distance of the results returned).
type cand struct {
	id      int64
	dist    float64
	x, y, z float64
	score   int8
}

// before reports whether a comes before b in the order of results: score
// (higher first), distance (nearer first; 0 for all without a point),
// then id.
func (a cand) before(b cand) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.dist != b.dist {
		return a.dist < b.dist
	}
	return a.id < b.id
}

// compareCands orders candidates as results are ordered.
func compareCands(a, b cand) int {
	return cmp.Or(-cmp.Compare(a.score, b.score), cmp.Compare(a.dist, b.dist), cmp.Compare(a.id, b.id))
}

// search returns the first pl.need results of part p (dead: its documents
// replaced or removed since), in order.
//
// A match holds every word (any of its prefix's lists, its corrections'
// and its types') and every type of the filter. The set with the fewest
// postings drives: its documents are walked in order (meeting id order),
// the cheap tests first (with a point, the cell, in a column that stays
// in cache), then the other words, each a galloping cursor in its list
// or, for a union of lists, a bit set. Without a point each match is
// scored by its tiers (the name key against the phrase's range of keys;
// the words' sets in the name and as typed), each score keeping its first
// need, and the walk stops as soon as need results have a score no later
// match can beat: a one-letter query costs a few hundred steps, not a
// walk of its 500,000 matches. With a point every match is walked, and a
// bounded heap keeps the need best.
func (p *part) search(pl *plan, dead []uint64, s *scratch) []cand {
	if p.len() == 0 || pl.none {
		return nil
	}
	var srcOK []bool
	if len(pl.sources) > 0 {
		srcOK = make([]bool, len(p.sources))
		any := false
		for i, name := range p.sources {
			if slices.Contains(pl.sources, name) {
				srcOK[i], any = true, true
			}
		}
		if !any {
			return nil
		}
	}
	// The sets' sources first: the one holding the fewest documents
	// drives, and the others are built for as many questions.
	var match, named, exact []spec
	for _, t := range pl.types {
		k := p.types.find(t)
		if k < 0 {
			return nil
		}
		var sp spec
		sp.add(listSource(p.typ.at(k)))
		match = append(match, sp)
	}
	for i := range pl.tq.Words {
		m, x, n := p.wordSpecs(&pl.tq.Words[i])
		match, named = append(match, m), append(named, n)
		if x != nil {
			exact = append(exact, *x)
		}
	}
	driver := 0
	for k := range match {
		if match[k].size == 0 {
			return nil
		}
		if match[k].size < match[driver].size {
			driver = k
		}
	}
	asked := match[driver].size
	w := walk{p: p, pl: pl, dead: dead, srcOK: srcOK, driver: s.newSet(p.len(), match[driver], asked, true)}
	for k := range match {
		if k != driver {
			w.match = append(w.match, s.newSet(p.len(), match[k], asked, false))
		}
	}
	for _, sp := range named {
		w.named = append(w.named, s.newSet(p.len(), sp, asked, false))
	}
	for _, sp := range exact {
		w.exact = append(w.exact, s.newSet(p.len(), sp, asked, false))
	}
	if pl.hasPoint {
		if out, ok := w.nearestFirst(); ok {
			return out
		}
		return w.nearest()
	}
	return w.byScore()
}

// wordSpecs returns the sources of what the query word w matches in p:
// any way (match), without its corrections (exact; nil when it has none:
// the same as match), and in the name (named).
func (p *part) wordSpecs(w *textdoc.Word) (match spec, exact *spec, named spec) {
	if n := w.Runes(); n <= 2 {
		if k := p.prefixes.find(w.Text); k >= 0 {
			match.add(listSource(p.pre.at(k)))
			named.add(listSource(p.preName.at(k)))
		}
	} else if lo, hi := p.words.prefixRange(w.Text); hi > lo {
		match.add(runSource(&p.all, lo, hi))
		named.add(runSource(&p.name, lo, hi))
	}
	for _, t := range w.Types {
		if k := p.types.find(t); k >= 0 {
			match.add(listSource(p.typ.at(k)))
		}
	}
	if len(w.Corrections) > 0 {
		x := match
		x.srcs = slices.Clone(x.srcs)
		exact = &x
		for _, c := range w.Corrections {
			if k := p.words.find(c); k >= 0 {
				match.add(listSource(p.all.at(k)))
				named.add(listSource(p.name.at(k)))
			}
		}
	}
	return match, exact, named
}

// walk is one part's search under way: the driving set, the other sets
// a match must be in, and those that score it.
type walk struct {
	p      *part
	pl     *plan
	dead   []uint64
	srcOK  []bool
	driver set
	match  []set // the other words' (and the filter types') sets
	named  []set // each word's set in the name
	exact  []set // the sets as typed of the words with corrections
}

// matches reports whether document d (of the driver) is in every other
// set, passes the filters and is alive.
func (w *walk) matches(d uint32) bool {
	if has(w.dead, d) {
		return false
	}
	for k := range w.match {
		if !w.match[k].has(d) {
			return false
		}
	}
	return !w.pl.filtered || w.pl.pass(w.p, d, w.srcOK)
}

// score returns the tiers of matching document d other than the name
// key's: in the name, as typed.
func (w *walk) score(d uint32) int {
	score := textdoc.ScoreInName
	for k := range w.named {
		if !w.named[k].has(d) {
			score = 0
			break
		}
	}
	asTyped := true
	for k := range w.exact {
		asTyped = w.exact[k].has(d) && asTyped
	}
	if asTyped {
		score += textdoc.ScoreAsTyped
	}
	return score
}

// more returns the best of those tiers a match after document d can have.
func (w *walk) more(d uint32) int {
	b := textdoc.ScoreInName + textdoc.ScoreAsTyped
	for k := range w.named {
		if w.named[k].last <= int64(d) {
			b -= textdoc.ScoreInName
			break
		}
	}
	for k := range w.exact {
		if w.exact[k].last <= int64(d) {
			b -= textdoc.ScoreAsTyped
			break
		}
	}
	return b
}

// byScore is search without a point.
func (w *walk) byScore() []cand {
	p, pl := w.p, w.pl
	exactKey, keyLo, keyHi := -1, 0, 0
	exactLast, prefixLast := int64(-1), int64(-1)
	if pl.byName {
		exactKey = p.keys.find(pl.tq.Phrase)
		if exactKey >= 0 {
			exactLast = int64(p.keyLast[exactKey])
		}
		keyLo, keyHi = p.keys.prefixRange(pl.tq.Phrase)
		for k := keyLo; k < keyHi; k++ {
			prefixLast = max(prefixLast, int64(p.keyLast[k]))
		}
	}
	var buckets [16][]cand
	need := pl.need
	bound := len(buckets)
	w.driver.each(func(d uint32) bool {
		if !w.matches(d) {
			return true
		}
		score := w.score(d)
		if k := int(p.key[d]); pl.byName && k >= keyLo && k < keyHi {
			score += textdoc.ScoreNamePrefix
			if k == exactKey {
				score += textdoc.ScoreExactName
			}
		}
		added := false
		if len(buckets[score]) < need {
			buckets[score] = append(buckets[score], cand{id: p.ids[d], score: int8(score)})
			added = true
		}
		// The best score a later match can still have.
		b := w.more(d)
		if int64(d) < exactLast {
			b += textdoc.ScoreExactName
		}
		if int64(d) < prefixLast {
			b += textdoc.ScoreNamePrefix
		}
		if added || b != bound {
			bound = b
			n := 0
			for sc := b; sc < len(buckets); sc++ {
				n += len(buckets[sc])
			}
			if n >= need {
				return false // no later match comes before these
			}
		}
		return true
	})
	var out []cand
	for sc := len(buckets) - 1; sc >= 0 && len(out) < need; sc-- {
		out = append(out, buckets[sc][:min(len(buckets[sc]), need-len(out))]...)
	}
	return out
}

// nearest is search with a point: each document of the driver is tested
// against the circle's cells (a column that stays in cache), then, if it
// matches, against the circle (squared chords), and a bounded heap keeps
// the best.
func (w *walk) nearest() []cand {
	p, pl := w.p, w.pl
	h := candHeap{max: pl.need}
	c := &pl.circle
	visit := func(d uint32) {
		if !w.matches(d) {
			return
		}
		x, y, z := p.xyz[3*d], p.xyz[3*d+1], p.xyz[3*d+2]
		if d2, ok := c.within(x, y, z); ok {
			h.push(cand{id: p.ids[d], dist: d2, x: x, y: y, z: z, score: int8(w.score(d))})
		}
	}
	if w.driver.b == nil {
		// The common case, a list, without a call per document: most fail
		// the cell test.
		cell := p.cell
		for _, d := range w.driver.l {
			if c.inCells(cell[d]) {
				visit(d)
			}
		}
	} else {
		w.driver.each(func(d uint32) bool {
			if c.inCells(p.cell[d]) {
				visit(d)
			}
			return true
		})
	}
	slices.SortFunc(h.c, compareCands)
	return h.c
}

// pass reports whether document d of p passes the filters other than the
// text, the types and the point: a constraint on the schedule leaves out
// meetings by appointment and those without a start.
func (pl *plan) pass(p *part, d uint32, srcOK []bool) bool {
	day := p.day[d]
	scheduled := day != 7 && p.start[d] >= 0
	switch {
	case pl.days != 0 && !(day != 7 && pl.days&(1<<day) != 0):
		return false
	case pl.after >= 0 && !(scheduled && int(p.start[d]) >= pl.after):
		return false
	case pl.before >= 0 && !(scheduled && int(p.start[d]) < pl.before):
		return false
	case pl.att != 0 && (p.att[d] == noIndex || pl.att&(1<<p.att[d]) == 0):
		return false
	case pl.prog != 0 && (p.prog[d] == noIndex || pl.prog&(1<<p.prog[d]) == 0):
		return false
	case srcOK != nil && !srcOK[p.src[d]]:
		return false
	case pl.ids != nil:
		_, ok := slices.BinarySearch(pl.ids, p.ids[d])
		return ok
	}
	return true
}

// Searching nearest first reads the documents around the point, in
// circles growing threefold, testing each against every set by a binary
// search, until the page's results are surely found: it costs about a
// hundred nanoseconds a document read, where the walk of nearest costs a
// few a match, so it pays when the matches are many and it finds its
// results near the point (a one-letter query in a city: fifty documents
// read instead of 500,000 matches walked).

// readCost is what reading a document nearest first costs, in steps of
// the walk of nearest (a binary search in each set against a test of a
// cell).
const readCost = 20

// nearestFirst is search with a point, nearest first; ok is false when it
// does not try (the reads it expects, need over the share of documents
// that match, the sets taken as independent, cost more than walking the
// driver) or gives up (it has read as many documents as the walk's cost).
func (w *walk) nearestFirst() (out []cand, ok bool) {
	p, pl := w.p, w.pl
	c := &pl.circle
	if pl.walkOnly || p.len() == 0 {
		return nil, false
	}
	share := float64(w.driver.size) / float64(p.len())
	for k := range w.match {
		share *= float64(w.match[k].size) / float64(p.len())
	}
	expect := float64(pl.need) / max(share, 1e-9)
	budget := w.driver.size / readCost
	if expect*2 > float64(budget) {
		return nil, false
	}
	best := textdoc.ScoreInName + textdoc.ScoreAsTyped
	for k := range w.named {
		if w.named[k].last < 0 {
			best -= textdoc.ScoreInName
			break
		}
	}
	for k := range w.exact {
		if w.exact[k].last < 0 {
			best -= textdoc.ScoreAsTyped
			break
		}
	}
	// Start where about twice the reads expected hold, from the density
	// of the point's cell.
	lon, lat := c.pt.Lon(), c.pt.Lat()
	r := 2000.0
	if n := p.fine.count(lon, lat); n > 0 {
		cellM := fineDeg * math.Pi / 180 * meeting.EarthRadiusM
		area := cellM * cellM * math.Max(math.Cos(lat*math.Pi/180), 0.01)
		r = min(max(math.Sqrt(2*expect*area/(math.Pi*float64(n))), 100), 2000)
	}
	read := 0
	for {
		r = min(r, c.radiusM)
		inner := chord2(r) * (1 - chordSlack)
		h := candHeap{max: pl.need}
		gaveUp := false
		p.fine.each(lon, lat, r, func(d uint32) bool {
			if read++; read > budget {
				gaveUp = true
				return false
			}
			x, y, z := p.xyz[3*d], p.xyz[3*d+1], p.xyz[3*d+2]
			d2, in := c.within(x, y, z)
			if !in || d2 > inner && r < c.radiusM || has(w.dead, d) || !w.driver.contains(d) {
				return true
			}
			for k := range w.match {
				if !w.match[k].contains(d) {
					return true
				}
			}
			if pl.filtered && !pl.pass(p, d, w.srcOK) {
				return true
			}
			score := 0
			if all(w.named, d) {
				score += textdoc.ScoreInName
			}
			if all(w.exact, d) {
				score += textdoc.ScoreAsTyped
			}
			h.push(cand{id: p.ids[d], dist: d2, x: x, y: y, z: z, score: int8(score)})
			return true
		})
		// Give up as soon as the matches met so far say that finding the
		// page would take more reads than the budget.
		if gaveUp || read >= 256 && (len(h.c) == 0 || pl.need*read/len(h.c) > budget) && r < c.radiusM {
			return nil, false
		}
		// Every document beyond r is farther than every one within it:
		// once the page's worst result has the best score, no other can
		// come before it.
		if r >= c.radiusM || h.full() && int(h.c[0].score) == best {
			slices.SortFunc(h.c, compareCands)
			nearestFirstDone.Add(1)
			return h.c, true
		}
		r *= 3
	}
}

// nearestFirstDone counts the searches answered nearest first (for
// tests).
var nearestFirstDone atomic.Int64

// all reports whether every set holds d.
func all(sets []set, d uint32) bool {
	for k := range sets {
		if !sets[k].contains(d) {
			return false
		}
	}
	return true
}

// candHeap keeps the max best candidates pushed: a heap with the worst on
// top.
type candHeap struct {
	c   []cand
	max int
}

func (h *candHeap) full() bool { return len(h.c) >= h.max }

// push adds c if it is among the best.
func (h *candHeap) push(c cand) {
	if h.max <= 0 {
		return
	}
	if len(h.c) < h.max {
		h.c = append(h.c, c)
		for i := len(h.c) - 1; i > 0; {
			up := (i - 1) / 2
			if !h.c[up].before(h.c[i]) {
				break
			}
			h.c[up], h.c[i] = h.c[i], h.c[up]
			i = up
		}
		return
	}
	if !c.before(h.c[0]) {
		return
	}
	h.c[0] = c
	for i := 0; ; {
		l, r, worst := 2*i+1, 2*i+2, i
		if l < len(h.c) && h.c[worst].before(h.c[l]) {
			worst = l
		}
		if r < len(h.c) && h.c[worst].before(h.c[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		h.c[worst], h.c[i] = h.c[i], h.c[worst]
		i = worst
	}
}
