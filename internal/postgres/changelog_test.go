package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// follower reads the change log as a read model does, from a cursor.
type follower struct {
	t  *testing.T
	db *postgres.DB
	c  meeting.ChangeCursor
}

// newFollower returns a follower whose cursor is that of a full load now.
func newFollower(t *testing.T, db *postgres.DB) *follower {
	t.Helper()
	c, err := db.LoadPublic(context.Background(), func(*meeting.Meeting) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return &follower{t: t, db: db, c: c}
}

// changes returns the meetings changed since the last call, and moves on.
func (f *follower) changes() []int64 {
	f.t.Helper()
	b, err := f.db.ChangesSince(context.Background(), f.c)
	if err != nil {
		f.t.Fatal(err)
	}
	f.c = b.Next
	if b.IDs == nil {
		return []int64{}
	}
	return b.IDs
}

// expect fails the test unless the meetings changed since the last call are
// want.
func (f *follower) expect(step string, want ...int64) {
	f.t.Helper()
	if want == nil {
		want = []int64{}
	}
	slices.Sort(want)
	if d := cmp.Diff(want, f.changes()); d != "" {
		f.t.Errorf("%s: changed meetings (-want +got):\n%s", step, d)
	}
}

// idOf returns the id of the meeting of source with external id ext.
func idOf(t *testing.T, db *postgres.DB, source, ext string) int64 {
	t.Helper()
	var id int64
	if err := db.Pool.QueryRow(context.Background(), `SELECT id FROM meetings WHERE source = $1 AND external_id = $2`, source, ext).Scan(&id); err != nil {
		t.Fatalf("meeting %s/%s: %v", source, ext, err)
	}
	return id
}

// feedMeeting returns a meeting of source "feed" with external id ext.
func feedMeeting(ext, name string) meeting.Meeting {
	m := mk(nyc, 3, "20:00", "America/New_York")
	m.Source, m.ExternalID, m.GroupKey, m.Name = "feed", ext, ext, name
	return m
}

func TestChangeLogRecordsEveryWriter(t *testing.T) {
	ctx := context.Background()
	e := newListingEnv(t)
	imports := postgres.NewImportStore(e.db)
	f := newFollower(t, e.db)
	f.expect("nothing written")

	apply := func(step string, force bool, ms ...meeting.Meeting) {
		t.Helper()
		if _, err := imports.Apply(ctx, "feed", ms, force); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	a, b := feedMeeting("a", "Alpha"), feedMeeting("b", "Beta")
	apply("import insert", false, a, b)
	idA, idB := idOf(t, e.db, "feed", "a"), idOf(t, e.db, "feed", "b")
	f.expect("import insert", idA, idB)
	apply("import unchanged", false, a, b)
	f.expect("import unchanged")
	b.Name = "Beta 2"
	apply("import update", false, a, b)
	f.expect("import update", idB)
	apply("import remove", true, a)
	f.expect("import remove", idB)
	apply("import restore", false, a, b)
	f.expect("import restore", idB)

	in := mk(nyc, 1, "18:30", "America/New_York")
	lb, err := e.listings.CreateListing(ctx, e.b, &in)
	if err != nil {
		t.Fatal(err)
	}
	f.expect("listing create", lb.ID)
	if _, err := e.listings.ChangeListing(ctx, e.b, lb.ID, meeting.ActionPatch, "", func(m *meeting.Meeting) error {
		m.Notes = "side door"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	f.expect("listing change", lb.ID)
	la, err := e.listings.CreateListing(ctx, e.a, &in)
	if err != nil {
		t.Fatal(err)
	}
	f.expect("pending listing create", la.ID)
	if _, err := e.listings.Moderate(ctx, e.admin, la.ID, meeting.StatusPublished, ""); err != nil {
		t.Fatal(err)
	}
	f.expect("approve", la.ID)
	if _, err := e.listings.Moderate(ctx, e.admin, la.ID, meeting.StatusRejected, "no such church"); err != nil {
		t.Fatal(err)
	}
	f.expect("reject", la.ID)
	cr, err := e.listings.CreateChangeRequest(ctx, &meeting.ChangeRequest{MeetingID: lb.ID, Proposed: json.RawMessage(`{"name":"Renamed"}`)})
	if err != nil {
		t.Fatal(err)
	}
	f.expect("change request filed")
	if _, err := e.listings.ResolveChangeRequest(ctx, e.b, cr.ID, true, func(m *meeting.Meeting, _ json.RawMessage) error {
		m.Name = "Renamed"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	f.expect("change request applied", lb.ID)
	up := mk(nyc, 4, "07:00", "America/New_York")
	if _, err := e.listings.Upload(ctx, e.b, []meeting.Meeting{up}); err != nil {
		t.Fatal(err)
	}
	f.expect("upload", idOf(t, e.db, meeting.OrgSource(e.b.OrgID), up.ExternalID))
	if err := e.listings.DeleteListing(ctx, e.b, lb.ID); err != nil {
		t.Fatal(err)
	}
	f.expect("listing delete", lb.ID)

	n, err := e.db.RefreshSearch(ctx, 0)
	if err != nil || n == 0 {
		t.Fatalf("refresh indexed %d meetings, %v; want some", n, err)
	}
	f.expect("search refresh")

	if _, err := e.db.Pool.Exec(ctx, `DELETE FROM meetings WHERE id = $1`, idA); err != nil {
		t.Fatal(err)
	}
	f.expect("hard delete", idA)
}

// write updates meeting id's name in tx.
func write(t *testing.T, tx pgx.Tx, id int64, name string) {
	t.Helper()
	if _, err := tx.Exec(context.Background(), `UPDATE meetings SET name = $2, updated_at = now() WHERE id = $1`, id, name); err != nil {
		t.Fatal(err)
	}
}

// begin starts a transaction on its own connection.
func begin(t *testing.T, db *postgres.DB) pgx.Tx {
	t.Helper()
	tx, err := db.Pool.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(context.Background()) })
	return tx
}

// commit commits tx.
func commit(t *testing.T, tx pgx.Tx) {
	t.Helper()
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestChangesSinceSeesLateCommit(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := postgres.NewMeetingStore(db)
	if err := s.InsertMeetings(ctx, []meeting.Meeting{mk(nyc, 1, "10:00", "UTC"), mk(nyc, 1, "11:00", "UTC")}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	if err := db.Pool.QueryRow(ctx, `SELECT array_agg(id ORDER BY id) FROM meetings`).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	f := newFollower(t, db)
	txA := begin(t, db)
	write(t, txA, ids[0], "A")
	txB := begin(t, db)
	write(t, txB, ids[1], "B")
	commit(t, txB)
	f.expect("B committed, A running", ids[1])
	f.expect("nothing new")
	commit(t, txA)
	f.expect("A committed late", ids[0])
	f.expect("nothing new after A")
}

func TestPruneChangesMakesOldCursorsConflict(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := postgres.NewMeetingStore(db)
	f := newFollower(t, db)
	old := f.c
	// Other databases of the cluster (other test packages running at the
	// same time: transaction ids are cluster-wide) may hold the snapshot
	// xmin back for a while, and pruning goes no further than it: write
	// and prune until the first write has gone.
	var pruned int64
	deadline := time.Now().Add(3 * time.Minute)
	for i := 0; pruned == 0; i++ {
		if time.Now().After(deadline) {
			t.Fatal("nothing pruned in 3 minutes")
		}
		if err := s.InsertMeetings(ctx, []meeting.Meeting{mk(nyc, 1, "10:00", "UTC")}); err != nil {
			t.Fatal(err)
		}
		f.changes() // a reader that keeps up
		time.Sleep(min(20*time.Millisecond<<min(i, 5), time.Second))
		n, err := db.PruneChanges(ctx, 10*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		pruned += n
	}
	if _, err := db.ChangesSince(ctx, old); !meeting.IsKind(err, meeting.KindConflict) {
		t.Errorf("cursor from before the pruned rows: err %v, want conflict", err)
	}
	if _, err := db.ChangesSince(ctx, meeting.ChangeCursor{}); !meeting.IsKind(err, meeting.KindConflict) {
		t.Errorf("zero cursor after pruning: err %v, want conflict", err)
	}
	if err := s.InsertMeetings(ctx, []meeting.Meeting{mk(nyc, 1, "12:00", "UTC")}); err != nil {
		t.Fatal(err)
	}
	if ids := f.changes(); len(ids) != 1 {
		t.Errorf("reader that kept up: changes %v, want the one new meeting", ids)
	}
	if n, err := db.PruneChanges(ctx, time.Hour); err != nil || n != 0 {
		t.Errorf("prune with an hour's retention: %d, %v; want 0", n, err)
	}
}

func TestLoadPublicWithChangesMissesNothing(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := postgres.NewMeetingStore(db)
	const n = 3000
	ms := make([]meeting.Meeting, n)
	for i := range ms {
		ms[i] = mk(nyc, meeting.Weekday(i%7), "19:00", "America/New_York")
		ms[i].Name = fmt.Sprintf("m%d", i)
	}
	if err := s.InsertMeetings(ctx, ms); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	if err := db.Pool.QueryRow(ctx, `SELECT array_agg(id ORDER BY id) FROM meetings`).Scan(&ids); err != nil {
		t.Fatal(err)
	}

	// Running when the load takes its snapshot: old holds the xmin back
	// and commits during the load; early commits before the snapshot but
	// above that xmin, so the load sees it and its cursor must say so.
	old := begin(t, db)
	write(t, old, ids[n-1], "old")
	early := begin(t, db)
	write(t, early, ids[n-2], "early")
	commit(t, early)

	model := map[int64]string{}
	rowsSeen := 0
	c, err := db.LoadPublic(ctx, func(m *meeting.Meeting) error {
		model[m.ID] = strings.Clone(m.Name) // m shares a buffer with the next row
		rowsSeen++
		if rowsSeen != 10 {
			return nil
		}
		// Writes in other transactions while the load streams: rows
		// already read and rows still to come, a new one, removals.
		commit(t, old)
		tx := begin(t, db)
		write(t, tx, ids[0], "changed behind")
		write(t, tx, ids[n/2], "changed ahead")
		if _, err := tx.Exec(ctx, `UPDATE meetings SET deleted_at = now(), updated_at = now() WHERE id = ANY ($1)`, []int64{ids[1], ids[n-3]}); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE meetings SET status = 'pending', updated_at = now() WHERE id = $1`, ids[n/3]); err != nil {
			t.Fatal(err)
		}
		commit(t, tx)
		if err := s.InsertMeetings(ctx, []meeting.Meeting{mk(nyc, 5, "08:00", "UTC")}); err != nil {
			t.Fatal(err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(model) != n {
		t.Fatalf("load read %d meetings, want %d", len(model), n)
	}
	if model[ids[n-2]] != "early" || model[ids[n-1]] != fmt.Sprintf("m%d", n-1) || model[ids[0]] != "m0" {
		t.Errorf("the load is not of one snapshot: %q %q %q", model[ids[n-2]], model[ids[n-1]], model[ids[0]])
	}

	b, err := db.ChangesSince(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(b.IDs, ids[n-2]) {
		t.Errorf("changes after the load hold %d, whose change the load had", ids[n-2])
	}
	for len(b.IDs) > 0 {
		got, err := db.PublicByID(ctx, b.IDs)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range b.IDs {
			delete(model, id)
		}
		for _, m := range got {
			model[m.ID] = m.Name
		}
		if b, err = db.ChangesSince(ctx, b.Next); err != nil {
			t.Fatal(err)
		}
	}

	truth := map[int64]string{}
	rows, err := db.Pool.Query(ctx, `SELECT id, name FROM meetings WHERE status = 'published' AND deleted_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		truth[id] = name
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(truth, model); d != "" {
		t.Errorf("load + changes against the database (-want +got):\n%s", d)
	}
}

func TestLoadPublicStopsOnCallbackError(t *testing.T) {
	db := pgtest.New(t)
	s := postgres.NewMeetingStore(db)
	if err := s.InsertMeetings(context.Background(), []meeting.Meeting{mk(nyc, 1, "10:00", "UTC"), mk(nyc, 2, "10:00", "UTC")}); err != nil {
		t.Fatal(err)
	}
	stop := fmt.Errorf("stop")
	calls := 0
	_, err := db.LoadPublic(context.Background(), func(*meeting.Meeting) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Errorf("LoadPublic: %v after %d calls, want the callback's error after 1", err, calls)
	}
}

func TestPublicByIDLeavesOutNonPublic(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := postgres.NewMeetingStore(db)
	pending := mk(nyc, 1, "11:00", "UTC")
	pending.Status = meeting.StatusPending
	if err := s.InsertMeetings(ctx, []meeting.Meeting{mk(nyc, 1, "10:00", "UTC"), pending, mk(nyc, 1, "12:00", "UTC")}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	if err := db.Pool.QueryRow(ctx, `SELECT array_agg(id ORDER BY id) FROM meetings`).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE meetings SET deleted_at = now(), updated_at = now() WHERE id = $1`, ids[2]); err != nil {
		t.Fatal(err)
	}
	got, err := db.PublicByID(ctx, append(ids, 999999))
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Get(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]meeting.Meeting{*want}, got); d != "" {
		t.Errorf("PublicByID (-want +got):\n%s", d)
	}
	if got, err := db.PublicByID(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("PublicByID(nil): %v, %v", got, err)
	}
}
