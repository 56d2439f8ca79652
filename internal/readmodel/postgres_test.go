package readmodel_test

import (
	"context"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/meeting/storetest"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
	"github.com/meetingfinder/meetingfinder/internal/readmodel"
)

// TestConformanceOnPostgres runs the store conformance suite on a model
// that follows PostgreSQL: the PostgreSQL stores take the writes, and the
// model, loading from the database and reading its change log, answers
// the reads. It needs a database (pgtest).
func TestConformanceOnPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		db := pgtest.New(t)
		ms, ls := postgres.NewMeetingStore(db), postgres.NewListingStore(db)
		m := readmodel.New(db, db, readmodel.Options{CompactAt: 5})
		if err := m.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		s := synced{t: t, m: m}
		return storetest.Stores{
			Meetings: s, Feeds: s, Orgs: postgres.NewOrgStore(db), Listings: ls, ChangeRequests: ls,
			Seed: func(t *testing.T, in []meeting.Meeting) []int64 {
				t.Helper()
				ctx := context.Background()
				if err := ms.InsertMeetings(ctx, in); err != nil {
					t.Fatalf("InsertMeetings: %v", err)
				}
				ids := make([]int64, len(in))
				for i, mt := range in {
					if err := db.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE source = $1 AND external_id = $2`, mt.Source, mt.ExternalID).Scan(&ids[i]); err != nil {
						t.Fatalf("the id of %s/%s: %v", mt.Source, mt.ExternalID, err)
					}
				}
				return ids
			},
		}
	})
}
