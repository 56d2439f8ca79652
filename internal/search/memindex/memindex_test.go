package memindex_test

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
	"github.com/meetingfinder/meetingfinder/internal/search/memindex"
	"github.com/meetingfinder/meetingfinder/internal/search/searchtest"
)

var ctx = context.Background()

// quiet is a logger that drops everything.
var quiet = slog.New(slog.DiscardHandler)

// loaded returns an index loaded with ms, waiting for the load.
func loaded(t testing.TB, opts memindex.Options, ms []meeting.Meeting) *memindex.Index {
	t.Helper()
	opts.Logger = quiet
	x := memindex.New(opts)
	<-x.Load(len(ms), each(ms))
	if !x.Ready() {
		t.Fatal("not ready after Load")
	}
	return x
}

// each yields the meetings of ms.
func each(ms []meeting.Meeting) iter.Seq[*meeting.Meeting] {
	return func(yield func(*meeting.Meeting) bool) {
		for i := range ms {
			if !yield(&ms[i]) {
				return
			}
		}
	}
}

// TestConformance runs the search.Index conformance suite, with an
// overlay merged into the base every few meetings so that base, overlay
// and merges all take part.
func TestConformance(t *testing.T) {
	for _, compactAt := range []int{1 << 30, 3} {
		t.Run(fmt.Sprintf("compact at %d", compactAt), func(t *testing.T) {
			searchtest.Run(t, func(t *testing.T) searchtest.Harness {
				return searchtest.Harness{Index: loaded(t, memindex.Options{CompactAt: compactAt}, nil),
					Put: searchtest.Sequence(), Remove: func(*testing.T, []int64) {}}
			})
		})
	}
}

// finder answers text queries through x as search.Store does, with the
// meetings of ms (by id) as the loader.
func finder(x *memindex.Index, ms []meeting.Meeting) searchtest.Finder {
	byID := map[int64]meeting.Meeting{}
	for _, m := range ms {
		byID[m.ID] = m
	}
	return func(ctx context.Context, f meeting.Filter) (meeting.Page, error) {
		hits, err := x.Search(ctx, f)
		if err != nil {
			return meeting.Page{}, err
		}
		p := meeting.Page{NextCursor: hits.NextCursor}
		for _, h := range hits.Hits {
			p.Results = append(p.Results, meeting.Result{Meeting: byID[h.ID], DistanceM: h.DistanceM, HasDistance: h.HasDistance})
		}
		return p, nil
	}
}

// numbered returns ms numbered 1, 2, ….
func numbered(ms []meeting.Meeting) []meeting.Meeting {
	ms = slices.Clone(ms)
	for i := range ms {
		ms[i].ID = int64(i + 1)
	}
	return ms
}

// TestRelevance runs the relevance cases of PostgreSQL text search on
// the index, loaded in one go and built up by upserts.
func TestRelevance(t *testing.T) {
	t.Run("loaded", func(t *testing.T) {
		searchtest.Relevance(t, func(t *testing.T, ms []meeting.Meeting) searchtest.Finder {
			ms = numbered(ms)
			return finder(loaded(t, memindex.Options{}, ms), ms)
		})
	})
	t.Run("upserted", func(t *testing.T) {
		searchtest.Relevance(t, func(t *testing.T, ms []meeting.Meeting) searchtest.Finder {
			ms = numbered(ms)
			x := loaded(t, memindex.Options{CompactAt: 700}, nil)
			for i := 0; i < len(ms); i += 97 {
				if err := x.Upsert(ctx, ms[i:min(i+97, len(ms))]); err != nil {
					t.Fatal(err)
				}
			}
			return finder(x, ms)
		})
	})
}

// TestUnavailableBeforeLoad: until its first load the index answers
// KindUnavailable (search.Store then asks PostgreSQL).
func TestUnavailableBeforeLoad(t *testing.T) {
	x := memindex.New(memindex.Options{Logger: quiet})
	if _, err := x.Search(ctx, meeting.Filter{Q: "serenity"}); !meeting.IsKind(err, meeting.KindUnavailable) {
		t.Fatalf("err %v, want KindUnavailable", err)
	}
	if st := x.Status(); st.Ready {
		t.Errorf("status %+v", st)
	}
	ms := numbered(demo.Generate(1, 50))
	<-x.Load(len(ms), each(ms))
	if st := x.Status(); !st.Ready || st.Meetings != 50 || st.Loading {
		t.Errorf("status %+v after loading 50", st)
	}
}

