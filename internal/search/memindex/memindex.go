// Package memindex is search.Index in memory: the text index of every
// public meeting as posting lists, answering text queries (words,
// prefixes, typos, type names, with the filters and the point/radius of
// GET /v1/meetings) without a round trip to a database. It reads
// documents and queries as internal/search/textdoc defines them, so it
// matches and orders as PostgreSQL's embedded index does, and it passes
// the same conformance and relevance suites (internal/search/searchtest).
//
// # Layout
//
// Documents are numbered densely in meeting id order and held in
// pointer-free columns: for each word of the vocabulary (sorted, so that
// the words with a prefix are one range) a sorted []uint32 of the
// documents holding it, and one of those holding it in the name; the
// same for the one- and two-letter prefixes of name and group words (a
// one-letter query is one list, not the merge of every word starting so)
// and for type codes; per document its point (a unit vector, a coarse
// grid cell, and a place in a fine grid: geo.go), schedule, attendance,
// program, source and name key. The garbage collector has next to
// nothing to scan; a million demo meetings take about 185 MB. A load is
// built on every core at once (build.go).
//
// # Queries
//
// The query word with the fewest postings drives: its documents are
// walked in order, each tested against the other words (a galloping
// cursor in a list, a few cursors for a union of a few lists, a bit set
// for a union of many) and the filters. Without a point documents come in
// id order, which is the order within a relevance tier, so the walk stops
// once a page's worth of results have a score no later match can beat: a
// one-letter query costs a few hundred steps, not a walk of its 500,000
// matches. With a point, distances are compared as chords of unit
// vectors (no trigonometry, the exact order) and a bounded heap keeps the
// best, reading the matches one of two ways, whichever is expected to
// cost less: walking them all, dropping most on their coarse cell (a
// four-byte column that stays in the processor's cache) before their
// vector is read; or, when they are many (a one-letter query in a city),
// reading the documents of the fine grid nearest the point first, in
// growing circles, each tested against every set by a binary search,
// until the page is surely complete. A spatial index alone would not do:
// the text lists are sorted by document, so intersecting them with the
// documents near the point means either sorting those (tens of thousands
// in a city) or a search per document, which only pays when few of them
// need reading.
//
// # Changes
//
// The index is an immutable view behind an atomic pointer: readers never
// lock. Load builds a base from every meeting in the background and swaps
// it in; Upsert and Delete build a small part of the changed meetings and
// merge it into an overlay (the base's replaced documents marked dead);
// when the overlay grows large it is merged into the base. Merging reads
// only posting lists (renumbered, merged list by list), never meetings.
//
// In serve, the read model (internal/readmodel) feeds it: every instance
// follows the change log of PostgreSQL, so every instance's index follows
// every write within a poll of the log.
package memindex

import (
	"context"
	"iter"
	"log/slog"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
)

// Options adjust an Index.
type Options struct {
	// CompactAt is the overlay size (meetings) at which it is merged into
	// the base; 0 means max(20000, a twentieth of the base).
	CompactAt int
	// Logger gets a line per load; nil means slog.Default().
	Logger *slog.Logger
}

// Index is search.Index in memory. The zero value is not usable: call
// New. It answers KindUnavailable until its first Load is built, which
// makes search.Store send text queries to PostgreSQL meanwhile. An Index
// is safe for concurrent use; changes are applied in the order their
// calls take its lock, so they should come from one writer (the read
// model's sync loop).
type Index struct {
	opts Options
	log  *slog.Logger
	cur  atomic.Pointer[view]

	mu       sync.Mutex // serialises changes and the swap of a load
	load     *pending   // changes since the running Load began; nil when none runs
	loadedAt time.Time
	took     time.Duration
}

// view is one immutable state of the index: a base and an overlay, each
// with the bit set of its documents replaced or removed since.
type view struct {
	base, over         *part
	baseDead, overDead []uint64
}

// pending is a Load under way and the changes made since it began.
type pending struct {
	batches []batch
}

// batch is one change: the part of the meetings now public among ids,
// and every id changed (public or gone).
type batch struct {
	part *part
	ids  []int64
}

var _ search.Index = (*Index)(nil)

// New returns an empty index that answers KindUnavailable until a Load
// completes.
func New(opts Options) *Index {
	x := &Index{opts: opts, log: opts.Logger}
	if x.log == nil {
		x.log = slog.Default()
	}
	return x
}

