package searchtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/importers/meetingguide"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/sharedtest"
)

// Finder answers a text query as GET /v1/meetings does: one page of
// meetings, in the index's order, with their distances.
type Finder func(ctx context.Context, f meeting.Filter) (meeting.Page, error)

// Corpus stores ms (meetings without IDs) as the source of truth, makes
// the index under test hold them, and returns the Finder that answers
// text queries through that index.
type Corpus func(t *testing.T, ms []meeting.Meeting) Finder

// Relevance runs the queries people type against real feeds (../shared/data
// beside the repository, or $MF_SHARED_DATA; the cases skip without
// them): exact names first, typos (two-word queries with a typo in each),
// accents typed or not, prefixes, type names, towns, filters, and paging
// by offset. Every text index runs it with its own Corpus.
//
// known names cases (by their path under Relevance, such as "typos and
// accents/womens stpe") an index is known to answer otherwise, with the
// reason: they are skipped, saying so, so that every other case holds.
func Relevance(t *testing.T, load Corpus, known ...map[string]string) {
	skips := map[string]string{}
	for _, k := range known {
		for name, why := range k {
			skips[name] = why
		}
	}
	knownDifferences = skips
	defer func() { knownDifferences = nil }()
	t.Run("real feeds", func(t *testing.T) { realFeeds(t, load) })
	t.Run("pages by offset", func(t *testing.T) { pagesByOffset(t, load) })
	t.Run("typos and accents", func(t *testing.T) { typosAndAccents(t, load) })
	t.Run("pages through one address", func(t *testing.T) { oneAddress(t, load) })
}

// knownDifferences are the cases the Relevance run under way skips; see
// Relevance.
var knownDifferences map[string]string

// skipKnown skips the case t when it is a known difference of the index
// under test.
func skipKnown(t *testing.T) {
	for name, why := range knownDifferences {
		if strings.HasSuffix(t.Name(), "/"+strings.ReplaceAll(name, " ", "_")) {
			t.Skipf("a known difference of this index: %s", why)
		}
	}
}

