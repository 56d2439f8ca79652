package postgres_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
	"github.com/meetingfinder/meetingfinder/internal/search"
)

// recordingIndex is a search.Index that keeps the name of each meeting it
// holds and can be switched off, as a Meilisearch that is down.
type recordingIndex struct {
	mu   sync.Mutex
	docs map[int64]string
	down bool
}

func (x *recordingIndex) Upsert(_ context.Context, ms []meeting.Meeting) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.down {
		return meeting.Errorf(meeting.KindUnavailable, "test", "index down")
	}
	for _, m := range ms {
		if search.Public(&m) {
			x.docs[m.ID] = m.Name
		} else {
			delete(x.docs, m.ID)
		}
	}
	return nil
}

func (x *recordingIndex) Delete(_ context.Context, ids []int64) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.down {
		return meeting.Errorf(meeting.KindUnavailable, "test", "index down")
	}
	for _, id := range ids {
		delete(x.docs, id)
	}
	return nil
}

func (x *recordingIndex) Search(context.Context, meeting.Filter) (search.Hits, error) {
	return search.Hits{}, nil
}

func (x *recordingIndex) names() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []string
	for _, n := range x.docs {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// TestOutboxLosesNothingWhileTheIndexIsDown changes meetings while the
// index is down and checks that every change arrives once it is back.
func TestOutboxLosesNothingWhileTheIndexIsDown(t *testing.T) {
	db := pgtest.New(t)
	s := postgres.NewMeetingStore(db)
	ctx := context.Background()
	ob := postgres.NewOutbox(db)
	pending := func() int {
		n, err := ob.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	a, b, c := mk(nyc, 1, "19:00", "America/New_York"), mk(nyc, 2, "19:00", "America/New_York"), mk(nyc, 3, "19:00", "America/New_York")
	a.Name, b.Name, c.Name = "Alpha", "Bravo", "Charlie"
	if err := s.InsertMeetings(ctx, []meeting.Meeting{a}); err != nil {
		t.Fatal(err)
	}
	if n := pending(); n != 0 {
		t.Fatalf("%d changes queued while sync is off, want 0", n)
	}
	idx := &recordingIndex{docs: map[int64]string{}}
	st, err := ob.Reindex(ctx, idx, postgres.ReindexOptions{Batch: 2})
	if err != nil {
		t.Fatal(err)
	}
	if st.Meetings != 1 || !cmp.Equal(idx.names(), []string{"Alpha"}) {
		t.Fatalf("reindex: %+v, index %v", st, idx.names())
	}

	idx.down = true
	if err := s.InsertMeetings(ctx, []meeting.Meeting{b, c}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE meetings SET name = 'Alpha Renamed' WHERE name = 'Alpha'`,
		`UPDATE meetings SET deleted_at = now() WHERE name = 'Bravo'`,
	} {
		if _, err := db.Pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if n := pending(); n != 4 {
		t.Errorf("%d changes queued, want 4 (two inserts, two updates)", n)
	}
	if _, err := ob.Deliver(ctx, idx, 100); !meeting.IsKind(err, meeting.KindUnavailable) {
		t.Fatalf("deliver while down: %v, want KindUnavailable", err)
	}
	if n := pending(); n != 4 {
		t.Errorf("after a failed delivery %d changes queued, want all 4 kept", n)
	}
	if n, err := ob.Deliver(ctx, idx, 100); n != 0 || err != nil {
		t.Errorf("deliver during backoff: %d, %v; want nothing due", n, err)
	}

	idx.down = false
	if _, err := db.Pool.Exec(ctx, `UPDATE search_outbox SET next_attempt_at = now()`); err != nil { // the backoff has passed
		t.Fatal(err)
	}
	if n, err := ob.Deliver(ctx, idx, 100); n != 4 || err != nil {
		t.Fatalf("deliver after the index is back: %d, %v", n, err)
	}
	if d := cmp.Diff([]string{"Alpha Renamed", "Charlie"}, idx.names()); d != "" {
		t.Errorf("index after the outage (-want +got):\n%s", d)
	}
	if n := pending(); n != 0 {
		t.Errorf("%d changes still queued", n)
	}
	if _, err := db.Pool.Exec(ctx, `DELETE FROM meetings WHERE name = 'Charlie'`); err != nil {
		t.Fatal(err)
	}
	if n, err := ob.Deliver(ctx, idx, 100); n != 1 || err != nil {
		t.Fatalf("deliver a hard delete: %d, %v", n, err)
	}
	if d := cmp.Diff([]string{"Alpha Renamed"}, idx.names()); d != "" {
		t.Errorf("index after a delete (-want +got):\n%s", d)
	}
}

// overlapIndex is a search.Index of one instance that records what it is
// sent, slowly, and notes when another instance's index is being written
// at the same time.
type overlapIndex struct {
	shared *overlapState
}

// overlapState is what the indexes of all instances share.
type overlapState struct {
	mu       sync.Mutex
	active   int
	overlaps int
	names    map[int64]string
}

func (x overlapIndex) write(f func(s *overlapState)) {
	s := x.shared
	s.mu.Lock()
	s.active++
	if s.active > 1 {
		s.overlaps++
	}
	f(s)
	s.mu.Unlock()
	time.Sleep(20 * time.Millisecond) // a slow index widens any overlap
	s.mu.Lock()
	s.active--
	s.mu.Unlock()
}

func (x overlapIndex) Upsert(_ context.Context, ms []meeting.Meeting) error {
	x.write(func(s *overlapState) {
		for _, m := range ms {
			s.names[m.ID] = m.Name
		}
	})
	return nil
}

func (x overlapIndex) Delete(_ context.Context, ids []int64) error {
	x.write(func(s *overlapState) {
		for _, id := range ids {
			delete(s.names, id)
		}
	})
	return nil
}

func (x overlapIndex) Search(context.Context, meeting.Filter) (search.Hits, error) {
	return search.Hits{}, nil
}

// TestOutboxOneRunnerAtATime runs the outbox of two instances (two pools)
// on one database while meetings change: every change reaches the index,
// and no two deliveries are ever in flight at once.
func TestOutboxOneRunnerAtATime(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	other, err := postgres.Open(ctx, pgtest.DatabaseURL(t, db))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := postgres.NewOutbox(db).Enable(ctx, true); err != nil {
		t.Fatal(err)
	}
	s := postgres.NewMeetingStore(db)
	var ms []meeting.Meeting
	for i := range 1200 {
		m := mk(nyc, meeting.Weekday(i%7), "19:00", "America/New_York")
		m.Name = fmt.Sprintf("m%d", i)
		ms = append(ms, m)
	}
	if err := s.InsertMeetings(ctx, ms); err != nil {
		t.Fatal(err)
	}
	st := &overlapState{names: map[int64]string{}}
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, d := range []*postgres.DB{db, other} {
		wg.Go(func() {
			postgres.NewOutbox(d).Run(rctx, overlapIndex{st}, 10*time.Millisecond, slog.New(slog.DiscardHandler))
		})
	}
	// Changes made while both drain arrive too.
	if _, err := db.Pool.Exec(ctx, `UPDATE meetings SET name = name || ' renamed' WHERE name LIKE 'm1%'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE meetings SET deleted_at = now() WHERE name LIKE 'm2%'`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := postgres.NewOutbox(db).Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d changes still queued after 30 s", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	wg.Wait()
	rows, err := db.Pool.Query(ctx, `SELECT id, name FROM meetings WHERE deleted_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		want[id] = name
	}
	rows.Close()
	if d := cmp.Diff(want, st.names); d != "" {
		t.Errorf("index after both runners drained (-want +got):\n%s", d)
	}
	if st.overlaps != 0 {
		t.Errorf("%d deliveries overlapped another instance's", st.overlaps)
	}
}
