package meili_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

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
