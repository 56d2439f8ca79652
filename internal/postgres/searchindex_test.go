package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
	"github.com/meetingfinder/meetingfinder/internal/search/searchtest"
)

// TestSearchIndexConformance runs the search.Index conformance suite on
// the embedded PostgreSQL index: meetings are written to the table, as
// importers and the API do, and the suite's Upsert indexes them
// (DB.RefreshSearch), as serve's refresh loop would.
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

// searchMeeting is a public meeting in Scranton named name.
func searchMeeting(name string) meeting.Meeting {
	return meeting.Meeting{
		Source: "refresh", ExternalID: name, GroupKey: name, Name: name, Program: meeting.ProgramAA,
		Day: 1, Start: meeting.NewClock(19, 0), End: meeting.NoClock, TimeZone: "America/New_York",
		Attendance: meeting.AttendanceInPerson, Status: meeting.StatusPublished,
		Location: meeting.Location{City: "Scranton", Region: "PA", Country: "US", Address: "1 Main St",
			Point: orb.Point{-75.6624, 41.4090}, HasPoint: true},
	}
}

// findNames returns the names of the meetings that text query q finds.
func findNames(t *testing.T, s *postgres.MeetingStore, q string) []string {
	t.Helper()
	p, err := s.Find(context.Background(), meeting.Filter{Q: q, Limit: meeting.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return names(p)
}

// queued reports whether the meeting named name waits in search_queue.
func queued(t *testing.T, db *postgres.DB, name string) bool {
	t.Helper()
	var ok bool
	if err := db.Pool.QueryRow(context.Background(),
		`SELECT EXISTS (SELECT 1 FROM search_queue q JOIN meetings m ON m.id = q.meeting_id WHERE m.external_id = $1)`, name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestRefreshSearch: a written meeting is found by text once RefreshSearch
// has indexed it; a change of its name queues it (trigger) and the new
// name, not the old, is found after the next refresh; a change of nothing
// indexed queues nothing.
func TestRefreshSearch(t *testing.T) {
	db := pgtest.New(t)
	s := postgres.NewMeetingStore(db)
	ctx := context.Background()
	if err := s.InsertMeetings(ctx, []meeting.Meeting{searchMeeting("Serenity Seekers"), searchMeeting("Monday Night")}); err != nil {
		t.Fatal(err)
	}
	if got := findNames(t, s, "serenity"); len(got) != 0 {
		t.Errorf("before the refresh: found %q, want nothing", got)
	}
	if got := findNames(t, s, "monday"); len(got) != 0 {
		t.Errorf("before the refresh: found %q, want nothing", got)
	}
	n, err := db.RefreshSearch(ctx, 0)
	if err != nil || n != 2 {
		t.Fatalf("RefreshSearch = %d, %v; want 2", n, err)
	}
	if got := findNames(t, s, "serenity"); !slices.Equal(got, []string{"Serenity Seekers"}) {
		t.Errorf("after the refresh: found %q", got)
	}
	if n, err := db.RefreshSearch(ctx, 0); err != nil || n != 0 {
		t.Errorf("second RefreshSearch = %d, %v; want 0", n, err)
	}

	// A rename queues the meeting; after the refresh it is found by its
	// new name only.
	if _, err := db.Pool.Exec(ctx, `UPDATE meetings SET name = 'Tranquility Group' WHERE external_id = 'Serenity Seekers'`); err != nil {
		t.Fatal(err)
	}
	if !queued(t, db, "Serenity Seekers") {
		t.Error("a rename was not queued")
	}
	if n, err := db.RefreshSearch(ctx, 0); err != nil || n != 1 {
		t.Fatalf("RefreshSearch after a rename = %d, %v; want 1", n, err)
	}
	if got := findNames(t, s, "tranquility"); !slices.Equal(got, []string{"Tranquility Group"}) {
		t.Errorf("new name: found %q", got)
	}
	if got := findNames(t, s, "serenity"); len(got) != 0 {
		t.Errorf("old name: found %q, want nothing", got)
	}

	// Every column the index is made of queues the meeting.
	for _, set := range []string{`group_name = 'G'`, `location_name = 'Hall'`, `city = 'Dunmore'`, `region = 'NY'`,
		`postal_code = '18512'`, `address = '2 Main St'`, `formatted_address = '2 Main St, Dunmore'`,
		`regions = '{Lackawanna}'`, `notes = 'n'`, `location_notes = 'ln'`, `types = '{O,D}'`,
		`geog = ST_SetSRID(ST_MakePoint(-75.6, 41.41), 4326)::geography`, `geog = NULL`} {
		if _, err := db.Pool.Exec(ctx, `UPDATE meetings SET `+set+` WHERE external_id = 'Monday Night'`); err != nil {
			t.Fatal(err)
		}
		if !queued(t, db, "Monday Night") {
			t.Errorf("SET %s was not queued", set)
		}
		if _, err := db.RefreshSearch(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	if got := findNames(t, s, "lackawanna dunmore"); !slices.Equal(got, []string{"Monday Night"}) {
		t.Errorf("after the place changes: found %q", got)
	}

	// Changes of nothing indexed (times, the same name again) queue
	// nothing: no re-index.
	for _, set := range []string{`start_time = '20:00'`, `updated_at = now()`, `name = name`,
		`status = 'published'`, `types = types`} {
		if _, err := db.Pool.Exec(ctx, `UPDATE meetings SET `+set+` WHERE external_id = 'Monday Night'`); err != nil {
			t.Fatal(err)
		}
		if queued(t, db, "Monday Night") {
			t.Errorf("SET %s was queued", set)
		}
	}
	if n, err := db.RefreshSearch(ctx, 0); err != nil || n != 0 {
		t.Errorf("RefreshSearch after unsearched changes = %d, %v; want 0", n, err)
	}

	// A meeting removed and restored is indexed again.
	if _, err := db.Pool.Exec(ctx, `UPDATE meetings SET deleted_at = now() WHERE external_id = 'Monday Night'`); err != nil {
		t.Fatal(err)
	}
	if got := findNames(t, s, "monday"); len(got) != 0 {
		t.Errorf("removed meeting found: %q", got)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE meetings SET deleted_at = NULL WHERE external_id = 'Monday Night'`); err != nil {
		t.Fatal(err)
	}
	if n, err := db.RefreshSearch(ctx, 0); err != nil || n != 1 {
		t.Errorf("RefreshSearch after a restore = %d, %v; want 1", n, err)
	}
	if got := findNames(t, s, "monday"); !slices.Equal(got, []string{"Monday Night"}) {
		t.Errorf("restored meeting: found %q", got)
	}
}

// TestRefreshSearchNotFoundByTypeBeforeIndexed: a meeting not indexed yet
// is not found by a type name either (it would have no score).
func TestRefreshSearchNotFoundByTypeBeforeIndexed(t *testing.T) {
	db := pgtest.New(t)
	s := postgres.NewMeetingStore(db)
	m := searchMeeting("Tuesday Group")
	m.Types = []string{"W"}
	if err := s.InsertMeetings(context.Background(), []meeting.Meeting{m}); err != nil {
		t.Fatal(err)
	}
	if got := findNames(t, s, "women"); len(got) != 0 {
		t.Errorf("before the refresh: found %q", got)
	}
	if _, err := db.RefreshSearch(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	if got := findNames(t, s, "women"); !slices.Equal(got, []string{"Tuesday Group"}) {
		t.Errorf("after the refresh: found %q", got)
	}
}

// TestRefreshSearchConcurrent: two callers at once index every meeting
// exactly once between them, and the refresh queues nothing in the outbox.
func TestRefreshSearchConcurrent(t *testing.T) {
	db := pgtest.New(t)
	s := postgres.NewMeetingStore(db)
	ctx := context.Background()
	const total = 3000
	ms := make([]meeting.Meeting, total)
	for i := range ms {
		ms[i] = searchMeeting(fmt.Sprintf("Group %d", i))
	}
	if err := s.InsertMeetings(ctx, ms); err != nil {
		t.Fatal(err)
	}
	if err := postgres.NewOutbox(db).Enable(ctx, true); err != nil {
		t.Fatal(err)
	}
	var counts [2]int
	var wg sync.WaitGroup
	for i := range counts {
		wg.Go(func() {
			n, err := db.RefreshSearch(ctx, 100)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		})
	}
	wg.Wait()
	if counts[0]+counts[1] != total {
		t.Errorf("the callers indexed %d + %d meetings, want %d in all (each once)", counts[0], counts[1], total)
	}
	if n, err := db.SearchPending(ctx); err != nil || n != 0 {
		t.Errorf("SearchPending = %d, %v; want 0", n, err)
	}
	var unindexed int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM meetings m WHERE NOT EXISTS (SELECT 1 FROM meeting_search s WHERE s.meeting_id = m.id)`).Scan(&unindexed); err != nil {
		t.Fatal(err)
	}
	if unindexed != 0 {
		t.Errorf("%d meetings left unindexed", unindexed)
	}
	if n, err := postgres.NewOutbox(db).Pending(ctx); err != nil || n != 0 {
		t.Errorf("outbox after the refresh: %d queued, %v; want none", n, err)
	}
	if got := findNames(t, s, "group 2999"); len(got) == 0 || got[0] != "Group 2999" {
		t.Errorf("group 2999: found %q", got[:min(3, len(got))])
	}
}

// TestRebuildSearch: a full rebuild indexes every public meeting, keeps
// the table's comments, leaves changes made after it queued, and a
// query with a point finds meetings in the rebuilt index.
func TestRebuildSearch(t *testing.T) {
	db := pgtest.New(t)
	s := postgres.NewMeetingStore(db)
	ctx := context.Background()
	if err := s.InsertMeetings(ctx, []meeting.Meeting{searchMeeting("Serenity Seekers"), searchMeeting("Monday Night")}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second rebuild replaces the table the first made
		n, err := db.RebuildSearch(ctx)
		if err != nil || n != 2 {
			t.Fatalf("RebuildSearch = %d, %v; want 2", n, err)
		}
	}
	if n, err := db.SearchPending(ctx); err != nil || n != 0 {
		t.Errorf("SearchPending after a rebuild = %d, %v; want 0", n, err)
	}
	p, err := s.Find(ctx, meeting.Filter{Q: "serenity", Point: orb.Point{-75.66, 41.41}, HasPoint: true, RadiusKM: 5, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(p); !slices.Equal(got, []string{"Serenity Seekers"}) || !p.Results[0].HasDistance {
		t.Errorf("near Scranton: found %q", got)
	}
	var table, doc string
	if err := db.Pool.QueryRow(ctx, `SELECT coalesce(obj_description('meeting_search'::regclass, 'pg_class'), ''),
		coalesce(col_description('meeting_search'::regclass, 2), '')`).Scan(&table, &doc); err != nil {
		t.Fatal(err)
	}
	if table == "" || doc == "" {
		t.Errorf("comments after a rebuild: table %q, doc %q; want both kept", table, doc)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE meetings SET name = 'Tranquility' WHERE external_id = 'Monday Night'`); err != nil {
		t.Fatal(err)
	}
	if n, err := db.RefreshSearch(ctx, 0); err != nil || n != 1 {
		t.Fatalf("RefreshSearch after the rebuild = %d, %v; want 1", n, err)
	}
	if got := findNames(t, s, "tranquility"); !slices.Equal(got, []string{"Tranquility"}) {
		t.Errorf("after the refresh: found %q", got)
	}
}