// Load replaces the index's contents with the public meetings of parts
// (in any order; of meetings sharing an id, the last), built in the
// background: the index answers as before (or KindUnavailable before the
// first load) until the new one is complete. Changes made by Upsert and
// Delete after Load is called are applied on top of it. n is about how
// many meetings there are (0 when unknown), to size the index. Each part
// is read once, all at the same time from goroutines of their own (so a
// load in two parts takes two cores); parts should hold different
// meetings. What they yield is not kept (a yielded meeting may be reused
// for the next). The returned channel is closed once the load is swapped
// in (or superseded by a later Load).
func (x *Index) Load(n int, parts ...iter.Seq[*meeting.Meeting]) <-chan struct{} {
	done := make(chan struct{})
	pd := &pending{}
	x.mu.Lock()
	x.load = pd
	x.mu.Unlock()
	go func() {
		defer close(done)
		start := time.Now()
		base := buildPart(n, parts...)
		x.mu.Lock()
		defer x.mu.Unlock()
		if x.load != pd {
			return // a later Load replaces this one
		}
		v := &view{base: base, over: emptyPart}
		for _, b := range pd.batches {
			v = x.apply(v, b)
		}
		x.cur.Store(v)
		x.load = nil
		x.loadedAt, x.took = time.Now(), time.Since(start)
		x.log.Info("text index loaded", slog.Int("meetings", base.len()), slog.Duration("duration", x.took))
	}()
	return done
}

// Upsert makes ms searchable as given, replacing earlier versions;
// meetings that are not public are removed. Before the first Load it
// does nothing (the load reads every meeting). It never fails.
func (x *Index) Upsert(_ context.Context, ms []meeting.Meeting) error {
	x.Change(ms, nil)
	return nil
}

// Delete removes the meetings with the given ids; unknown ids are not an
// error. It never fails.
func (x *Index) Delete(_ context.Context, ids []int64) error {
	x.Change(nil, ids)
	return nil
}

// Change applies one change as one new view: upserted as Upsert does,
// then removed as Delete does. It is what the read model's OnChange
// calls.
func (x *Index) Change(upserted []meeting.Meeting, removed []int64) {
	ids := make([]int64, 0, len(upserted)+len(removed))
	for i := range upserted {
		ids = append(ids, upserted[i].ID)
	}
	gone := make(map[int64]bool, len(removed))
	for _, id := range removed {
		ids = append(ids, id)
		gone[id] = true
	}
	slices.Sort(ids)
	all := func(yield func(*meeting.Meeting) bool) {
		for i := range upserted {
			if !gone[upserted[i].ID] && !yield(&upserted[i]) {
				return
			}
		}
	}
	x.change(batch{part: buildPart(len(upserted), all), ids: slices.Compact(ids)})
}

// change applies b to the current view and records it for a load under
// way.
func (x *Index) change(b batch) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.load != nil {
		x.load.batches = append(x.load.batches, b)
	}
	if v := x.cur.Load(); v != nil {
		x.cur.Store(x.apply(v, b))
	}
}

// apply returns the view after b: its meetings dead in base and overlay,
// the overlay merged with b's part, and the overlay merged into the base
// once it holds CompactAt meetings.
func (x *Index) apply(v *view, b batch) *view {
	next := &view{base: v.base, over: v.over}
	next.baseDead, _ = markDead(v.base, v.baseDead, b.ids)
	overDead, changed := markDead(v.over, v.overDead, b.ids)
	switch {
	case v.over.len() == 0:
		next.over = b.part
	case b.part.len() > 0 || changed:
		next.over = merge(v.over, overDead, b.part, nil)
	default:
		next.overDead = overDead
	}
	limit := x.opts.CompactAt
	if limit <= 0 {
		limit = max(20000, v.base.len()/20)
	}
	if next.over.len() >= limit {
		return &view{base: merge(next.base, next.baseDead, next.over, next.overDead), over: emptyPart}
	}
	return next
}

// markDead returns dead with the documents of p whose meetings are among
// ids (sorted) marked, a copy when that changes it, and whether it did.
func markDead(p *part, dead []uint64, ids []int64) ([]uint64, bool) {
	out, copied := dead, false
	for _, id := range ids {
		i, ok := slices.BinarySearch(p.ids, id)
		if !ok || has(out, uint32(i)) {
			continue
		}
		if !copied {
			out = make([]uint64, (p.len()+63)/64)
			copy(out, dead)
			copied = true
		}
		out[i/64] |= 1 << (i % 64)
	}
	return out, copied
}