// oneAddress pages a text query with a point through meetings that share
// one address (the same distance: ordered by id) and others around it:
// every meeting once, in the order of one page.
func oneAddress(t *testing.T, load Corpus) {
	var ms []meeting.Meeting
	for i := range 45 {
		m := accented(fmt.Sprintf("Serenity Hall %d", i), "Scranton", "US")
		if i%3 == 0 { // a third around the hall, the others in it
			m.Location.Point = orb.Point{scrantonPA.Lon() + float64(i)/2000, scrantonPA.Lat()}
		}
		ms = append(ms, m)
	}
	find := load(t, ms)
	ctx := context.Background()
	f := meeting.Filter{Q: "serenity", Point: scrantonPA, HasPoint: true, Limit: meeting.MaxLimit}
	all, err := find(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Results) != len(ms) {
		t.Fatalf("%d results, want %d", len(all.Results), len(ms))
	}
	for _, limit := range []int{1, 4, 7, 30} {
		f.Limit, f.Cursor = limit, nil
		var got []int64
		for range 100 {
			p, err := find(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Results {
				got = append(got, r.ID)
			}
			if p.NextCursor == nil {
				break
			}
			f.Cursor = p.NextCursor
		}
		if d := cmp.Diff(pageIDs(all), got); d != "" {
			t.Errorf("pages of %d differ from one page (-one +paged):\n%s", limit, d)
		}
	}
}

// pageIDs returns the ids of a page's meetings.
func pageIDs(p meeting.Page) []int64 {
	out := []int64{}
	for _, r := range p.Results {
		out = append(out, r.ID)
	}
	return out
}

// Feeds parses the real Meeting Guide feeds named (files of
// ../shared/data/meetingguide), each as its own source, keeping the first
// meeting of each slug (feeds repeat slugs now and then). It skips the
// test when the data is absent.
func Feeds(t *testing.T, files ...string) []meeting.Meeting {
	t.Helper()
	dir := sharedtest.Data(t)
	var out []meeting.Meeting
	for _, name := range files {
		f, err := os.Open(filepath.Join(dir, "meetingguide", name))
		if err != nil {
			t.Fatal(err)
		}
		ms, _, err := meetingguide.Parse(f, meetingguide.Options{ImportOptions: meeting.ImportOptions{Source: strings.TrimSuffix(name, ".json")}})
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		seen := map[string]bool{}
		for _, m := range ms {
			if !seen[m.ExternalID] {
				seen[m.ExternalID] = true
				out = append(out, m)
			}
		}
	}
	return out
}

// realFeedFiles are the feeds the relevance cases read.
var realFeedFiles = []string{"nepa-tsml-cache.json", "aasepia.json", "aasfmarin.test.json", "aasanjose.test.json"}

// scrantonPA is the centre of Scranton, PA: [lon, lat].
var scrantonPA = orb.Point{-75.6624, 41.4090}

// pageNames returns the names of a page's meetings.
func pageNames(p meeting.Page) []string {
	out := []string{}
	for _, r := range p.Results {
		out = append(out, r.Name)
	}
	return out
}

// realFeeds runs the queries people type against real feeds: exact names
// first, typos, accents, prefixes, type names and towns.
func realFeeds(t *testing.T, load Corpus) {
	find := load(t, Feeds(t, realFeedFiles...))
	typeNames := func(m meeting.Meeting) string {
		var b strings.Builder
		for _, c := range m.Types {
			if ti, ok := meeting.LookupType(c); ok {
				b.WriteString(" " + ti.Name + " " + ti.NameES)
			}
		}
		return strings.ToLower(b.String())
	}
	// text is what a person would see of a meeting: name, group, types, place.
	text := func(m meeting.Meeting) string {
		return strings.ToLower(strings.Join([]string{m.Name, m.Group, m.Location.Name, m.Location.City,
			m.Location.Address, m.Location.FormattedAddress, m.Notes, m.Location.Notes}, " ")) + typeNames(m)
	}
	cases := []struct {
		name     string
		f        meeting.Filter
		first    string                     // the name of the first result, when it matters
		min      int                        // at least this many results
		every    func(meeting.Meeting) bool // every result must pass
		topShare func(meeting.Meeting) bool // every one of the first five must pass
	}{
		{name: "exact name first", f: meeting.Filter{Q: "Serenity Now"}, first: "Serenity Now", min: 2},
		{name: "exact name first, any case and punctuation", f: meeting.Filter{Q: "peace serenity group"}, first: "Peace & Serenity Group", min: 1},
		{name: "word", f: meeting.Filter{Q: "serenity"}, min: 20,
			topShare: func(m meeting.Meeting) bool { return strings.Contains(strings.ToLower(m.Name), "serenity") }},
		{name: "typo", f: meeting.Filter{Q: "serinity"}, min: 20,
			topShare: func(m meeting.Meeting) bool { return strings.Contains(strings.ToLower(m.Name), "serenity") }},
		{name: "typo near a point", f: meeting.Filter{Q: "serinity", Point: scrantonPA, HasPoint: true, RadiusKM: 40}, min: 2,
			every: func(m meeting.Meeting) bool { return strings.Contains(text(m), "serenity") }},
		{name: "prefix", f: meeting.Filter{Q: "big bo"}, min: 20,
			every: func(m meeting.Meeting) bool {
				return strings.Contains(text(m), "big book") || strings.Contains(text(m), "big bo")
			}},
		{name: "type name", f: meeting.Filter{Q: "big book"}, min: 50,
			every: func(m meeting.Meeting) bool { return strings.Contains(text(m), "big book") }},
		{name: "women", f: meeting.Filter{Q: "women"}, min: 20,
			every: func(m meeting.Meeting) bool { return strings.Contains(text(m), "women") }},
		{name: "womens step", f: meeting.Filter{Q: "womens step"}, min: 5,
			topShare: func(m meeting.Meeting) bool {
				return strings.Contains(text(m), "women") && strings.Contains(text(m), "step")
			}},
		{name: "spanish", f: meeting.Filter{Q: "spanish"}, min: 20,
			every: func(m meeting.Meeting) bool {
				return slices.Contains(m.Types, "S") || strings.Contains(text(m), "spanish")
			}},
		{name: "without accents", f: meeting.Filter{Q: "espanol"}, min: 20,
			topShare: func(m meeting.Meeting) bool { return strings.Contains(text(m), "español") }},
		{name: "with accents", f: meeting.Filter{Q: "Español"}, min: 20,
			topShare: func(m meeting.Meeting) bool { return strings.Contains(text(m), "español") }},
		{name: "town", f: meeting.Filter{Q: "pittston"}, min: 5,
			topShare: func(m meeting.Meeting) bool { return strings.Contains(text(m), "pittston") }},
		{name: "misspelt town", f: meeting.Filter{Q: "pittson"}, min: 5,
			topShare: func(m meeting.Meeting) bool { return strings.Contains(text(m), "pittston") }},
		{name: "one letter near a point", f: meeting.Filter{Q: "s", Point: scrantonPA, HasPoint: true, RadiusKM: 25}, min: 5,
			every: func(m meeting.Meeting) bool { return oneLetterInNameOrGroup(m, 's') }},
		{name: "with filters", f: meeting.Filter{Q: "big book", Days: []meeting.Weekday{3}, Types: []string{"W"}}, min: 1,
			every: func(m meeting.Meeting) bool { return m.Day == 3 && slices.Contains(m.Types, "W") }},
		{name: "nothing", f: meeting.Filter{Q: "zzyzxqv"}, min: 0,
			every: func(meeting.Meeting) bool { return false }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			skipKnown(t)
			tc.f.Limit = meeting.MaxLimit
			p, err := find(context.Background(), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Results) < tc.min {
				t.Fatalf("%d results, want at least %d: %q", len(p.Results), tc.min, pageNames(p))
			}
			if tc.first != "" && p.Results[0].Name != tc.first {
				t.Errorf("first result %q, want %q; all: %q", p.Results[0].Name, tc.first, pageNames(p)[:min(10, len(p.Results))])
			}
			for i, r := range p.Results {
				if tc.every != nil && !tc.every(r.Meeting) {
					t.Errorf("result %d %q (types %v) should not match", i, r.Name, r.Types)
				}
				if tc.topShare != nil && i < 5 && !tc.topShare(r.Meeting) {
					t.Errorf("top result %d %q (types %v) is not what was asked for", i, r.Name, r.Types)
				}
				if tc.f.HasPoint && (!r.HasDistance || r.DistanceM > tc.f.RadiusKM*1000) {
					t.Errorf("result %q is %.0f m away, outside the radius", r.Name, r.DistanceM)
				}
			}
		})
	}
}

