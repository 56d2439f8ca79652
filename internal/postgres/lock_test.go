package postgres_test

import (
	"context"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

func TestTryLock(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	other, err := postgres.Open(ctx, pgtest.DatabaseURL(t, db))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	unlock, ok, err := db.TryLock(ctx, "a")
	if err != nil || !ok {
		t.Fatalf("first TryLock = %v, %v; want the lock", ok, err)
	}
	if _, ok, err := other.TryLock(ctx, "a"); err != nil || ok {
		t.Fatalf("TryLock of a held key from another pool = %v, %v; want refused", ok, err)
	}
	if _, ok, err := db.TryLock(ctx, "a"); err != nil || ok {
		t.Fatalf("TryLock of a held key from the same pool = %v, %v; want refused (another connection)", ok, err)
	}
	u2, ok, err := other.TryLock(ctx, "b")
	if err != nil || !ok {
		t.Fatalf("TryLock of another key = %v, %v; want the lock", ok, err)
	}
	u2()
	unlock()
	unlock() // twice is harmless
	u3, ok, err := other.TryLock(ctx, "a")
	if err != nil || !ok {
		t.Fatalf("TryLock after unlock = %v, %v; want the lock", ok, err)
	}
	u3()
}
