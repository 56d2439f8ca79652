package postgres_test

import (
	"context"
	"slices"
	"sync"
	"testing"

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
	st, err := ob.Reindex(ctx, idx, nil, 2)
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
