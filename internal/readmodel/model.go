// Package readmodel is the in-memory read side of meetingfinder: every
// public meeting, held in compact, pointer-free columns with a spatial
// grid and a time order, answering "meetings near me", the no-point
// filters and the whole feeds from memory. PostgreSQL stays the source of
// truth for every write: a Model loads the public meetings once
// (meeting.PublicLoader) and then follows the change log that PostgreSQL
// keeps in the same transaction as each write (meeting.ChangeLog), by
// polling, so that it works on a hot standby too.
//
// Readers never lock: a Model is an immutable view (a large base snapshot,
// a bit set of its meetings since replaced or removed, and a small overlay
// snapshot of changed and new meetings) behind an atomic pointer. Applying
// changes builds a new overlay and swaps the view; when the overlay grows
// large, base and overlay are merged into a new base.
//
// A Model answers exactly as the PostgreSQL stores do (the conformance
// suite internal/meeting/storetest runs on it): the same meetings, order,
// distances, occurrences and cursors. It has no text index: a Filter with
// words in Q is KindInvalid, as for internal/memstore; text queries go to
// the search index. It feeds one, though: Options.OnLoad and OnChange
// hand every load and change to an index built in memory
// (internal/search/memindex in serve), so that it follows the same writes
// as the model, on every instance, and Results turns that index's hits
// into meetings without a round trip to the database.
//
// It imports only the standard library, orb and internal/meeting.
package readmodel

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"math"
	"math/bits"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Options adjust a Model.
type Options struct {
	// Logger gets a line per load and per failure; nil means
	// slog.Default(). It never gets a meeting's content.
	Logger *slog.Logger
	// Now returns the current time, for a Filter without Now; nil means
	// time.Now.
	Now func() time.Time
	// CompactAt is the overlay size at which base and overlay are merged;
	// 0 means max(20000, a twentieth of the base).
	CompactAt int
	// OnLoad, when set, is called after each load with every public
	// meeting the model now holds (n of them), so that an index built
	// from them (memindex, serve's text index) starts from the same data:
	// in parts by id range, GOMAXPROCS of them, to be read at once on as
	// many cores. The parts read an immutable snapshot: they may be read
	// later and from other goroutines, any number of times; each meeting
	// they yield is valid only until the next (its strings are the
	// model's memory, never to be written).
	OnLoad func(n int, parts ...iter.Seq[*meeting.Meeting])
	// OnChange, when set, is called after each applied change with the
	// meetings now public among those changed (owned by the callee) and
	// the ids of the others, which are no longer public. Like OnLoad it is
	// called from the goroutine that runs Load, Sync or Run, in order,
	// after the model answers with the change; it should not block long.
	OnChange func(public []meeting.Meeting, removed []int64)
}

// Model is the read model. The zero value is not usable: call New. A
// Model is safe for concurrent use; Load, Sync and Run must not run
// concurrently with each other.
type Model struct {
	src    meeting.PublicLoader
	log    meeting.ChangeLog
	opts   Options
	logger *slog.Logger
	now    func() time.Time
	epoch  string

	cur    atomic.Pointer[view]
	cursor meeting.ChangeCursor

	mu       sync.Mutex // guards the status fields below
	lastSync time.Time  // when the last poll of the change log succeeded
	lastErr  error      // the last load or poll error, nil after a success
	loading  bool
}

// view is one immutable state of the model.
type view struct {
	base    *snapshot
	dead    []uint64 // bit i: base meeting i replaced or removed
	over    *snapshot
	version uint64

	areasOnce sync.Once
	areas     [][]string
}

