package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// cli runs the binary's run function against db and returns its output.
func cli(t *testing.T, db *postgres.DB, args ...string) (string, error) {
	t.Helper()
	url := pgtest.DatabaseURL(t, db)
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}, &out, &errOut)
	return out.String(), err
}

func TestOrgCommands(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	store := postgres.NewOrgStore(db)

	out, err := cli(t, db, "org", "create", "Hill Country Intergroup", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		Org struct {
			ID      int64
			Name    string
			Trusted bool
		}
		Key struct {
			Key, Prefix, Role string
		}
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if created.Org.Name != "Hill Country Intergroup" || created.Org.Trusted || created.Key.Role != "org" || !strings.HasPrefix(created.Key.Key, created.Key.Prefix) {
		t.Errorf("org create --json: %s", out)
	}
	p, err := store.Authenticate(ctx, created.Key.Key)
	if err != nil || p.OrgID != created.Org.ID {
		t.Fatalf("the printed key does not work: %+v, %v", p, err)
	}

	out, err = cli(t, db, "org", "create", "--trusted", "Trail Walkers")
	if err != nil || !strings.Contains(out, "trusted") || !strings.Contains(out, "mf_") {
		t.Errorf("org create --trusted: %q, %v", out, err)
	}
	if _, err := cli(t, db, "org", "create", "Trail Walkers"); !meeting.IsKind(err, meeting.KindConflict) {
		t.Errorf("duplicate org: %v", err)
	}
	if out, err = cli(t, db, "org", "trust", "Hill Country Intergroup"); err != nil || !strings.Contains(out, "trusted") {
		t.Errorf("org trust: %q, %v", out, err)
	}
	if p, _ := store.Authenticate(ctx, created.Key.Key); p == nil || !p.Trusted {
		t.Error("org trust did not take")
	}
	out, err = cli(t, db, "org", "list", "--json")
	var orgs []struct{ Name string }
	if err != nil || json.Unmarshal([]byte(out), &orgs) != nil || len(orgs) != 2 {
		t.Errorf("org list --json: %q, %v", out, err)
	}
	out, err = cli(t, db, "org", "create-key", "Trail Walkers", "--json")
	var k struct{ Key, Prefix string }
	if err != nil || json.Unmarshal([]byte(out), &k) != nil || k.Key == "" {
		t.Fatalf("org create-key: %q, %v", out, err)
	}
	out, err = cli(t, db, "admin", "create-key", "--json")
	var ak struct{ Key, Role string }
	if err != nil || json.Unmarshal([]byte(out), &ak) != nil || ak.Role != "admin" {
		t.Fatalf("admin create-key: %q, %v", out, err)
	}
	if p, err := store.Authenticate(ctx, ak.Key); err != nil || !p.IsAdmin() {
		t.Errorf("admin key: %+v, %v", p, err)
	}
	if out, err = cli(t, db, "org", "revoke-key", k.Prefix); err != nil || !strings.Contains(out, "revoked") {
		t.Errorf("org revoke-key: %q, %v", out, err)
	}
	if _, err := store.Authenticate(ctx, k.Key); !meeting.IsKind(err, meeting.KindUnauthorized) {
		t.Errorf("revoked key still works: %v", err)
	}
	out, err = cli(t, db, "org", "keys")
	if err != nil || strings.Contains(out, k.Key) || strings.Contains(out, ak.Key) || !strings.Contains(out, k.Prefix) {
		t.Errorf("org keys shows keys or misses prefixes: %q, %v", out, err)
	}
	for _, args := range [][]string{{"org"}, {"org", "fly"}, {"org", "create"}, {"org", "list", "extra"}, {"org", "trust", "X", "--trusted"}, {"admin"}} {
		if _, err := cli(t, db, args...); err == nil {
			t.Errorf("%v: no error", args)
		} else if _, ok := err.(usageError); !ok {
			t.Errorf("%v: %v is not a usage error", args, err)
		}
	}
}
