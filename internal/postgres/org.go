package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// OrgStore is meeting.OrgStore on PostgreSQL: the organizations and
// api_keys tables. Keys are stored only as SHA-256 hashes.
type OrgStore struct {
	db *DB
}

// NewOrgStore returns an OrgStore over db.
func NewOrgStore(db *DB) *OrgStore { return &OrgStore{db: db} }

var _ meeting.OrgStore = (*OrgStore)(nil)

// KeyPrefix starts every API key.
const KeyPrefix = "mf_"

// keyPrefixLen is how many characters of a key (KeyPrefix included) name it.
const keyPrefixLen = len(KeyPrefix) + 8

// newKey returns a fresh key: KeyPrefix and 24 random bytes in base64url
// (192 bits, so a fast hash is safe to store).
func newKey() string {
	b := make([]byte, 24)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return KeyPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// hashKey returns the stored form of key.
func hashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// CreateOrg adds an organization; a duplicate name is KindConflict and an
// empty one KindInvalid.
func (s *OrgStore) CreateOrg(ctx context.Context, name string, trusted bool) (*meeting.Organization, error) {
	const op = "postgres.CreateOrg"
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "an organization needs a name", Fields: map[string]string{"name": "is required"}}
	}
	var o meeting.Organization
	err := s.db.Pool.QueryRow(ctx, `INSERT INTO organizations (name, trusted) VALUES ($1, $2)
		RETURNING id, name, trusted, created_at`, name, trusted).Scan(&o.ID, &o.Name, &o.Trusted, &o.CreatedAt)
	if err != nil {
		err = translate(op, err)
		if meeting.IsKind(err, meeting.KindConflict) {
			return nil, meeting.Errorf(meeting.KindConflict, op, "an organization named %q already exists", name)
		}
		return nil, err
	}
	return &o, nil
}

