package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/importers/meetingguide"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// sharedData returns the folder of real sample feeds (../shared/data beside
// the repository, or $MF_SHARED_DATA), skipping the test when it is absent.
func sharedData(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("MF_SHARED_DATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("../shared/data not present")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("../shared/data not present: %v (set MF_SHARED_DATA to run these tests)", err)
	}
	return d
}

// loadFeeds imports real Meeting Guide feeds into a fresh database.
func loadFeeds(t *testing.T, files ...string) (*postgres.MeetingStore, *postgres.DB) {
	t.Helper()
	dir := sharedData(t)
	db := pgtest.New(t)
	s := postgres.NewMeetingStore(db)
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
		// Feeds repeat slugs now and then; keep the first of each.
		seen := map[string]bool{}
		kept := ms[:0]
		for _, m := range ms {
			if !seen[m.ExternalID] {
				seen[m.ExternalID] = true
				kept = append(kept, m)
			}
		}
		if err := s.InsertMeetings(context.Background(), kept); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if _, err := db.RefreshSearch(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	return s, db
}

// scranton is the centre of Scranton, PA: [lon, lat].
var scranton = orb.Point{-75.6624, 41.4090}

// TestSearchRelevanceOnRealFeeds runs the queries people type against real
// feeds: exact names first, typos, accents, prefixes, type names and towns.
func TestSearchRelevanceOnRealFeeds(t *testing.T) {
	s, _ := loadFeeds(t, "nepa-tsml-cache.json", "aasepia.json", "aasfmarin.test.json", "aasanjose.test.json")
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
		{name: "typo near a point", f: meeting.Filter{Q: "serinity", Point: scranton, HasPoint: true, RadiusKM: 40}, min: 2,
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
		{name: "with filters", f: meeting.Filter{Q: "big book", Days: []meeting.Weekday{3}, Types: []string{"W"}}, min: 1,
			every: func(m meeting.Meeting) bool { return m.Day == 3 && slices.Contains(m.Types, "W") }},
		{name: "nothing", f: meeting.Filter{Q: "zzyzxqv"}, min: 0,
			every: func(meeting.Meeting) bool { return false }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Limit = meeting.MaxLimit
			p, err := s.Find(context.Background(), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Results) < tc.min {
				t.Fatalf("%d results, want at least %d: %q", len(p.Results), tc.min, names(p))
			}
			if tc.first != "" && p.Results[0].Name != tc.first {
				t.Errorf("first result %q, want %q; all: %q", p.Results[0].Name, tc.first, names(p)[:min(10, len(p.Results))])
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

// TestSearchPagesByOffset walks a text query page by page: no meeting twice,
// none missed, the same order as one big page.
func TestSearchPagesByOffset(t *testing.T) {
	s, _ := loadFeeds(t, "aasepia.json")
	ctx := context.Background()
	all, err := s.Find(ctx, meeting.Filter{Q: "step", Limit: meeting.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Results) < 30 {
		t.Fatalf("only %d results for step", len(all.Results))
	}
	var got []int64
	f := meeting.Filter{Q: "step", Limit: 7}
	for range 100 {
		p, err := s.Find(ctx, f)
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
}

// TestSearchTyposAndAccents: two-word queries with a typo in each word,
// and accents typed or not, on the real feeds plus meetings with accented
// names and places.
func TestSearchTyposAndAccents(t *testing.T) {
	s, db := loadFeeds(t, "nepa-tsml-cache.json", "aasepia.json", "aasfmarin.test.json", "aasanjose.test.json")
	ctx := context.Background()
	extra := []meeting.Meeting{searchMeeting("Reunión de Esperanza"), searchMeeting("Groupe Sérénité"), searchMeeting("Lundi Soir")}
	extra[0].Location.City = "Madrid"
	extra[1].Location.City, extra[1].Location.Country = "Genève", "CH"
	extra[2].Location.City, extra[2].Location.Country = "Genève", "CH"
	if err := s.InsertMeetings(ctx, extra); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RefreshSearch(ctx, 0); err != nil {
		t.Fatal(err)
	}
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
			p, err := s.Find(ctx, meeting.Filter{Q: tc.q, Limit: meeting.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Results) < tc.min {
				t.Fatalf("%d results, want at least %d: %q", len(p.Results), tc.min, names(p))
			}
			if tc.first != "" && p.Results[0].Name != tc.first {
				t.Errorf("first result %q, want %q; all: %q", p.Results[0].Name, tc.first, names(p)[:min(10, len(p.Results))])
			}
			for i, r := range p.Results[:min(5, len(p.Results))] {
				if tc.topShare != nil && !tc.topShare(r.Meeting) {
					t.Errorf("top result %d %q (types %v) is not what was asked for", i, r.Name, r.Types)
				}
			}
		})
	}
}