// New returns a Model that loads from src and follows log. It holds
// nothing until Load (or Run) succeeds.
func New(src meeting.PublicLoader, log meeting.ChangeLog, opts Options) *Model {
	m := &Model{src: src, log: log, opts: opts, logger: opts.Logger, now: opts.Now}
	if m.logger == nil {
		m.logger = slog.Default()
	}
	if m.now == nil {
		m.now = time.Now
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	m.epoch = hex.EncodeToString(b[:])
	return m
}

// Load reads every public meeting into a new view and makes it current.
// A load that fails halfway leaves the current view (if any) in place: a
// partial model is never served.
func (m *Model) Load(ctx context.Context) error {
	const op = "readmodel.Load"
	start := time.Now()
	m.setLoading(true)
	defer m.setLoading(false)
	n := m.sizeHint(ctx)
	b := newBuilder(n, n*recordGuess)
	cursor, err := m.src.LoadPublic(ctx, func(mt *meeting.Meeting) error {
		b.add(mt)
		return ctx.Err()
	})
	if err != nil {
		err = wrap(op, err)
		m.fail(err)
		return err
	}
	base := b.finish()
	v := &view{base: base, over: newBuilder(0, 0).finish()}
	if old := m.cur.Load(); old != nil {
		v.version = old.version + 1
	}
	m.cursor = cursor
	m.cur.Store(v)
	m.succeed()
	// The load's garbage (rows, builders, the old view) is several times
	// the model: hand it back to the system now rather than whenever the
	// runtime gets round to it.
	debug.FreeOSMemory()
	m.logger.Info("read model loaded", slog.Int("meetings", base.len()), slog.Duration("duration", time.Since(start)))
	if m.opts.OnLoad != nil {
		k := max(1, min(runtime.GOMAXPROCS(0), base.len()/10000))
		parts := make([]iter.Seq[*meeting.Meeting], k)
		for i := range parts {
			parts[i] = base.each(i*base.len()/k, (i+1)*base.len()/k)
		}
		m.opts.OnLoad(base.len(), parts...)
	}
	return nil
}

// PublicEstimator is what a PublicLoader may also offer: a cheap estimate
// of how many public meetings a load will read (postgres.DB's comes from
// the table statistics), to size the model before it is read.
type PublicEstimator interface {
	EstimatePublic(ctx context.Context) (int, error)
}

// sizeHint returns how many meetings to size a load for: the source's
// estimate, with a margin, or a small start without one.
func (m *Model) sizeHint(ctx context.Context) int {
	const fallback = 1 << 16
	e, ok := m.src.(PublicEstimator)
	if !ok {
		return fallback
	}
	n, err := e.EstimatePublic(ctx)
	if err != nil || n <= 0 {
		return fallback
	}
	return min(n+n/20+1024, 1<<26)
}

// Sync reads the change log once and applies what changed. It returns the
// number of meetings that changed. A cursor the log no longer holds
// (KindConflict) makes Sync load everything again.
func (m *Model) Sync(ctx context.Context) (int, error) {
	const op = "readmodel.Sync"
	v := m.cur.Load()
	if v == nil {
		return 0, m.Load(ctx)
	}
	batch, err := m.log.ChangesSince(ctx, m.cursor)
	if meeting.IsKind(err, meeting.KindConflict) {
		m.logger.Warn("read model fell behind the change log; loading again")
		return 0, m.Load(ctx)
	}
	if err != nil {
		err = wrap(op, err)
		m.fail(err)
		return 0, err
	}
	if len(batch.IDs) > 0 {
		ms, err := m.src.PublicByID(ctx, batch.IDs)
		if err != nil {
			err = wrap(op, err)
			m.fail(err)
			return 0, err
		}
		next := m.apply(v, batch.IDs, ms)
		m.cur.Store(next)
		if next.base != v.base {
			debug.FreeOSMemory() // a compaction left the old base behind
		}
		if m.opts.OnChange != nil {
			m.opts.OnChange(ms, removedIDs(batch.IDs, ms))
		}
	}
	m.cursor = batch.Next
	m.succeed()
	return len(batch.IDs), nil
}

// Run loads the model, then polls the change log every interval until ctx
// ends, retrying after failures (with the interval doubling up to 5 s
// while they last). It returns ctx's error.
func (m *Model) Run(ctx context.Context, interval time.Duration) error {
	wait := interval
	for {
		if _, err := m.Sync(ctx); err != nil && ctx.Err() == nil {
			m.logger.Warn("read model: sync failed", slog.String("error", err.Error()))
			wait = min(2*wait, 5*time.Second)
		} else {
			wait = interval
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// apply returns the view after the meetings ids changed: ms are those of
// them that are public now; the others are gone.
func (m *Model) apply(v *view, ids []int64, ms []meeting.Meeting) *view {
	changed := make(map[int64]bool, len(ids))
	for _, id := range ids {
		changed[id] = true
	}
	dead := slices.Clone(v.dead)
	if dead == nil {
		dead = make([]uint64, (v.base.len()+63)/64)
	}
	for _, id := range ids {
		if i := v.base.index(id); i >= 0 {
			dead[i/64] |= 1 << (i % 64)
		}
	}
	b := newBuilder(v.over.len()+len(ms), len(v.over.arena)+len(ms)*recordGuess)
	var mt meeting.Meeting
	for i := range v.over.id {
		if !changed[v.over.id[i]] {
			v.over.meeting(i, &mt)
			b.add(&mt)
		}
	}
	for i := range ms {
		b.add(&ms[i])
	}
	next := &view{base: v.base, dead: dead, over: b.finish(), version: v.version + 1}
	limit := m.opts.CompactAt
	if limit <= 0 {
		limit = max(20000, v.base.len()/20)
	}
	if next.over.len() >= limit {
		next = compact(next)
	}
	return next
}

// removedIDs returns the ids of ids that are not among the meetings ms.
func removedIDs(ids []int64, ms []meeting.Meeting) []int64 {
	public := make(map[int64]bool, len(ms))
	for i := range ms {
		public[ms[i].ID] = true
	}
	var out []int64
	for _, id := range ids {
		if !public[id] {
			out = append(out, id)
		}
	}
	return out
}

// compact merges a view's live base meetings and its overlay into a new
// base.
func compact(v *view) *view {
	b := newBuilder(v.base.len()+v.over.len(), len(v.base.arena)+len(v.over.arena))
	var mt meeting.Meeting
	p := part{s: v.base, dead: v.dead}
	for i := range v.base.id {
		if p.alive(i) {
			v.base.meeting(i, &mt)
			b.add(&mt)
		}
	}
	for i := range v.over.id {
		v.over.meeting(i, &mt)
		b.add(&mt)
	}
	return &view{base: b.finish(), over: newBuilder(0, 0).finish(), version: v.version}
}

// wrap keeps err's kind and names op.
func wrap(op string, err error) error {
	var e *meeting.Error
	if errors.As(err, &e) {
		return &meeting.Error{Kind: e.Kind, Op: op, Message: e.Message, Err: err}
	}
	return meeting.Wrap(meeting.KindUnavailable, op, err)
}

func (m *Model) setLoading(on bool) {
	m.mu.Lock()
	m.loading = on
	m.mu.Unlock()
}

func (m *Model) fail(err error) {
	m.mu.Lock()
	m.lastErr = err
	m.mu.Unlock()
}

func (m *Model) succeed() {
	m.mu.Lock()
	m.lastErr, m.lastSync = nil, time.Now()
	m.mu.Unlock()
}

// Status is what /readyz reports of the model.
type Status struct {
	// Ready is true once a load has succeeded: the model answers.
	Ready bool
	// Loading is true while a load runs.
	Loading bool
	// Meetings is the number of public meetings held.
	Meetings int
	// Lag is how long ago the change log was last read successfully.
	Lag time.Duration
	// Err is the last load or poll error, nil after a success.
	Err error
}

// Status returns the model's state.
func (m *Model) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := Status{Loading: m.loading, Err: m.lastErr}
	if v := m.cur.Load(); v != nil {
		st.Ready = true
		st.Meetings = v.count()
		st.Lag = time.Since(m.lastSync)
	}
	return st
}

// Ready reports whether the model holds a loaded view.
func (m *Model) Ready() bool { return m.cur.Load() != nil }

// DataVersion returns the version of the data the model holds, which
// changes with every applied change and every load, and whether the model
// is loaded. It is unique to this process (an epoch drawn at New), so two
// instances never share a version for different data.
func (m *Model) DataVersion() (string, bool) {
	v := m.cur.Load()
	if v == nil {
		return "", false
	}
	return fmt.Sprintf("%s-%d", m.epoch, v.version), true
}

// count returns the number of live meetings of v.
func (v *view) count() int {
	dead := 0
	for _, w := range v.dead {
		dead += bits.OnesCount64(w)
	}
	return v.base.len() - dead + v.over.len()
}

// loaded returns the current view, or a KindUnavailable error.
func (m *Model) loaded(op string) (*view, error) {
	v := m.cur.Load()
	if v == nil {
		return nil, meeting.Errorf(meeting.KindUnavailable, op, "the read model is not loaded yet")
	}
	return v, nil
}

// Find returns one page of public meetings matching f, as
// postgres.MeetingStore.Find does. A Filter with words in Q is
// KindInvalid (the model has no text index); a cursor whose Start is not
// a time of day is KindInvalid.
func (m *Model) Find(ctx context.Context, f meeting.Filter) (meeting.Page, error) {
	const op = "readmodel.Find"
	limit := f.Limit
	if limit <= 0 {
		limit = meeting.DefaultLimit
	}
	rs, err := m.find(ctx, op, f, limit+1)
	if err != nil {
		return meeting.Page{}, err
	}
	page := meeting.Page{Results: rs}
	if len(rs) > limit {
		page.Results = rs[:limit]
		page.NextCursor = meeting.CursorAfter(&page.Results[limit-1], f.HasPoint)
	}
	return page, nil
}

// All returns every public meeting matching f in Find's order, ignoring
// f.Limit and f.Cursor (httpapi.FeedStore).
func (m *Model) All(ctx context.Context, f meeting.Filter) ([]meeting.Result, error) {
	f.Cursor = nil
	return m.find(ctx, "readmodel.All", f, math.MaxInt)
}

// Each calls fn with every public meeting matching f, ignoring f.Limit and
// f.Cursor, one at a time, in Find's order when f has a point and else by
// id (httpapi.FeedStore's contract): the whole feeds stream
// from it (httpapi.FeedStore). fn's Result is only valid during the call;
// an error from fn stops the walk and is returned. Its other errors are
// Find's.
func (m *Model) Each(ctx context.Context, f meeting.Filter, fn func(*meeting.Result) error) error {
	const op = "readmodel.Each"
	f.Cursor = nil
	q, err := m.prepare(ctx, op, &f)
	if err != nil {
		return err
	}
	var ferr error
	emit := func(h hit) bool {
		if ferr = ctx.Err(); ferr != nil {
			ferr = &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the request was cancelled or timed out", Err: ferr}
			return false
		}
		r := result(h, f.HasPoint, q.now, q.dbNow)
		ferr = fn(&r)
		return ferr == nil
	}
	if f.HasPoint {
		for _, h := range nearest(q.parts, f.Point.Lon(), f.Point.Lat(), q.radiusM, nil, math.MaxInt) {
			if !emit(h) {
				break
			}
		}
	} else {
		eachByID(q.parts, zoneShare, emit)
	}
	return ferr
}

// eachByID calls emit with each matching live meeting by id, until emit
// returns false: a merge of the parts, each ordered by id. A filter with
// today or upcoming reads only the parts' zone windows (zoneHits) when
// they span fewer than share of the meetings; share 0 reads every meeting.
func eachByID(parts []part, share float64, emit func(hit) bool) {
	if hits, ok := zoneHits(parts, share); ok {
		slices.SortFunc(hits, func(a, b hit) int { return cmp.Compare(a.s.id[a.i], b.s.id[b.i]) })
		for _, h := range hits {
			if !emit(h) {
				return
			}
		}
		return
	}
	pos := make([]int, len(parts))
	for {
		best := -1
		for k := range parts {
			p := &parts[k]
			for pos[k] < p.s.len() && !(p.alive(pos[k]) && p.c.match(p.s, pos[k])) {
				pos[k]++
			}
			if pos[k] < p.s.len() && (best < 0 || p.s.id[pos[k]] < parts[best].s.id[pos[best]]) {
				best = k
			}
		}
		if best < 0 {
			return
		}
		h := hit{s: parts[best].s, i: pos[best]}
		pos[best]++
		if !emit(h) {
			return
		}
	}
}

// zoneHits returns every matching live meeting of parts, in no order,
// read from the windows of their zone orders. ok is false when a part's
// filter has neither today nor upcoming, or when its windows span share
// or more of its meetings.
func zoneHits(parts []part, share float64) (_ []hit, ok bool) {
	var streams []stream
	for k := range parts {
		p := &parts[k]
		var n int
		if streams, n, ok = zoneStreams(p, nil, streams); !ok || float64(n) >= share*float64(p.s.len()) {
			return nil, false
		}
	}
	var hits []hit
	for _, st := range streams {
		for ; st.next(); st.pos++ {
			hits = append(hits, hit{s: st.p.s, i: int(st.order[st.pos])})
		}
	}
	return hits, true
}

// prepared is a query read against the current view.
type prepared struct {
	parts      []part
	now, dbNow time.Time
	radiusM    float64
}

// prepare checks f and reads it against the current view.
func (m *Model) prepare(ctx context.Context, op string, f *meeting.Filter) (*prepared, error) {
	if err := ctx.Err(); err != nil {
		return nil, &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the request was cancelled or timed out", Err: err}
	}
	if meeting.HasWords(f.Q) {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "text queries (q) are not answered by the read model")
	}
	if f.Cursor != nil && !f.HasPoint && !meeting.Clock(f.Cursor.Start).Valid() {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "the cursor's start %d is not a time of day", f.Cursor.Start)
	}
	v, err := m.loaded(op)
	if err != nil {
		return nil, err
	}
	q := &prepared{now: f.Now}
	if q.now.IsZero() {
		q.now = m.now()
	}
	q.dbNow = q.now.Truncate(time.Microsecond)
	var horizon time.Time
	if f.UpcomingHours > 0 {
		horizon = q.now.Add(time.Duration(f.UpcomingHours * float64(time.Hour))).Truncate(time.Microsecond)
	}
	q.parts = v.parts(f, newZoneClocks(q.dbNow), horizon)
	q.radiusM = f.RadiusKM * 1000
	if q.radiusM <= 0 {
		q.radiusM = meeting.DefaultRadiusKM * 1000
	}
	return q, nil
}

// find returns at most need matching meetings after f.Cursor.
func (m *Model) find(ctx context.Context, op string, f meeting.Filter, need int) ([]meeting.Result, error) {
	q, err := m.prepare(ctx, op, &f)
	if err != nil {
		return nil, err
	}
	var hits []hit
	if f.HasPoint {
		hits = nearest(q.parts, f.Point.Lon(), f.Point.Lat(), q.radiusM, f.Cursor, need)
	} else {
		hits = byTime(q.parts, f.Cursor, need)
	}
	out := make([]meeting.Result, len(hits))
	for k, h := range hits {
		out[k] = result(h, f.HasPoint, q.now, q.dbNow)
	}
	return out, nil
}

// parts returns v's snapshots with f compiled for each, leaving out those
// where nothing can match.
func (v *view) parts(f *meeting.Filter, clocks *zoneClocks, horizon time.Time) []part {
	out := make([]part, 0, 2)
	for _, p := range []part{{s: v.base, dead: v.dead}, {s: v.over}} {
		if p.s.len() == 0 {
			continue
		}
		p.c = compile(p.s, f, clocks, horizon)
		if !p.c.none {
			out = append(out, p)
		}
	}
	return out
}

// Get returns the public meeting with the given id, or KindNotFound.
func (m *Model) Get(ctx context.Context, id int64) (*meeting.Meeting, error) {
	const op = "readmodel.Get"
	v, err := m.loaded(op)
	if err != nil {
		return nil, err
	}
	var mt meeting.Meeting
	if i := v.over.index(id); i >= 0 {
		v.over.meeting(i, &mt)
		return &mt, nil
	}
	p := part{s: v.base, dead: v.dead}
	if i := v.base.index(id); i >= 0 && p.alive(i) {
		v.base.meeting(i, &mt)
		return &mt, nil
	}
	return nil, meeting.Errorf(meeting.KindNotFound, op, "no meeting has id %d", id)
}

// Results returns the public meetings with the given ids, in that order,
// with their distance from f's point (when f has one and the meeting a
// point) and their current or next occurrence at f.Now, as
// postgres.MeetingStore.Results does: the Loader of search.Store, which
// turns a text index's hits into meetings. Ids the model does not hold
// (no longer public) are skipped. Before the first load it is
// KindUnavailable.
func (m *Model) Results(ctx context.Context, ids []int64, f meeting.Filter) ([]meeting.Result, error) {
	const op = "readmodel.Results"
	if err := ctx.Err(); err != nil {
		return nil, &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the request was cancelled or timed out", Err: err}
	}
	v, err := m.loaded(op)
	if err != nil {
		return nil, err
	}
	now := f.Now
	if now.IsZero() {
		now = m.now()
	}
	dbNow := now.Truncate(time.Microsecond)
	out := make([]meeting.Result, 0, len(ids))
	base := part{s: v.base, dead: v.dead}
	for _, id := range ids {
		h := hit{s: v.over, i: v.over.index(id)}
		if h.i < 0 {
			h = hit{s: v.base, i: v.base.index(id)}
			if h.i < 0 || !base.alive(h.i) {
				continue
			}
		}
		withDistance := f.HasPoint && h.s.hasPoint[h.i]
		if withDistance {
			h.dist = meeting.DistanceM(f.Point, pointOf(h.s.lng[h.i], h.s.lat[h.i]))
		}
		out = append(out, result(h, withDistance, now, dbNow))
	}
	return out, nil
}

// Areas returns the distinct source-and-regions lists of the public
// meetings, ordered as PostgreSQL orders them under the C collation.
func (m *Model) Areas(ctx context.Context) ([][]string, error) {
	v, err := m.loaded("readmodel.Areas")
	if err != nil {
		return nil, err
	}
	v.areasOnce.Do(func() { v.areas = v.computeAreas() })
	out := make([][]string, len(v.areas))
	for i, a := range v.areas {
		out[i] = slices.Clone(a)
	}
	return out, nil
}

// computeAreas collects the areas of the live meetings.
func (v *view) computeAreas() [][]string {
	var out [][]string
	for _, p := range []part{{s: v.base, dead: v.dead}, {s: v.over}} {
		used := make([]bool, len(p.s.areas))
		for i := range p.s.id {
			if p.alive(i) {
				used[p.s.area[i]] = true
			}
		}
		for a, ok := range used {
			if ok {
				out = append(out, p.s.areas[a])
			}
		}
	}
	slices.SortFunc(out, slices.Compare)
	return slices.CompactFunc(out, slices.Equal)
}

// pointOf returns the orb point [lng, lat].
func pointOf(lng, lat float64) orb.Point { return orb.Point{lng, lat} }