// ids returns the ids of hits.
func ids(h search.Hits) []int64 {
	out := []int64{}
	for _, x := range h.Hits {
		out = append(out, x.ID)
	}
	return out
}

// queries are the shapes of queries people type, on demo data.
var queries = []string{"serenity", "serinity grup", "a", "s", "big bo", "hope", "newcomrs meting", "women", "spanish",
	"new york", "lving sobr", "happy ho", "recovery", "zzyzxqv", "al", "esperanza", "geneve", "mi", "12", "step"}

// points are query points near demo cities.
var points = []orb.Point{{-74.006, 40.7128}, {-118.2437, 34.0522}, {-0.1276, 51.5072}, {2.3522, 48.8566}, {151.2093, -33.8688}}

// filters are the query variants each query runs with.
func filters(q string) []meeting.Filter {
	after := meeting.NewClock(18, 0)
	out := []meeting.Filter{{Q: q, Limit: meeting.MaxLimit}, {Q: q, Limit: 10, Days: []meeting.Weekday{1, 3}, StartAfter: &after},
		{Q: q, Limit: 50, Types: []string{"O"}, Attendance: []meeting.Attendance{meeting.AttendanceInPerson}}}
	for _, p := range points {
		out = append(out, meeting.Filter{Q: q, Point: p, HasPoint: true, Limit: 100},
			meeting.Filter{Q: q, Point: p, HasPoint: true, RadiusKM: 5, Limit: 20, Programs: []meeting.Program{meeting.ProgramAA}})
	}
	return out
}

