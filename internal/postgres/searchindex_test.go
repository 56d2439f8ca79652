package postgres_test

import (
	"context"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
	"github.com/meetingfinder/meetingfinder/internal/search/searchtest"
)

// TestSearchIndexConformance runs the search.Index conformance suite on
// the embedded PostgreSQL index: meetings are written to the table (the
// index follows by itself), as importers and the API do.
func TestSearchIndexConformance(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) searchtest.Harness {
		db := pgtest.New(t)
		store := postgres.NewMeetingStore(db)
		ctx := context.Background()
		return searchtest.Harness{
			Index: postgres.NewSearchIndex(db),
			Put: func(t *testing.T, ms []meeting.Meeting) []meeting.Meeting {
				out := make([]meeting.Meeting, len(ms))
				for i, m := range ms {
					if m.ID != 0 {
						if _, err := db.Pool.Exec(ctx, `UPDATE meetings SET name = $2, types = $3 WHERE id = $1`, m.ID, m.Name, m.Types); err != nil {
							t.Fatal(err)
						}
						out[i] = m
						continue
					}
					if err := store.InsertMeetings(ctx, []meeting.Meeting{m}); err != nil {
						t.Fatal(err)
					}
					if err := db.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE source = $1 AND external_id = $2`, m.Source, m.ExternalID).Scan(&m.ID); err != nil {
						t.Fatal(err)
					}
					out[i] = m
				}
				return out
			},
			Remove: func(t *testing.T, ids []int64) {
				if _, err := db.Pool.Exec(ctx, `UPDATE meetings SET deleted_at = now() WHERE id = ANY($1)`, ids); err != nil {
					t.Fatal(err)
				}
			},
		}
	})
}
