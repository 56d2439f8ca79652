package meili_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search/meili"
	"github.com/meetingfinder/meetingfinder/internal/search/searchtest"
)

// TestConformance runs the search.Index conformance suite against a real
// Meilisearch when MEILI_URL is set (see the README's Search section for
// starting one); each case gets its own index ("mf_test_…"), dropped when
// the case ends.
func TestConformance(t *testing.T) {
	url := os.Getenv("MEILI_URL")
	if url == "" {
		t.Skip("MEILI_URL is not set: skipping the conformance suite against a real Meilisearch")
	}
	n := 0
	searchtest.Run(t, func(t *testing.T) searchtest.Harness {
		n++
		x := meili.New(url, os.Getenv("MEILI_API_KEY"), fmt.Sprintf("mf_test_%d_%d", time.Now().UnixNano(), n), nil)
		if err := x.Setup(context.Background()); err != nil {
			t.Fatalf("setup: %v", err)
		}
		t.Cleanup(func() { x.Drop(context.Background()) })
		return searchtest.Harness{Index: x, Put: searchtest.Sequence(), Remove: func(*testing.T, []int64) {}}
	})
}

// TestRelevance runs the relevance cases every text index runs
// (searchtest.Relevance: real feeds, typos, accents, paging) against a
// real Meilisearch when MEILI_URL is set; each corpus gets its own index,
// dropped when the case ends.
func TestRelevance(t *testing.T) {
	url := os.Getenv("MEILI_URL")
	if url == "" {
		t.Skip("MEILI_URL is not set: skipping the relevance cases against a real Meilisearch")
	}
	n := 0
	searchtest.Relevance(t, func(t *testing.T, ms []meeting.Meeting) searchtest.Finder {
		n++
		x := meili.New(url, os.Getenv("MEILI_API_KEY"), fmt.Sprintf("mf_rel_%d_%d", time.Now().UnixNano(), n), nil)
		ctx := context.Background()
		if err := x.Setup(ctx); err != nil {
			t.Fatalf("setup: %v", err)
		}
		t.Cleanup(func() { x.Drop(context.Background()) })
		byID := map[int64]meeting.Meeting{}
		ms = slices.Clone(ms)
		for i := range ms {
			ms[i].ID = int64(i + 1)
			byID[ms[i].ID] = ms[i]
		}
		for i := 0; i < len(ms); i += 1000 {
			if err := x.Upsert(ctx, ms[i:min(i+1000, len(ms))]); err != nil {
				t.Fatal(err)
			}
		}
		return func(ctx context.Context, f meeting.Filter) (meeting.Page, error) {
			hits, err := x.Search(ctx, f)
			if err != nil {
				return meeting.Page{}, err
			}
			p := meeting.Page{NextCursor: hits.NextCursor}
			for _, h := range hits.Hits {
				r := meeting.Result{Meeting: byID[h.ID], DistanceM: h.DistanceM, HasDistance: h.HasDistance}
				if f.HasPoint && r.Location.HasPoint {
					// As search.Store shows it: the distance of the
					// meeting, not Meilisearch's rounded one.
					r.DistanceM, r.HasDistance = meeting.DistanceM(f.Point, r.Location.Point), true
				}
				p.Results = append(p.Results, r)
			}
			return p, nil
		}
	}, map[string]string{
		"real feeds/one letter near a point": "Meilisearch matches a one-letter prefix in every searchable field, the embedded indexes only in names, types and places",
		"typos and accents/womens stpe":      "Meilisearch (1.50, one typo from four letters) finds no meeting for \"womens stpe\", which the embedded indexes correct to women's step",
	})
}
