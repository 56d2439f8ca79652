package search_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/search"
)

func TestTerms(t *testing.T) {
	if d := cmp.Diff([]string{"women", "step", "español"}, search.Terms("Women's  STEP, español women")); d != "" {
		t.Errorf("Terms (-want +got):\n%s", d)
	}
}
