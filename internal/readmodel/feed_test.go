package readmodel_test

import (
	"context"
	"iter"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/memstore"
	"github.com/meetingfinder/meetingfinder/internal/readmodel"
)

// TestFeed: OnLoad hands over every public meeting after a load (and may
// be read again later), OnChange each applied change: the meetings now
// public and the ids no longer public.
func TestFeed(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	ids, err := mem.Insert(ctx, demo.Generate(1, 20))
	if err != nil {
		t.Fatal(err)
	}
	var all iter.Seq[*meeting.Meeting]
	loads, count := 0, 0
	var public []string
	var removed []int64
	m := readmodel.New(mem, mem, readmodel.Options{
		OnLoad: func(n int, parts ...iter.Seq[*meeting.Meeting]) {
			loads, count = loads+1, n
			all = func(yield func(*meeting.Meeting) bool) {
				for _, p := range parts {
					for m := range p {
						if !yield(m) {
							return
						}
					}
				}
			}
		},
		OnChange: func(ms []meeting.Meeting, gone []int64) {
			for _, mt := range ms {
				public = append(public, mt.Name)
			}
			removed = append(removed, gone...)
		},
	})
	if err := m.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if loads != 1 || count != 20 {
		t.Fatalf("OnLoad called %d times with n = %d", loads, count)
	}
	read := func() []int64 {
		var got []int64
		for mt := range all {
			got = append(got, mt.ID)
		}
		return got
	}
	if got := read(); !slices.Equal(got, ids) {
		t.Errorf("OnLoad's meetings: %v, want %v", got, ids)
	}
	fresh := demo.Generate(2, 1)[0]
	fresh.Name, fresh.ExternalID = "Fresh Start", "fresh"
	if _, err := mem.Insert(ctx, []meeting.Meeting{fresh}); err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Moderate(ctx, meeting.Principal{Role: meeting.RoleAdmin}, ids[3], meeting.StatusRejected, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(public, []string{"Fresh Start"}) || !slices.Equal(removed, []int64{ids[3]}) {
		t.Errorf("OnChange: public %q, removed %v; want [Fresh Start], [%d]", public, removed, ids[3])
	}
	// The loaded snapshot is immutable: reading it again gives the same.
	if got := read(); !slices.Equal(got, ids) {
		t.Errorf("OnLoad's meetings read again: %v", got)
	}
}

// TestResults: the model loads meetings by id as PostgreSQL's Results
// does: in the order asked, unknown and no longer public ids skipped,
// with the distance from the point and the occurrence Find gives.
func TestResults(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	ids, err := mem.Insert(ctx, demo.Generate(3, 200))
	if err != nil {
		t.Fatal(err)
	}
	m := readmodel.New(mem, mem, readmodel.Options{})
	if _, err := m.Results(ctx, ids[:1], meeting.Filter{}); !meeting.IsKind(err, meeting.KindUnavailable) {
		t.Errorf("before the load: %v, want KindUnavailable", err)
	}
	if err := m.Load(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 4, 18, 30, 0, 0, time.UTC)
	ny := orb.Point{-74.006, 40.7128}
	for _, f := range []meeting.Filter{{Now: now}, {Now: now, Point: ny, HasPoint: true, RadiusKM: meeting.MaxRadiusKM * 40}} {
		all, err := m.All(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]meeting.Result{}
		for _, r := range all {
			want[r.ID] = r
		}
		ask := []int64{ids[50], 987654321, ids[7], ids[120]}
		got, err := m.Results(ctx, ask, f)
		if err != nil {
			t.Fatal(err)
		}
		var wantList []meeting.Result
		for _, id := range ask {
			if r, ok := want[id]; ok {
				wantList = append(wantList, r)
			}
		}
		if !f.HasPoint && len(wantList) != 3 {
			t.Fatalf("%d of the ids found by All", len(wantList))
		}
		if d := cmp.Diff(wantList, got); d != "" {
			t.Errorf("point %v (-All +Results):\n%s", f.HasPoint, d)
		}
	}
}
