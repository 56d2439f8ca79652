package postgres_test

import (
	"context"
	"math"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// TestPlacesFromListings builds places from real feeds (NEPA lists no city
// field, only formatted addresses) and finds them by prefix, typo, postal
// code and region.
func TestPlacesFromListings(t *testing.T) {
	_, db := loadFeeds(t, "nepa-tsml-cache.json", "aasfmarin.test.json")
	ps := postgres.NewPlaceStore(db)
	ctx := context.Background()
	if err := ps.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q, first, kind string
	}{
		{"scran", "Scranton, PA, US", meeting.PlaceCity},
		{"Scranton", "Scranton, PA, US", meeting.PlaceCity},
		{"scranon", "Scranton, PA, US", meeting.PlaceCity},
		{"scranton, pa", "Scranton, PA, US", meeting.PlaceCity},
		{"west pitt", "West Pittston, PA, US", meeting.PlaceCity},
		{"18643", "18643, US", meeting.PlacePostalCode},
	} {
		t.Run(tc.q, func(t *testing.T) {
			got, err := ps.Places(ctx, tc.q, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				t.Fatalf("no places for %q", tc.q)
			}
			p := got[0]
			if p.Name != tc.first || p.Kind != tc.kind {
				t.Errorf("first place %q (%s), want %q (%s); all %+v", p.Name, p.Kind, tc.first, tc.kind, got)
			}
			if p.Meetings < 1 || math.Abs(p.Lat-41.4) > 0.5 || math.Abs(p.Lng+75.7) > 0.5 {
				t.Errorf("place %+v: want meetings and a centre in north-east Pennsylvania", p)
			}
		})
	}
	if got, err := ps.Places(ctx, "scranton, CA", 5); err != nil || len(got) != 0 {
		t.Errorf("Scranton in region CA: %+v, %v; want none", got, err)
	}
	// LIKE's wildcards in a query are plain characters: "w_st" and "s__"
	// start no place's name (before, "_" matched any one letter, and "w_st"
	// found West Pittston), and they look like none.
	for _, q := range []string{"w_st", "s__", "sc%"} {
		if got, err := ps.Places(ctx, q, 5); err != nil || len(got) != 0 {
			t.Errorf("Places(%q) = %+v, %v; want none", q, got, err)
		}
	}
	if _, err := ps.Places(ctx, " ", 5); !meeting.IsKind(err, meeting.KindInvalid) {
		t.Errorf("empty query: %v, want KindInvalid", err)
	}
}

// TestBusiestPlaces lists the cities with the most public meetings, the
// busiest first.
func TestBusiestPlaces(t *testing.T) {
	_, db := loadFeeds(t, "nepa-tsml-cache.json", "aasfmarin.test.json")
	ps := postgres.NewPlaceStore(db)
	ctx := context.Background()
	if err := ps.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := ps.Busiest(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("Busiest(5) gave %d places: %+v", len(got), got)
	}
	for i, p := range got {
		if p.Kind != meeting.PlaceCity || p.Name == "" || p.Meetings < 1 {
			t.Errorf("place %d = %+v, want a named city with meetings", i, p)
		}
		if i > 0 && p.Meetings > got[i-1].Meetings {
			t.Errorf("place %d (%d meetings) is busier than place %d (%d)", i, p.Meetings, i-1, got[i-1].Meetings)
		}
	}
}
