package postgres_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// TestCheckReplicaRefusesAPrimary points the replica check at the test
// server, a primary: it is refused with a message naming
// DATABASE_READ_URL, and its lag is 0.
func TestCheckReplicaRefusesAPrimary(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	err := db.CheckReplica(ctx, false)
	if !meeting.IsKind(err, meeting.KindInvalid) || !strings.Contains(err.Error(), "DATABASE_READ_URL points at a primary") {
		t.Fatalf("CheckReplica on a primary = %v, want KindInvalid naming DATABASE_READ_URL", err)
	}
	if lag, onPrimary, err := db.ReplicaLag(ctx); err != nil || lag != 0 || !onPrimary {
		t.Errorf("ReplicaLag on a primary = %v, %v, %v; want 0 on the primary", lag, onPrimary, err)
	}
	if err := db.CheckReplica(ctx, true); err != nil {
		t.Errorf("CheckReplica on a primary with fallback allowed = %v, want nil", err)
	}
	for url, want := range map[string]bool{
		"postgres://a:5433,b:5432/mf?target_session_attrs=prefer-standby":         true,
		"postgres://a/mf?sslmode=disable&target_session_attrs=prefer-standby&x=1": true,
		"host=a,b dbname=mf target_session_attrs=prefer-standby":                  true,
		"postgres://a/mf?target_session_attrs=standby":                            false,
		"postgres://a/mf": false,
	} {
		if got := postgres.PrefersStandby(url); got != want {
			t.Errorf("PrefersStandby(%q) = %v, want %v", url, got, want)
		}
	}
}

// TestChangesSinceNeverGoesBack asks the change log with a cursor ahead
// of the server (as when reads move from the primary to a standby still
// replaying): no changes, and the same cursor back, not an older one.
func TestChangesSinceNeverGoesBack(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	c, err := db.LoadPublic(ctx, func(*meeting.Meeting) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	ahead := meeting.ChangeCursor{Xmin: c.Xmin + 1000, Seen: []uint64{c.Xmin + 1001}}
	b, err := db.ChangesSince(ctx, ahead)
	if err != nil || len(b.IDs) != 0 || !slices.Equal(b.Next.Seen, ahead.Seen) || b.Next.Xmin != ahead.Xmin {
		t.Fatalf("ChangesSince(a cursor ahead of the server) = %+v, %v; want no changes and the same cursor", b, err)
	}
}