// TestChangesAsIfLoaded: an index fed by upserts and deletes (overlay,
// merges, merges into the base) answers every query as an index loaded
// with the same meetings does.
func TestChangesAsIfLoaded(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	ms := numbered(demo.Generate(3, 3000))
	x := loaded(t, memindex.Options{CompactAt: 500}, ms[:2000])
	live := map[int64]meeting.Meeting{}
	for _, m := range ms[:2000] {
		live[m.ID] = m
	}
	for round := range 30 {
		var batch []meeting.Meeting
		for range rnd.IntN(60) + 1 {
			m := ms[rnd.IntN(len(ms))]
			switch rnd.IntN(4) {
			case 0: // renamed
				m.Name = fmt.Sprintf("Renamed %d Serenity Group", round)
			case 1: // no longer public
				m.Status = meeting.StatusPending
			}
			batch = append(batch, m)
			if search.Public(&m) {
				live[m.ID] = m
			} else {
				delete(live, m.ID)
			}
		}
		if err := x.Upsert(ctx, batch); err != nil {
			t.Fatal(err)
		}
		var gone []int64
		for range rnd.IntN(10) {
			id := int64(rnd.IntN(len(ms)) + 1)
			gone = append(gone, id)
			delete(live, id)
		}
		if err := x.Delete(ctx, gone); err != nil {
			t.Fatal(err)
		}
	}
	var want []meeting.Meeting
	for _, m := range live {
		want = append(want, m)
	}
	slices.SortFunc(want, func(a, b meeting.Meeting) int { return int(a.ID - b.ID) })
	ref := loaded(t, memindex.Options{}, want)
	if got, want := x.Status().Meetings, ref.Status().Meetings; got != want {
		t.Errorf("%d meetings, want %d", got, want)
	}
	for _, q := range queries {
		for _, f := range filters(q) {
			g, err := x.Search(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			w, err := ref.Search(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(w, g); d != "" {
				t.Errorf("%+v (-loaded +changed):\n%s", f, d)
			}
		}
	}
}

// TestOrder: results come by score (higher first), then distance with a
// point, then id, whichever way the index finds them (early stop without
// a point, heap with one); pages follow one another up to
// search.MaxResults.
func TestOrder(t *testing.T) {
	ms := numbered(demo.Generate(5, 20000))
	x := loaded(t, memindex.Options{}, ms)
	for _, q := range queries {
		for _, f := range filters(q) {
			h, err := x.Search(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for i := 1; i < len(h.Hits); i++ {
				a, b := h.Hits[i-1], h.Hits[i]
				if a.Score < b.Score || a.Score == b.Score && (a.DistanceM > b.DistanceM || a.DistanceM == b.DistanceM && a.ID >= b.ID) {
					t.Errorf("%q %+v: hit %d %+v before %+v", q, f, i, a, b)
					break
				}
			}
			if f.HasPoint {
				for _, hit := range h.Hits {
					if !hit.HasDistance || hit.DistanceM > max(f.RadiusKM, meeting.DefaultRadiusKM*boolf(f.RadiusKM == 0))*1000 {
						t.Errorf("%q: hit %+v outside the radius", q, hit)
					}
				}
			}
		}
	}
	// One letter: paging by 200 reads 1000 results, each once, in the
	// order of one page of 1000.
	for _, f := range []meeting.Filter{{Q: "a"}, {Q: "s", Point: points[0], HasPoint: true}} {
		var got []int64
		f.Limit = meeting.MaxLimit
		for page := 0; ; page++ {
			h, err := x.Search(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ids(h)...)
			if h.NextCursor == nil {
				break
			}
			if page > 10 {
				t.Fatal("too many pages")
			}
			f.Cursor = h.NextCursor
		}
		if len(got) != search.MaxResults {
			t.Errorf("%q: %d results over the pages, want %d", f.Q, len(got), search.MaxResults)
		}
		if s := slices.Clone(got); len(slices.Compact(slices.Sorted(slices.Values(s)))) != len(got) {
			t.Errorf("%q: a meeting came twice", f.Q)
		}
	}
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// TestHostileQueries: whatever is typed, Search answers hits or
// KindInvalid (no words), never another error.
func TestHostileQueries(t *testing.T) {
	x := loaded(t, memindex.Options{}, numbered(demo.Generate(2, 500)))
	for _, q := range []string{`'quoted' "double"`, "a & b | !c", "word:*", `back\slash\\`, "nul\x00byte", "emoji 🙂 here",
		"שלום עולם", "مرحبا", "::*", "'''", "\xff\xfe invalid utf8", "e\u0301cole", "a", "ab", "zz", "?!", ""} {
		for _, hasPoint := range []bool{false, true} {
			_, err := x.Search(ctx, meeting.Filter{Q: q, Point: points[0], HasPoint: hasPoint})
			if err != nil && !meeting.IsKind(err, meeting.KindInvalid) {
				t.Errorf("%q: %v", q, err)
			}
		}
	}
}

// FuzzSearch: any query on a small index answers without panicking, hits
// in order, none twice.
func FuzzSearch(f *testing.F) {
	x := loaded(f, memindex.Options{}, numbered(demo.Generate(4, 300)))
	for _, q := range queries {
		f.Add(q, false)
	}
	f.Fuzz(func(t *testing.T, q string, hasPoint bool) {
		h, err := x.Search(ctx, meeting.Filter{Q: q, Point: points[0], HasPoint: hasPoint, Limit: 50})
		if err != nil {
			if !meeting.IsKind(err, meeting.KindInvalid) {
				t.Fatalf("%q: %v", q, err)
			}
			return
		}
		seen := map[int64]bool{}
		for _, hit := range h.Hits {
			if seen[hit.ID] {
				t.Fatalf("%q: %d twice", q, hit.ID)
			}
			seen[hit.ID] = true
		}
	})
}

// TestLoadAnyOrder: a load of meetings in any order, some twice (the last
// version counts) and some not public, in one part or several, answers
// as a load of the public last versions by id.
func TestLoadAnyOrder(t *testing.T) {
	ms := numbered(demo.Generate(6, 2000))
	want := slices.Clone(ms)
	in := slices.Clone(ms)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
	for i := 0; i < 100; i++ {
		old := ms[i]
		old.Name = "Outdated Serenity " + old.Name
		renamed := ms[i]
		renamed.Name = "Renamed Hope Group"
		hidden := ms[100+i]
		hidden.Status = meeting.StatusRejected
		in = append([]meeting.Meeting{old}, in...)
		in = append(in, renamed, hidden)
		want[i] = renamed
		want[100+i] = hidden
	}
	ref := loaded(t, memindex.Options{}, want)
	// In one part, and in three read at once (the later ones newer).
	parts := memindex.New(memindex.Options{Logger: quiet})
	third := len(in) / 3
	<-parts.Load(len(in), each(in[:third]), each(in[third:2*third]), each(in[2*third:]))
	for name, got := range map[string]*memindex.Index{"one part": loaded(t, memindex.Options{}, in), "three parts": parts} {
		if g, w := got.Status().Meetings, ref.Status().Meetings; g != w || g != 1900 {
			t.Errorf("%s: %d meetings, want %d (1900)", name, g, w)
		}
		for _, q := range append(queries, "outdated", "renamed hope") {
			for _, f := range filters(q) {
				g, err := got.Search(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				w, _ := ref.Search(ctx, f)
				if d := cmp.Diff(w, g); d != "" {
					t.Errorf("%s: %+v (-sorted +any order):\n%s", name, f, d)
				}
			}
		}
	}
}

// TestChangesDuringLoad: changes made while a load is being built are
// applied on top of it; before the load completes the index answers as
// before it began.
func TestChangesDuringLoad(t *testing.T) {
	ms := numbered(demo.Generate(8, 500))
	x := loaded(t, memindex.Options{}, ms[:100])
	release := make(chan struct{})
	slow := func(yield func(*meeting.Meeting) bool) {
		<-release
		for i := range ms {
			if !yield(&ms[i]) {
				return
			}
		}
	}
	done := x.Load(len(ms), slow)
	fresh := ms[0]
	fresh.Name = "Zebra Crossing Group"
	if err := x.Upsert(ctx, []meeting.Meeting{fresh}); err != nil {
		t.Fatal(err)
	}
	if err := x.Delete(ctx, []int64{ms[1].ID, ms[300].ID}); err != nil {
		t.Fatal(err)
	}
	if st := x.Status(); !st.Loading || st.Meetings != 99 {
		t.Errorf("while loading: %+v, want loading, 99 meetings", st)
	}
	h, _ := x.Search(ctx, meeting.Filter{Q: "zebra"})
	if !cmp.Equal(ids(h), []int64{ms[0].ID}) {
		t.Errorf("the old view, changed: %v", ids(h))
	}
	close(release)
	<-done
	if st := x.Status(); st.Loading || st.Meetings != 498 {
		t.Errorf("after the load: %+v, want 498 meetings", st)
	}
	if h, _ := x.Search(ctx, meeting.Filter{Q: "zebra"}); !cmp.Equal(ids(h), []int64{ms[0].ID}) {
		t.Errorf("a change made during the load is lost: %v", ids(h))
	}
	want := slices.Clone(ms)
	want[0] = fresh
	want = slices.Delete(want, 300, 301)
	want = slices.Delete(want, 1, 2)
	ref := loaded(t, memindex.Options{}, want)
	for _, q := range queries {
		for _, f := range filters(q) {
			g, _ := x.Search(ctx, f)
			w, _ := ref.Search(ctx, f)
			if d := cmp.Diff(w, g); d != "" {
				t.Errorf("%+v (-want +got):\n%s", f, d)
			}
		}
	}
}

// TestEveryProgram: the program filter holds for every program, the last
// of the list too.
func TestEveryProgram(t *testing.T) {
	ms := numbered(demo.Generate(9, len(meeting.Programs)))
	for i := range ms {
		ms[i].Name, ms[i].Program = "Serenity Group", meeting.Programs[i]
	}
	x := loaded(t, memindex.Options{}, ms)
	for i, p := range meeting.Programs {
		h, err := x.Search(ctx, meeting.Filter{Q: "serenity", Programs: []meeting.Program{p}})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(h); !slices.Equal(got, []int64{ms[i].ID}) {
			t.Errorf("program %s: %v, want [%d]", p, got, ms[i].ID)
		}
	}
}