// Search returns one page of hits for f, as search.Index says: f.Q's
// words as prefixes, typos and type names, the filters (Today and
// UpcomingHours are not part of the contract and are ignored), the point
// and radius, ordered by relevance tiers, then distance with a point,
// then id, paged by Offset up to search.MaxResults. A query without words
// is KindInvalid; before the first load, KindUnavailable.
func (x *Index) Search(ctx context.Context, f meeting.Filter) (search.Hits, error) {
	const op = "memindex.Search"
	if err := ctx.Err(); err != nil {
		return search.Hits{}, &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the request was cancelled or timed out", Err: err}
	}
	v := x.cur.Load()
	if v == nil {
		return search.Hits{}, meeting.Errorf(meeting.KindUnavailable, op, "the text index is not loaded yet")
	}
	tq, ok := textdoc.Parse(f.Q)
	if !ok {
		return search.Hits{}, meeting.Errorf(meeting.KindInvalid, op, "the query has no words to search for")
	}
	v.correct(&tq)
	tq.Finish(f.Q)
	limit := f.Limit
	if limit <= 0 {
		limit = meeting.DefaultLimit
	}
	offset := 0
	if f.Cursor != nil {
		offset = max(f.Cursor.Offset, 0)
	}
	end := min(offset+limit, search.MaxResults)
	hits := search.Hits{Hits: []search.Hit{}}
	if offset >= end {
		return hits, nil
	}
	pl := newPlan(&f, tq, end+1)
	s := getScratch()
	defer s.release()
	cands := v.base.search(pl, v.baseDead, s)
	if v.over.len() > 0 {
		cands = append(cands, v.over.search(pl, v.overDead, s)...)
		slices.SortFunc(cands, compareCands)
	}
	for _, c := range cands[min(offset, len(cands)):min(end, len(cands))] {
		h := search.Hit{ID: c.id, Score: float64(c.score)}
		if f.HasPoint {
			h.DistanceM, h.HasDistance = meeting.DistanceM(f.Point, lonLat(c.x, c.y, c.z)), true
		}
		hits.Hits = append(hits.Hits, h)
	}
	if n := len(hits.Hits); n > 0 && len(cands) > end && end < search.MaxResults {
		hits.NextCursor = &meeting.Cursor{Offset: end, ID: hits.Hits[n-1].ID}
	}
	return hits, nil
}

// correct looks tq's long words up in the vocabularies of the view's
// parts: a word of any is known; for the others the candidates are the
// words with the same first letter within textdoc.MaxEdits
// (textdoc.Query.Correct picks the corrections).
func (v *view) correct(tq *textdoc.Query) {
	for _, w := range tq.NeedsLookup() {
		known := false
		for _, p := range [...]*part{v.base, v.over} {
			known = known || p.words.find(w) >= 0
		}
		if known {
			tq.Correct(w, true, nil)
			continue
		}
		runes := utf8.RuneCountInString(w)
		limit := textdoc.MaxEdits(runes)
		first, _ := utf8.DecodeRuneInString(w)
		var near []textdoc.Candidate
		for _, p := range [...]*part{v.base, v.over} {
			for _, k := range p.shapeRange(first, runes-limit, runes+limit) {
				word := p.words.at(int(k))
				if textdoc.EditDistance(w, word, limit) > limit {
					continue
				}
				docs := len(p.all.at(int(k)))
				if i := slices.IndexFunc(near, func(c textdoc.Candidate) bool { return c.Word == word }); i >= 0 {
					near[i].Docs += docs
				} else {
					near = append(near, textdoc.Candidate{Word: word, Docs: docs})
				}
			}
		}
		tq.Correct(w, false, near)
	}
}

// Status is what /readyz reports of the index.
type Status struct {
	// Ready is true once a load has completed: the index answers.
	Ready bool
	// Loading is true while a load is being built.
	Loading bool
	// Meetings is the number of meetings it holds.
	Meetings int
	// LoadTook is how long the last completed load took to build.
	LoadTook time.Duration
}

// Status returns the index's state.
func (x *Index) Status() Status {
	x.mu.Lock()
	defer x.mu.Unlock()
	st := Status{Loading: x.load != nil, LoadTook: x.took}
	if v := x.cur.Load(); v != nil {
		st.Ready = true
		st.Meetings = v.base.len() - ones(v.baseDead) + v.over.len() - ones(v.overDead)
	}
	return st
}

// Ready reports whether the index answers (a load has completed).
func (x *Index) Ready() bool { return x.cur.Load() != nil }

// ones counts the bits of a set.
func ones(set []uint64) int {
	n := 0
	for _, w := range set {
		n += bits.OnesCount64(w)
	}
	return n
}