// Orgs lists every organization by name.
func (s *OrgStore) Orgs(ctx context.Context) ([]meeting.Organization, error) {
	const op = "postgres.Orgs"
	rows, err := s.db.Pool.Query(ctx, `SELECT id, name, trusted, created_at FROM organizations ORDER BY name`)
	if err != nil {
		return nil, translate(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (meeting.Organization, error) {
		var o meeting.Organization
		err := r.Scan(&o.ID, &o.Name, &o.Trusted, &o.CreatedAt)
		return o, err
	})
	return out, translate(op, err)
}

// SetTrusted changes whether the named organization publishes directly. It
// does not change the state of listings already submitted.
func (s *OrgStore) SetTrusted(ctx context.Context, name string, trusted bool) (*meeting.Organization, error) {
	const op = "postgres.SetTrusted"
	var o meeting.Organization
	err := s.db.Pool.QueryRow(ctx, `UPDATE organizations SET trusted = $2 WHERE name = $1
		RETURNING id, name, trusted, created_at`, name, trusted).Scan(&o.ID, &o.Name, &o.Trusted, &o.CreatedAt)
	if err != nil {
		return nil, notFound(op, err, "no organization is named %q", name)
	}
	return &o, nil
}

// CreateKey makes a key for the named organization.
func (s *OrgStore) CreateKey(ctx context.Context, orgName string) (string, *meeting.APIKey, error) {
	const op = "postgres.CreateKey"
	var orgID int64
	if err := s.db.Pool.QueryRow(ctx, `SELECT id FROM organizations WHERE name = $1`, orgName).Scan(&orgID); err != nil {
		return "", nil, notFound(op, err, "no organization is named %q", orgName)
	}
	return s.insertKey(ctx, op, orgID, meeting.RoleOrg)
}

// CreateAdminKey makes an admin key.
func (s *OrgStore) CreateAdminKey(ctx context.Context) (string, *meeting.APIKey, error) {
	return s.insertKey(ctx, "postgres.CreateAdminKey", 0, meeting.RoleAdmin)
}

// insertKey stores a new key's hash, retrying the (unlikely) clash of two
// prefixes.
func (s *OrgStore) insertKey(ctx context.Context, op string, orgID int64, role meeting.Role) (string, *meeting.APIKey, error) {
	var org any
	if orgID != 0 {
		org = orgID
	}
	for range 5 {
		key := newKey()
		k := meeting.APIKey{Prefix: key[:keyPrefixLen], OrgID: orgID, Role: role}
		err := s.db.Pool.QueryRow(ctx, `WITH k AS (INSERT INTO api_keys (prefix, hash, org_id, role) VALUES ($1, $2, $3, $4)
				RETURNING id, created_at, org_id)
			SELECT k.id, k.created_at, coalesce(o.name, '') FROM k LEFT JOIN organizations o ON o.id = k.org_id`,
			k.Prefix, hashKey(key), org, string(role)).Scan(&k.ID, &k.CreatedAt, &k.OrgName)
		if err == nil {
			return key, &k, nil
		}
		if err = translate(op, err); !meeting.IsKind(err, meeting.KindConflict) {
			return "", nil, err
		}
	}
	return "", nil, meeting.Errorf(meeting.KindInternal, op, "could not make a unique key prefix")
}

// RevokeKey stops the key with the given prefix from working. Revoking a
// revoked key keeps its first revocation time.
func (s *OrgStore) RevokeKey(ctx context.Context, prefix string) (*meeting.APIKey, error) {
	const op = "postgres.RevokeKey"
	var k meeting.APIKey
	var revoked *time.Time
	var role string
	err := s.db.Pool.QueryRow(ctx, `WITH k AS (UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE prefix = $1
			RETURNING id, prefix, org_id, role, created_at, revoked_at)
		SELECT k.id, k.prefix, coalesce(k.org_id, 0), coalesce(o.name, ''), k.role, k.created_at, k.revoked_at
		FROM k LEFT JOIN organizations o ON o.id = k.org_id`, prefix).
		Scan(&k.ID, &k.Prefix, &k.OrgID, &k.OrgName, &role, &k.CreatedAt, &revoked)
	if err != nil {
		return nil, notFound(op, err, "no key has prefix %q", prefix)
	}
	k.Role = meeting.Role(role)
	if revoked != nil {
		k.RevokedAt = *revoked
	}
	return &k, nil
}

// Keys lists every key, oldest first.
func (s *OrgStore) Keys(ctx context.Context) ([]meeting.APIKey, error) {
	const op = "postgres.Keys"
	rows, err := s.db.Pool.Query(ctx, `SELECT k.id, k.prefix, coalesce(k.org_id, 0), coalesce(o.name, ''), k.role, k.created_at, k.revoked_at
		FROM api_keys k LEFT JOIN organizations o ON o.id = k.org_id ORDER BY k.id`)
	if err != nil {
		return nil, translate(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (meeting.APIKey, error) {
		var k meeting.APIKey
		var role string
		var revoked *time.Time
		err := r.Scan(&k.ID, &k.Prefix, &k.OrgID, &k.OrgName, &role, &k.CreatedAt, &revoked)
		k.Role = meeting.Role(role)
		if revoked != nil {
			k.RevokedAt = *revoked
		}
		return k, err
	})
	return out, translate(op, err)
}

// Authenticate returns who key speaks for, or KindUnauthorized when the key
// is malformed, unknown or revoked.
func (s *OrgStore) Authenticate(ctx context.Context, key string) (*meeting.Principal, error) {
	const op = "postgres.Authenticate"
	if !strings.HasPrefix(key, KeyPrefix) || len(key) < keyPrefixLen || len(key) > 100 {
		return nil, meeting.Errorf(meeting.KindUnauthorized, op, "the API key is not valid")
	}
	var p meeting.Principal
	var role string
	err := s.db.Pool.QueryRow(ctx, `SELECT k.prefix, k.role, coalesce(k.org_id, 0), coalesce(o.name, ''), coalesce(o.trusted, false)
		FROM api_keys k LEFT JOIN organizations o ON o.id = k.org_id
		WHERE k.hash = $1 AND k.revoked_at IS NULL`, hashKey(key)).Scan(&p.KeyPrefix, &role, &p.OrgID, &p.OrgName, &p.Trusted)
	if err != nil {
		err = translate(op, err)
		if meeting.IsKind(err, meeting.KindNotFound) {
			return nil, meeting.Errorf(meeting.KindUnauthorized, op, "the API key is not valid")
		}
		return nil, err
	}
	p.Role = meeting.Role(role)
	return &p, nil
}

// notFound translates err, giving a not-found one the formatted message.
func notFound(op string, err error, format string, args ...any) error {
	err = translate(op, err)
	if meeting.IsKind(err, meeting.KindNotFound) {
		return meeting.Errorf(meeting.KindNotFound, op, format, args...)
	}
	return err
}
