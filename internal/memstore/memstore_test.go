package memstore_test

import (
	"context"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/meeting/storetest"
	"github.com/meetingfinder/meetingfinder/internal/memstore"
)

// TestConformance runs the store conformance suite on a fresh Store per
// case.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		s := memstore.New()
		return storetest.Stores{
			Meetings: s, Feeds: s, Orgs: s, Listings: s, ChangeRequests: s,
			Seed: func(t *testing.T, ms []meeting.Meeting) []int64 {
				t.Helper()
				ids, err := s.Insert(context.Background(), ms)
				if err != nil {
					t.Fatalf("Insert: %v", err)
				}
				return ids
			},
		}
	})
}
