package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
	"github.com/meetingfinder/meetingfinder/internal/search"
)

// bulkIndex is a search.BulkIndex that applies a batch only when it is
// waited for, as Meilisearch applies tasks in order, and can be made to
// fail the wait of one ticket, as a Meilisearch that goes away.
type bulkIndex struct {
	recordingIndex
	mu       sync.Mutex
	queued   map[int64][]meeting.Meeting
	tickets  int64
	failAt   int64   // the ticket whose Wait fails; 0 = none
	sent     []int64 // ids in the order Enqueue received them
	inFlight int     // the most batches queued and not yet waited for
	cleared  int
}

func (x *bulkIndex) Enqueue(_ context.Context, ms []meeting.Meeting) (int64, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.tickets++
	x.queued[x.tickets] = slices.Clone(ms)
	x.inFlight = max(x.inFlight, len(x.queued))
	for _, m := range ms {
		x.sent = append(x.sent, m.ID)
	}
	return x.tickets, nil
}

func (x *bulkIndex) Wait(ctx context.Context, ticket int64) error {
	x.mu.Lock()
	if ticket == x.failAt {
		x.queued = map[int64][]meeting.Meeting{} // lost with the server
		x.mu.Unlock()
		return meeting.Errorf(meeting.KindUnavailable, "test", "index gone")
	}
	var ready [][]meeting.Meeting
	for t := int64(1); t <= ticket; t++ {
		if ms, ok := x.queued[t]; ok {
			ready = append(ready, ms)
			delete(x.queued, t)
		}
	}
	x.mu.Unlock()
	for _, ms := range ready {
		if err := x.Upsert(ctx, ms); err != nil {
			return err
		}
	}
	return nil
}

// TestReindexResumesWhereTheIndexConfirmed cuts a rebuild off when the
// index fails to confirm a batch, changes meetings on both sides of the
// cut, resumes, and checks that the index ends up holding every public
// meeting as it now is, that the resumed run sent only what was not
// confirmed, with batches in flight, and that a finished rebuild is not
// resumed again.
func TestReindexResumesWhereTheIndexConfirmed(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	var in []meeting.Meeting
	for i := range 23 {
		m := mk(nyc, meeting.Weekday(i%7), "19:00", "America/New_York")
		m.Name = fmt.Sprintf("Meeting %02d", i)
		in = append(in, m)
	}
	ids := pgtest.Seed(t, db, in)
	ob := postgres.NewOutbox(db)
	idx := &bulkIndex{recordingIndex: recordingIndex{docs: map[int64]string{}}, queued: map[int64][]meeting.Meeting{}, failAt: 5}
	clear := func(context.Context) error { idx.cleared++; return nil }
	var progress []int
	opts := postgres.ReindexOptions{Batch: 3, InFlight: 2, Clear: clear, Resume: true, Progress: func(done, total int) {
		if total != 23 {
			t.Errorf("progress total %d, want 23", total)
		}
		progress = append(progress, done)
	}}
	st, err := ob.Reindex(ctx, idx, opts)
	if !meeting.IsKind(err, meeting.KindUnavailable) {
		t.Fatalf("the rebuild with a failing index: %v, want unavailable", err)
	}
	if st.Meetings != 12 || !slices.Equal(progress, []int{3, 6, 9, 12}) || idx.inFlight != 2 {
		t.Fatalf("cut off: %d meetings confirmed, progress %v, %d batches in flight at most; want 12, [3 6 9 12], 2", st.Meetings, progress, idx.inFlight)
	}
	// Changes on both sides of the cut while no rebuild runs.
	for _, id := range []int64{ids[1], ids[20]} {
		if _, err := db.Pool.Exec(ctx, `UPDATE meetings SET name = name || ' (renamed)', updated_at = now() WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
	}
	idx.failAt, idx.sent, progress = 0, nil, nil
	st, err = ob.Reindex(ctx, idx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Resumed || st.From != ids[11] || st.Meetings != 11 || idx.cleared != 1 || !slices.Equal(idx.sent, ids[12:]) {
		t.Fatalf("resumed: %+v, sent %v, cleared %d times; want a resume after %d sending %v, cleared once", st, idx.sent, idx.cleared, ids[11], ids[12:])
	}
	if progress[len(progress)-1] != 23 {
		t.Errorf("resumed progress %v, want it to end at 23", progress)
	}
	// The change before the cut was queued since the first run began:
	// delivering the queue brings it in.
	if _, err := ob.Deliver(ctx, idx, 100); err != nil {
		t.Fatal(err)
	}
	if len(idx.docs) != 23 || idx.docs[ids[1]] != "Meeting 01 (renamed)" || idx.docs[ids[20]] != "Meeting 20 (renamed)" {
		t.Fatalf("the index holds %d meetings, %q and %q; want 23 with both renamed", len(idx.docs), idx.docs[ids[1]], idx.docs[ids[20]])
	}
	// A finished rebuild is not resumed: the next one starts again.
	idx.sent = nil
	st, err = ob.Reindex(ctx, idx, opts)
	if err != nil || st.Resumed || st.Meetings != 23 || idx.cleared != 2 || len(idx.sent) != 23 {
		t.Fatalf("after a finished rebuild: %+v %v, sent %d, cleared %d; want a fresh rebuild of 23", st, err, len(idx.sent), idx.cleared)
	}
	var _ search.BulkIndex = idx
}
