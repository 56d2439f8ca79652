package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

func TestOrgKeys(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := postgres.NewOrgStore(db)

	org, err := s.CreateOrg(ctx, "Hill Country Intergroup", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrg(ctx, "Hill Country Intergroup", true); !meeting.IsKind(err, meeting.KindConflict) {
		t.Errorf("duplicate name: err %v, want conflict", err)
	}
	if _, err := s.CreateOrg(ctx, "  ", true); !meeting.IsKind(err, meeting.KindInvalid) {
		t.Errorf("blank name: err %v, want invalid", err)
	}
	key, k, err := s.CreateKey(ctx, org.Name)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "mf_") || len(key) != 3+32 || !strings.HasPrefix(key, k.Prefix) || k.OrgID != org.ID || k.Role != meeting.RoleOrg {
		t.Errorf("key %q, info %+v", key, k)
	}
	var stored int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM api_keys WHERE position($1 in encode(hash, 'escape')) > 0 OR prefix = $1`, key).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("the key itself is stored (%d rows, %v)", stored, err)
	}
	if _, _, err := s.CreateKey(ctx, "Nobody"); !meeting.IsKind(err, meeting.KindNotFound) {
		t.Errorf("key for unknown org: err %v, want not_found", err)
	}

	p, err := s.Authenticate(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if p.OrgID != org.ID || p.Role != meeting.RoleOrg || p.Trusted || p.Actor() != meeting.OrgSource(org.ID) {
		t.Errorf("principal %+v", p)
	}
	for _, bad := range []string{"", "mf_", key + "x", "Bearer " + key, strings.ToUpper(key)} {
		if _, err := s.Authenticate(ctx, bad); !meeting.IsKind(err, meeting.KindUnauthorized) {
			t.Errorf("Authenticate(%q): err %v, want unauthorized", bad, err)
		}
	}

	if _, err := s.SetTrusted(ctx, org.Name, true); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Authenticate(ctx, key); err != nil || !p.Trusted {
		t.Errorf("after trust: %+v, %v", p, err)
	}
	if _, err := s.SetTrusted(ctx, "Nobody", true); !meeting.IsKind(err, meeting.KindNotFound) {
		t.Errorf("trust unknown: err %v, want not_found", err)
	}

	admin, ak, err := s.CreateAdminKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ap, err := s.Authenticate(ctx, admin); err != nil || !ap.IsAdmin() || ap.OrgID != 0 || ap.Actor() != "admin:"+ak.Prefix {
		t.Errorf("admin principal %+v, %v", ap, err)
	}

	rk, err := s.RevokeKey(ctx, k.Prefix)
	if err != nil || rk.RevokedAt.IsZero() || rk.OrgName != org.Name {
		t.Fatalf("RevokeKey: %+v, %v", rk, err)
	}
	if _, err := s.Authenticate(ctx, key); !meeting.IsKind(err, meeting.KindUnauthorized) {
		t.Errorf("revoked key: err %v, want unauthorized", err)
	}
	if _, err := s.RevokeKey(ctx, "mf_nothing"); !meeting.IsKind(err, meeting.KindNotFound) {
		t.Errorf("revoke unknown: err %v, want not_found", err)
	}
	keys, err := s.Keys(ctx)
	if err != nil || len(keys) != 2 || keys[0].RevokedAt.IsZero() || !keys[1].RevokedAt.IsZero() || keys[1].Role != meeting.RoleAdmin {
		t.Errorf("Keys: %+v, %v", keys, err)
	}
	orgs, err := s.Orgs(ctx)
	if err != nil || len(orgs) != 1 || !orgs[0].Trusted {
		t.Errorf("Orgs: %+v, %v", orgs, err)
	}
}
