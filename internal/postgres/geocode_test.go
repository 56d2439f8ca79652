package postgres_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// TestGeocodeCache: answers are kept by folded query, places not found
// too, and a later answer replaces an earlier one.
func TestGeocodeCache(t *testing.T) {
	ctx := context.Background()
	c := postgres.NewGeocodeCache(pgtest.New(t))
	door := meeting.Geocode{Found: true, Point: orb.Point{-75.7921, 41.3301}, Rank: 30}
	if err := c.SaveGeocode(ctx, "337 Spring St,  West Pittston", door); err != nil {
		t.Fatal(err)
	}
	if err := c.SaveGeocode(ctx, "Nowhere", meeting.Geocode{}); err != nil {
		t.Fatal(err)
	}
	got, err := c.CachedGeocodes(ctx, []string{"337 SPRING ST, West Pittston ", "nowhere", "never asked"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]meeting.Geocode{"337 SPRING ST, West Pittston ": door, "nowhere": {}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("cached (-want +got):\n%s", d)
	}
	street := meeting.Geocode{Found: true, Point: orb.Point{-75.79, 41.33}, Rank: 26}
	if err := c.SaveGeocode(ctx, "nowhere", street); err != nil {
		t.Fatal(err)
	}
	if got, err := c.CachedGeocodes(ctx, []string{"Nowhere"}); err != nil || got["Nowhere"] != street {
		t.Errorf("replaced answer %+v, %v; want %+v", got, err, street)
	}
	if err := c.SaveGeocode(ctx, "  ", door); !meeting.IsKind(err, meeting.KindInvalid) {
		t.Errorf("empty query: %v, want invalid", err)
	}
}
