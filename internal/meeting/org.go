package meeting

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// Organization publishes and keeps its own listings through the API: an
// intergroup, a SMART facilitator, a church running Celebrate Recovery, a
// hiking or art group. A trusted organization's listings are published
// directly; the others wait for an admin.
type Organization struct {
	ID        int64
	Name      string
	Trusted   bool
	CreatedAt time.Time
}

// OrgSource returns the Meeting.Source of the listings of organization id:
// "org:<id>".
func OrgSource(id int64) string { return "org:" + strconv.FormatInt(id, 10) }

// Role says what an API key may do.
type Role string

// The roles of API keys.
const (
	// RoleOrg keys act for one organization on its own listings.
	RoleOrg Role = "org"
	// RoleAdmin keys belong to no organization and moderate every listing.
	RoleAdmin Role = "admin"
)

// APIKey describes a key without the key itself, which is shown once when it
// is made and never stored. Prefix (the first characters of the key) names
// it in lists and in the audit log. OrgID is 0 for admin keys; RevokedAt is
// zero while the key works.
type APIKey struct {
	ID        int64
	Prefix    string
	OrgID     int64
	OrgName   string
	Role      Role
	CreatedAt time.Time
	RevokedAt time.Time
}

// Principal is who a request speaks for: the holder of a valid key.
type Principal struct {
	KeyPrefix string
	Role      Role
	OrgID     int64 // 0 for an admin
	OrgName   string
	Trusted   bool
}

// IsAdmin reports whether p holds an admin key.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }

// IsOrg reports whether p acts for an organization.
func (p Principal) IsOrg() bool { return p.Role == RoleOrg && p.OrgID > 0 }

// Actor names p in the audit log: "org:<id>" or "admin:<key prefix>".
func (p Principal) Actor() string {
	if p.IsAdmin() {
		return "admin:" + p.KeyPrefix
	}
	return OrgSource(p.OrgID)
}

// StatusAfterEdit returns the moderation state of a listing that p has just
// created or changed, given its state before (empty for a new listing). A
// trusted organization publishes directly; an untrusted one's listing waits
// for an admin, also after an edit to a published listing (which is then
// hidden until approved again: nothing unreviewed is ever public); an admin's
// edit leaves the state as it was.
func (p Principal) StatusAfterEdit(before Status) Status {
	switch {
	case p.IsAdmin() && before != "":
		return before
	case p.IsAdmin() || p.Trusted:
		return StatusPublished
	default:
		return StatusPending
	}
}

// Listing is a meeting as its owner and the moderators see it: with its
// moderation state (Meeting.Status) and the reason of a rejection.
type Listing struct {
	Meeting
	StatusReason string
}

// ValidateListing checks a listing submitted by an organization: every rule
// of Meeting.Validate, and a time zone, which organizations must give
// (imports may leave it to be inferred). It returns a KindInvalid *Error
// naming each bad field, or nil.
func ValidateListing(m *Meeting) error {
	f := FieldErrors{}
	if err := m.Validate(); err != nil {
		if e, ok := err.(*Error); ok {
			for k, v := range e.Fields {
				f.Add(k, v)
			}
		} else {
			return err
		}
	}
	if m.TimeZone == "" {
		f.Add("timezone", "is required (an IANA zone such as America/New_York)")
	}
	return f.Err("meeting.ValidateListing", "the meeting is not valid")
}

// Action names a kind of change in the audit log.
type Action string

// The audited actions.
const (
	ActionCreate        Action = "create"
	ActionReplace       Action = "replace"
	ActionPatch         Action = "patch"
	ActionDelete        Action = "delete"
	ActionApprove       Action = "approve"
	ActionReject        Action = "reject"
	ActionChangeRequest Action = "change_request"
	ActionUpload        Action = "upload"
)

// AuditEntry records one change to a listing: who (Actor, see
// Principal.Actor), when, what, and the listing before (nil for a creation)
// and after (nil for a deletion). Note holds a rejection's reason or the
// change request applied.
type AuditEntry struct {
	ID        int64
	MeetingID int64
	Actor     string
	Action    Action
	Note      string
	Before    *Meeting
	After     *Meeting
	At        time.Time
}

// ChangeRequestStatus is where a change request stands.
type ChangeRequestStatus string

// The states of a change request.
const (
	ChangeRequestOpen      ChangeRequestStatus = "open"
	ChangeRequestApplied   ChangeRequestStatus = "applied"
	ChangeRequestDismissed ChangeRequestStatus = "dismissed"
)

// Valid reports whether s is one of the states.
func (s ChangeRequestStatus) Valid() bool {
	return s == ChangeRequestOpen || s == ChangeRequestApplied || s == ChangeRequestDismissed
}

