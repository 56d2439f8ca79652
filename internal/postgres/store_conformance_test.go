package postgres_test

import (
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
			Seed: func(t *testing.T, in []meeting.Meeting) []int64 { return pgtest.Seed(t, db, in) },
		}
	})
}
