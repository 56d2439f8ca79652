package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// TestCheckReplicaRefusesAPrimary points the replica check at the test
// server, a primary: it is refused with a message naming
// DATABASE_READ_URL, and its lag is 0.
func TestCheckReplicaRefusesAPrimary(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	err := db.CheckReplica(ctx)
	if !meeting.IsKind(err, meeting.KindInvalid) || !strings.Contains(err.Error(), "DATABASE_READ_URL points at a primary") {
		t.Fatalf("CheckReplica on a primary = %v, want KindInvalid naming DATABASE_READ_URL", err)
	}
	if lag, err := db.ReplicaLag(ctx); err != nil || lag != 0 {
		t.Errorf("ReplicaLag on a primary = %v, %v; want 0", lag, err)
	}
}