// ChangeRequest is a correction to a public listing proposed by anyone,
// without a key. Proposed is a JSON merge patch over the listing's API input
// shape; Contact (optional) is shown only to the owner and admins. Current
// is the listing as it is now, filled in by ChangeRequestStore.ChangeRequests.
type ChangeRequest struct {
	ID         int64
	MeetingID  int64
	Proposed   json.RawMessage
	Contact    string
	Status     ChangeRequestStatus
	CreatedAt  time.Time
	ResolvedAt time.Time
	ResolvedBy string
	Current    *Meeting
}

// UploadOutcome counts what a bulk upload did to an organization's listings.
type UploadOutcome struct {
	Inserted, Updated int
}

// OrgStore keeps organizations and API keys. Errors are *Error: an unknown
// organization or key is KindNotFound, a duplicate name KindConflict, a
// missing, unknown or revoked key given to Authenticate KindUnauthorized.
type OrgStore interface {
	// CreateOrg adds an organization.
	CreateOrg(ctx context.Context, name string, trusted bool) (*Organization, error)
	// Orgs lists every organization by name.
	Orgs(ctx context.Context) ([]Organization, error)
	// SetTrusted changes whether the named organization publishes directly.
	SetTrusted(ctx context.Context, name string, trusted bool) (*Organization, error)
	// CreateKey makes a new key for the named organization and returns it;
	// it is never shown again.
	CreateKey(ctx context.Context, orgName string) (string, *APIKey, error)
	// CreateAdminKey makes a new admin key and returns it.
	CreateAdminKey(ctx context.Context) (string, *APIKey, error)
	// RevokeKey stops the key whose prefix is given from working.
	RevokeKey(ctx context.Context, prefix string) (*APIKey, error)
	// Keys lists every key (without the keys themselves).
	Keys(ctx context.Context) ([]APIKey, error)
	// Authenticate returns who key speaks for.
	Authenticate(ctx context.Context, key string) (*Principal, error)
}

// ListingStore keeps the listings organizations manage and records every
// change in the audit log, in the same transaction as the change. Every
// method is scoped by the Principal: an organization reaches only its own
// listings, and another organization's listing or an imported one is
// KindNotFound (never KindForbidden, so that ids do not leak); an admin
// reaches every listing. Invalid listings are KindInvalid with each field
// named.
type ListingStore interface {
	// Listings returns p's listings (an admin: every organization's),
	// oldest first (by id); status "" means any state. Deleted listings are left out.
	Listings(ctx context.Context, p Principal, status Status) ([]Listing, error)
	// Listing returns one listing p may manage.
	Listing(ctx context.Context, p Principal, id int64) (*Listing, error)
	// CreateListing adds m for p's organization with the state
	// p.StatusAfterEdit("") and returns it. An admin has no organization:
	// KindForbidden.
	CreateListing(ctx context.Context, p Principal, m *Meeting) (*Listing, error)
	// ChangeListing lets change edit the listing's content (its id, source,
	// owner and state are kept), validates the result, sets the state by
	// p.StatusAfterEdit, and records action with note.
	ChangeListing(ctx context.Context, p Principal, id int64, action Action, note string, change func(*Meeting) error) (*Listing, error)
	// DeleteListing removes the listing (recoverably) from every view.
	DeleteListing(ctx context.Context, p Principal, id int64) error
	// Moderate sets the state of a listing as an admin: published
	// (approve) or rejected with a reason. Others get KindForbidden.
	Moderate(ctx context.Context, p Principal, id int64, status Status, reason string) (*Listing, error)
	// History returns the audit log of a listing p may manage (also after
	// its deletion), oldest first.
	History(ctx context.Context, p Principal, id int64) ([]AuditEntry, error)
	// Upload inserts or updates (by ExternalID) the organization's listings
	// ms in one transaction; it never removes any.
	Upload(ctx context.Context, p Principal, ms []Meeting) (UploadOutcome, error)
}

// ChangeRequestStore keeps public change requests.
type ChangeRequestStore interface {
	// CreateChangeRequest files cr (MeetingID, Proposed, Contact) against a
	// public listing; an unknown or non-public listing is KindNotFound.
	CreateChangeRequest(ctx context.Context, cr *ChangeRequest) (*ChangeRequest, error)
	// ChangeRequests lists the requests on listings p may manage (an
	// admin: all), oldest first, with Current set; status "" means any.
	ChangeRequests(ctx context.Context, p Principal, status ChangeRequestStatus) ([]ChangeRequest, error)
	// ResolveChangeRequest applies (patch edits the listing, recorded as
	// ActionChangeRequest by p) or dismisses an open request on a listing p
	// may manage. A request no longer open is KindConflict.
	ResolveChangeRequest(ctx context.Context, p Principal, id int64, apply bool, patch func(m *Meeting, proposed json.RawMessage) error) (*ChangeRequest, error)
}
