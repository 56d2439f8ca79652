package postgres_test

import (
	"context"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/meeting/storetest"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// TestStoreConformance runs the store conformance suite on the PostgreSQL
// stores, over a fresh database per case.
func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		db := pgtest.New(t)
		ms, ls := postgres.NewMeetingStore(db), postgres.NewListingStore(db)
		return storetest.Stores{
			Meetings: ms, Feeds: ms, Orgs: postgres.NewOrgStore(db), Listings: ls, ChangeRequests: ls,
			Seed: func(t *testing.T, in []meeting.Meeting) []int64 {
				t.Helper()
				ctx := context.Background()
				if err := ms.InsertMeetings(ctx, in); err != nil {
					t.Fatalf("InsertMeetings: %v", err)
				}
				ids := make([]int64, len(in))
				for i, m := range in {
					if err := db.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE source = $1 AND external_id = $2`, m.Source, m.ExternalID).Scan(&ids[i]); err != nil {
						t.Fatalf("the id of %s/%s: %v", m.Source, m.ExternalID, err)
					}
				}
				return ids
			},
		}
	})
}
