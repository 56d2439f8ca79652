package memstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// KeyPrefix starts every API key, as postgres.KeyPrefix does.
const KeyPrefix = "mf_"

// keyPrefixLen is how many characters of a key (KeyPrefix included) name it.
const keyPrefixLen = len(KeyPrefix) + 8

// apiKey is a stored key: its description and the SHA-256 of the key,
// never the key itself.
type apiKey struct {
	meeting.APIKey
	hash [sha256.Size]byte
}

// newKey returns a fresh key: KeyPrefix and 24 random bytes in base64url.
func newKey() string {
	b := make([]byte, 24)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return KeyPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// org returns the organization with the given id, or nil. The caller
// holds the lock.
func (s *Store) org(id int64) *meeting.Organization {
	for _, o := range s.orgs {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// orgNamed returns the organization called name (exactly), or nil.
func (s *Store) orgNamed(name string) *meeting.Organization {
	for _, o := range s.orgs {
		if o.Name == name {
			return o
		}
	}
	return nil
}

// CreateOrg adds an organization named name (trimmed). An empty name is
// KindInvalid, a name taken already KindConflict.
func (s *Store) CreateOrg(ctx context.Context, name string, trusted bool) (*meeting.Organization, error) {
	const op = "memstore.CreateOrg"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "an organization needs a name", Fields: map[string]string{"name": "is required"}}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.orgNamed(name) != nil {
		return nil, meeting.Errorf(meeting.KindConflict, op, "an organization named %q already exists", name)
	}
	s.ids.org++
	o := &meeting.Organization{ID: s.ids.org, Name: name, Trusted: trusted, CreatedAt: s.stamp()}
	s.orgs = append(s.orgs, o)
	c := *o
	return &c, nil
}

// Orgs lists every organization by name (byte order, as under the C
// collation).
func (s *Store) Orgs(ctx context.Context) ([]meeting.Organization, error) {
	if err := alive(ctx, "memstore.Orgs"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]meeting.Organization, 0, len(s.orgs))
	for _, o := range s.orgs {
		out = append(out, *o)
	}
	slices.SortFunc(out, func(a, b meeting.Organization) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// SetTrusted changes whether the organization called name publishes
// directly; an unknown name is KindNotFound. Listings already submitted
// keep their state.
func (s *Store) SetTrusted(ctx context.Context, name string, trusted bool) (*meeting.Organization, error) {
	const op = "memstore.SetTrusted"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgNamed(name)
	if o == nil {
		return nil, meeting.Errorf(meeting.KindNotFound, op, "no organization is named %q", name)
	}
	o.Trusted = trusted
	c := *o
	return &c, nil
}

// CreateKey makes a key for the organization called orgName and returns
// it with its description; an unknown name is KindNotFound.
func (s *Store) CreateKey(ctx context.Context, orgName string) (string, *meeting.APIKey, error) {
	const op = "memstore.CreateKey"
	if err := alive(ctx, op); err != nil {
		return "", nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgNamed(orgName)
	if o == nil {
		return "", nil, meeting.Errorf(meeting.KindNotFound, op, "no organization is named %q", orgName)
	}
	return s.insertKey(o.ID, o.Name, meeting.RoleOrg)
}

// CreateAdminKey makes an admin key and returns it with its description.
func (s *Store) CreateAdminKey(ctx context.Context) (string, *meeting.APIKey, error) {
	if err := alive(ctx, "memstore.CreateAdminKey"); err != nil {
		return "", nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.insertKey(0, "", meeting.RoleAdmin)
}

// insertKey stores the hash of a new key whose prefix no other key has.
// The caller holds the lock.
func (s *Store) insertKey(orgID int64, orgName string, role meeting.Role) (string, *meeting.APIKey, error) {
	for {
		key := newKey()
		if s.keyWithPrefix(key[:keyPrefixLen]) != nil {
			continue // 48 random bits clash: try again
		}
		s.ids.key++
		k := &apiKey{APIKey: meeting.APIKey{ID: s.ids.key, Prefix: key[:keyPrefixLen], OrgID: orgID, OrgName: orgName, Role: role, CreatedAt: s.stamp()},
			hash: sha256.Sum256([]byte(key))}
		s.keys = append(s.keys, k)
		d := k.APIKey
		return key, &d, nil
	}
}

// keyWithPrefix returns the key with the given prefix, or nil.
func (s *Store) keyWithPrefix(prefix string) *apiKey {
	for _, k := range s.keys {
		if k.Prefix == prefix {
			return k
		}
	}
	return nil
}

// describe returns k's description with the current name of its
// organization.
func (s *Store) describe(k *apiKey) meeting.APIKey {
	d := k.APIKey
	if o := s.org(k.OrgID); o != nil {
		d.OrgName = o.Name
	}
	return d
}

// RevokeKey stops the key with the given prefix from working and returns
// its description; revoking it again keeps the first revocation time. An
// unknown prefix is KindNotFound.
func (s *Store) RevokeKey(ctx context.Context, prefix string) (*meeting.APIKey, error) {
	const op = "memstore.RevokeKey"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keyWithPrefix(prefix)
	if k == nil {
		return nil, meeting.Errorf(meeting.KindNotFound, op, "no key has prefix %q", prefix)
	}
	if k.RevokedAt.IsZero() {
		k.RevokedAt = s.stamp()
	}
	d := s.describe(k)
	return &d, nil
}

// Keys lists every key, oldest first, without the keys themselves.
func (s *Store) Keys(ctx context.Context) ([]meeting.APIKey, error) {
	if err := alive(ctx, "memstore.Keys"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]meeting.APIKey, 0, len(s.keys))
	for _, k := range s.keys {
		out = append(out, s.describe(k))
	}
	return out, nil
}

// Authenticate returns who key speaks for, with its organization's
// current trust. A malformed, unknown or revoked key is KindUnauthorized.
func (s *Store) Authenticate(ctx context.Context, key string) (*meeting.Principal, error) {
	const op = "memstore.Authenticate"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(key, KeyPrefix) || len(key) < keyPrefixLen || len(key) > 100 {
		return nil, meeting.Errorf(meeting.KindUnauthorized, op, "the API key is not valid")
	}
	h := sha256.Sum256([]byte(key))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k.hash != h || !k.RevokedAt.IsZero() {
			continue
		}
		p := &meeting.Principal{KeyPrefix: k.Prefix, Role: k.Role, OrgID: k.OrgID}
		if o := s.org(k.OrgID); o != nil {
			p.OrgName, p.Trusted = o.Name, o.Trusted
		}
		return p, nil
	}
	return nil, meeting.Errorf(meeting.KindUnauthorized, op, "the API key is not valid")
}
