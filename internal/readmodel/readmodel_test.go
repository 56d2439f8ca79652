package readmodel_test

import (
	"context"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/meeting/storetest"
	"github.com/meetingfinder/meetingfinder/internal/memstore"
	"github.com/meetingfinder/meetingfinder/internal/readmodel"
)

// synced reads from the model after applying every change written so far,
// so that a test's write is visible to its next read, as it is with the
// stores the suite was written for.
type synced struct {
	t *testing.T
	m *readmodel.Model
}

func (s synced) sync(ctx context.Context) {
	s.t.Helper()
	if _, err := s.m.Sync(ctx); err != nil {
		s.t.Fatalf("Sync: %v", err)
	}
}

func (s synced) Find(ctx context.Context, f meeting.Filter) (meeting.Page, error) {
	s.sync(ctx)
	return s.m.Find(ctx, f)
}

func (s synced) Get(ctx context.Context, id int64) (*meeting.Meeting, error) {
	s.sync(ctx)
	return s.m.Get(ctx, id)
}

func (s synced) All(ctx context.Context, f meeting.Filter) ([]meeting.Result, error) {
	s.sync(ctx)
	return s.m.All(ctx, f)
}

func (s synced) Each(ctx context.Context, f meeting.Filter, fn func(*meeting.Result) error) error {
	s.sync(ctx)
	return s.m.Each(ctx, f, fn)
}

func (s synced) Areas(ctx context.Context) ([][]string, error) {
	s.sync(ctx)
	return s.m.Areas(ctx)
}

// TestConformance runs the store conformance suite on a model that follows
// an in-memory store: the store takes the writes, the model answers the
// reads. CompactAt is small so that base, overlay and compaction all take
// part.
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name      string
		compactAt int
	}{{"overlay", 1 << 30}, {"compacting", 3}} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) storetest.Stores {
				mem := memstore.New()
				m := readmodel.New(mem, mem, readmodel.Options{CompactAt: tc.compactAt})
				if err := m.Load(context.Background()); err != nil {
					t.Fatal(err)
				}
				s := synced{t: t, m: m}
				return storetest.Stores{
					Meetings: s, Feeds: s, Orgs: mem, Listings: mem, ChangeRequests: mem,
					Seed: func(t *testing.T, ms []meeting.Meeting) []int64 {
						t.Helper()
						ids, err := mem.Insert(context.Background(), ms)
						if err != nil {
							t.Fatalf("Insert: %v", err)
						}
						return ids
					},
				}
			})
		})
	}
}