// oneLetterInNameOrGroup reports whether a word of m's name or group
// (a run of letters and digits) starts with the letter c (lowercase
// ASCII), accents aside.
func oneLetterInNameOrGroup(m meeting.Meeting, c byte) bool {
	for _, w := range strings.FieldsFunc(meeting.Fold(m.Name+" "+m.Group), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if w[0] == c {
			return true
		}
	}
	return false
}

// pagesByOffset walks text queries page by page, with and without a
// point: no meeting twice, none missed, the same order as one big page.
func pagesByOffset(t *testing.T, load Corpus) {
	find := load(t, Feeds(t, "aasepia.json"))
	ctx := context.Background()
	for _, f := range []meeting.Filter{
		{Q: "step"},
		{Q: "s"},
		{Q: "step", Point: orb.Point{-75.1652, 39.9526}, HasPoint: true, RadiusKM: 50},
	} {
		t.Run(f.Q, func(t *testing.T) {
			skipKnown(t)
			f.Limit = meeting.MaxLimit
			all, err := find(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(all.Results) < 30 {
				t.Fatalf("only %d results for %q", len(all.Results), f.Q)
			}
			// With a point too, a page holds as many as asked for.
			if f.HasPoint && len(all.Results) < 100 {
				t.Errorf("%d results for %q near a point in a page of %d", len(all.Results), f.Q, f.Limit)
			}
			var got []int64
			f.Limit = 7
			for range 100 {
				p, err := find(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range p.Results {
					got = append(got, r.ID)
				}
				if p.NextCursor == nil || len(got) >= len(all.Results) {
					break
				}
				f.Cursor = p.NextCursor
			}
			var want []int64
			for _, r := range all.Results {
				want = append(want, r.ID)
			}
			if d := cmp.Diff(want, got[:min(len(got), len(want))]); d != "" {
				t.Errorf("paged results differ from one page (-one +paged):\n%s", d)
			}
		})
	}
}

// accented is a public meeting in Scranton named name, for the accent
// cases.
func accented(name, city, country string) meeting.Meeting {
	return meeting.Meeting{
		Source: "accents", ExternalID: name, GroupKey: name, Name: name, Program: meeting.ProgramAA,
		Day: 1, Start: meeting.NewClock(19, 0), End: meeting.NoClock, TimeZone: "America/New_York",
		Attendance: meeting.AttendanceInPerson, Status: meeting.StatusPublished,
		Location: meeting.Location{City: city, Region: "PA", Country: country, Address: "1 Main St",
			Point: scrantonPA, HasPoint: true},
	}
}

// typosAndAccents: two-word queries with a typo in each word, and accents
// typed or not, on the real feeds plus meetings with accented names and
// places.
func typosAndAccents(t *testing.T, load Corpus) {
	ms := Feeds(t, realFeedFiles...)
	ms = append(ms, accented("Reunión de Esperanza", "Madrid", "ES"), accented("Groupe Sérénité", "Genève", "CH"),
		accented("Lundi Soir", "Genève", "CH"))
	find := load(t, ms)
	ctx := context.Background()
	contains := func(words ...string) func(meeting.Meeting) bool {
		return func(m meeting.Meeting) bool {
			text := meeting.Fold(strings.Join([]string{m.Name, m.Group, m.Location.Name, m.Location.City, m.Location.Address,
				m.Location.FormattedAddress, m.Notes}, " "))
			for _, c := range m.Types {
				if ti, ok := meeting.LookupType(c); ok {
					text += " " + meeting.Fold(ti.Name+" "+ti.NameES)
				}
			}
			for _, w := range words {
				if !strings.Contains(text, w) {
					return false
				}
			}
			return true
		}
	}
	cases := []struct {
		q        string
		first    string
		min      int
		topShare func(meeting.Meeting) bool
	}{
		{q: "serinity grup", min: 1, topShare: contains("serenity")},
		{q: "womens stpe", min: 5, topShare: contains("women", "step")},
		{q: "big bokk", min: 20, topShare: contains("big book")},
		{q: "peace serinity gruop", first: "Peace & Serenity Group", min: 1},
		{q: "reunión", first: "Reunión de Esperanza", min: 1},
		{q: "reunion", first: "Reunión de Esperanza", min: 1},
		{q: "REUNION esperanza", first: "Reunión de Esperanza", min: 1},
		{q: "Genève", min: 2, topShare: contains("geneve")},
		{q: "geneve", min: 2, topShare: contains("geneve")},
		{q: "genve lundi", first: "Lundi Soir", min: 1},
		{q: "groupe serenite", first: "Groupe Sérénité", min: 1},
	}
	for _, tc := range cases {
		t.Run(tc.q, func(t *testing.T) {
			skipKnown(t)
			p, err := find(ctx, meeting.Filter{Q: tc.q, Limit: meeting.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Results) < tc.min {
				t.Fatalf("%d results, want at least %d: %q", len(p.Results), tc.min, pageNames(p))
			}
			if tc.first != "" && p.Results[0].Name != tc.first {
				t.Errorf("first result %q, want %q; all: %q", p.Results[0].Name, tc.first, pageNames(p)[:min(10, len(p.Results))])
			}
			for i, r := range p.Results[:min(5, len(p.Results))] {
				if tc.topShare != nil && !tc.topShare(r.Meeting) {
					t.Errorf("top result %d %q (types %v) is not what was asked for", i, r.Name, r.Types)
				}
			}
		})
	}
	// Whatever is typed, a query is never an error.
	for _, q := range []string{`'quoted' "double"`, "a & b | !c", "word:*", `back\slash\\`, "nul\x00byte", "emoji 🙂 here",
		"שלום עולם", "مرحبا", "::*", "'''", "\xff\xfe invalid utf8", "e\u0301cole", "a", "ab", "zz"} {
		for _, hasPoint := range []bool{false, true} {
			f := meeting.Filter{Q: q, Point: scrantonPA, HasPoint: hasPoint}
			if _, err := find(ctx, f); err != nil && !meeting.IsKind(err, meeting.KindInvalid) {
				t.Errorf("%q (point %v): %v", q, hasPoint, err)
			}
		}
	}
}
