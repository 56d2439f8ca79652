package memstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// auditRow is one entry of the audit log, its listings kept as the
// database keeps them: encoded as encoding/json writes meeting.Meeting.
type auditRow struct {
	meeting.AuditEntry
	before, after []byte
}

// snapshot encodes m for the audit log; nil stays nil.
func snapshot(m *meeting.Meeting) []byte {
	if m == nil {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic("memstore: cannot encode a meeting: " + err.Error()) // a Meeting always encodes
	}
	return b
}

// unsnapshot decodes a snapshot; nil is nil.
func unsnapshot(b []byte) *meeting.Meeting {
	if b == nil {
		return nil
	}
	var m meeting.Meeting
	if err := json.Unmarshal(b, &m); err != nil {
		panic("memstore: cannot decode a snapshot: " + err.Error()) // snapshot wrote it
	}
	return &m
}

// record adds an entry to the audit log of meeting id. The caller holds
// the lock.
func (s *Store) record(id int64, actor string, action meeting.Action, note string, before, after *meeting.Meeting, at time.Time) {
	s.ids.audit++
	s.audit = append(s.audit, auditRow{
		AuditEntry: meeting.AuditEntry{ID: s.ids.audit, MeetingID: id, Actor: actor, Action: action, Note: note, At: at},
		before:     snapshot(before), after: snapshot(after),
	})
}

// inScope reports whether p may manage r: an admin every meeting, an
// organization its own. Anyone else is KindForbidden.
func inScope(op string, p meeting.Principal, r *row) (bool, error) {
	switch {
	case p.IsAdmin():
		return true, nil
	case p.IsOrg():
		return r.m.OrgID == p.OrgID, nil
	}
	return false, meeting.Errorf(meeting.KindForbidden, op, "this key may not manage listings")
}

// checkScope returns KindForbidden when p may manage no listing at all.
func checkScope(op string, p meeting.Principal) error {
	_, err := inScope(op, p, &row{})
	return err
}

// noListing is the error for a listing the caller may not see, whether it
// exists or not.
func noListing(op string, id int64) error {
	return meeting.Errorf(meeting.KindNotFound, op, "you have no listing with id %d", id)
}

// load returns listing id if p may manage it; deleted ones count only
// when withDeleted is set. Otherwise KindNotFound (KindForbidden when p
// may manage nothing). The caller holds the lock.
func (s *Store) load(op string, p meeting.Principal, id int64, withDeleted bool) (*row, error) {
	if err := checkScope(op, p); err != nil {
		return nil, err
	}
	r := s.row(id)
	if r == nil || (r.deleted && !withDeleted) {
		return nil, noListing(op, id)
	}
	if ok, _ := inScope(op, p, r); !ok {
		return nil, noListing(op, id)
	}
	return r, nil
}

// listing returns r as its owner sees it.
func listing(r *row) *meeting.Listing {
	return &meeting.Listing{Meeting: cloneMeeting(r.m), StatusReason: r.reason}
}

// passOn returns an error from a caller's function as the PostgreSQL
// stores do (postgres.translate): a *meeting.Error as it is, anything
// else as KindUnavailable.
func passOn(op string, err error) error {
	var me *meeting.Error
	if err == nil || errors.As(err, &me) {
		return err
	}
	return &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the database is unavailable", Err: err}
}

// Listings returns the organizations' listings p manages (an admin: those
// of every organization, never imported ones), oldest first, without the
// deleted ones; status "" means any state. A principal that is neither an
// organization nor an admin is KindForbidden.
func (s *Store) Listings(ctx context.Context, p meeting.Principal, status meeting.Status) ([]meeting.Listing, error) {
	const op = "memstore.Listings"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	if err := checkScope(op, p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []meeting.Listing{}
	for _, r := range s.meetings {
		if ok, _ := inScope(op, p, r); !ok || r.m.OrgID == 0 || r.deleted || (status != "" && r.m.Status != status) {
			continue
		}
		out = append(out, *listing(r))
	}
	return out, nil
}

// Listing returns listing id if p may manage it; else KindNotFound (also
// for a deleted listing), or KindForbidden for a principal that manages
// nothing.
func (s *Store) Listing(ctx context.Context, p meeting.Principal, id int64) (*meeting.Listing, error) {
	const op = "memstore.Listing"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.load(op, p, id, false)
	if err != nil {
		return nil, err
	}
	return listing(r), nil
}

// newExternalID returns a random id for a listing made through the API.
func newExternalID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "l" + hex.EncodeToString(b)
}

// CreateListing adds in as a listing of p's organization: source
// "org:<id>", a generated external id unless in has one (and it as the
// group key unless in has one), and the state p.StatusAfterEdit(""); the
// creation is audited. An admin (who has no organization) is
// KindForbidden, a listing that fails meeting.ValidateListing
// KindInvalid, an external id the organization uses already KindConflict.
func (s *Store) CreateListing(ctx context.Context, p meeting.Principal, in *meeting.Meeting) (*meeting.Listing, error) {
	const op = "memstore.CreateListing"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	if !p.IsOrg() {
		return nil, meeting.Errorf(meeting.KindForbidden, op, "only an organization's key can create listings (an admin key belongs to no organization)")
	}
	m := *in
	m.ID, m.OrgID, m.Source, m.Status = 0, p.OrgID, meeting.OrgSource(p.OrgID), p.StatusAfterEdit("")
	if m.ExternalID == "" {
		m.ExternalID = newExternalID()
	}
	if m.GroupKey == "" {
		m.GroupKey = m.ExternalID
	}
	if err := meeting.ValidateListing(&m); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkRow(op, &m); err != nil {
		return nil, err
	}
	if s.bySource[sourceKey{m.Source, m.ExternalID}] != nil {
		return nil, meeting.Errorf(meeting.KindConflict, op, "already exists")
	}
	at := s.stamp()
	r := s.write(m, "", at)
	s.record(r.m.ID, p.Actor(), meeting.ActionCreate, "", nil, &r.m, at)
	return listing(r), nil
}

// ChangeListing lets change edit listing id, which p must be able to
// manage (else KindNotFound), keeping its identity (id, source, external
// id, group, owner, creation time); validates the result (KindInvalid;
// nothing is changed then); sets its state by p.StatusAfterEdit (a
// changed state clears the rejection reason); and records action with
// note in the audit log. An error from change is returned as it is when
// it is a *meeting.Error, else as KindUnavailable, as PostgreSQL does.
func (s *Store) ChangeListing(ctx context.Context, p meeting.Principal, id int64, action meeting.Action, note string, change func(*meeting.Meeting) error) (*meeting.Listing, error) {
	const op = "memstore.ChangeListing"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.changeListing(op, p, id, action, note, change, s.stamp())
	if err != nil {
		return nil, err
	}
	return listing(r), nil
}

// changeListing is ChangeListing with the lock held, at time at.
func (s *Store) changeListing(op string, p meeting.Principal, id int64, action meeting.Action, note string, change func(*meeting.Meeting) error, at time.Time) (*row, error) {
	r, err := s.load(op, p, id, false)
	if err != nil {
		return nil, err
	}
	before := cloneMeeting(r.m)
	m := cloneMeeting(r.m)
	if err := change(&m); err != nil {
		return nil, passOn(op, err)
	}
	m.ID, m.Source, m.ExternalID, m.GroupKey, m.OrgID, m.CreatedAt = before.ID, before.Source, before.ExternalID, before.GroupKey, before.OrgID, before.CreatedAt
	m.Status = p.StatusAfterEdit(before.Status)
	reason := r.reason
	if m.Status != before.Status {
		reason = ""
	}
	if m.OrgID != 0 {
		err = meeting.ValidateListing(&m)
	} else {
		err = m.Validate()
	}
	if err != nil {
		return nil, err
	}
	if err := s.checkRow(op, &m); err != nil {
		return nil, err
	}
	r = s.write(m, reason, at)
	s.record(id, p.Actor(), action, note, &before, &r.m, at)
	return r, nil
}

// DeleteListing removes listing id, which p must be able to manage (else
// KindNotFound), from every view; it stays in the store (recoverable by
// Upload) with its audit log, which records the deletion.
func (s *Store) DeleteListing(ctx context.Context, p meeting.Principal, id int64) error {
	const op = "memstore.DeleteListing"
	if err := alive(ctx, op); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.load(op, p, id, false)
	if err != nil {
		return err
	}
	before := cloneMeeting(r.m)
	at := s.stamp()
	r.deleted, r.m.UpdatedAt = true, at
	s.changes = append(s.changes, id)
	s.record(id, p.Actor(), meeting.ActionDelete, "", &before, nil, at)
	return nil
}

// Moderate publishes (status published; the reason is dropped) or rejects
// (status rejected, with a reason) listing id, and audits it. Only an
// admin may (else KindForbidden); a rejection without a reason or any
// other status is KindInvalid, an unknown or deleted listing KindNotFound.
func (s *Store) Moderate(ctx context.Context, p meeting.Principal, id int64, status meeting.Status, reason string) (*meeting.Listing, error) {
	const op = "memstore.Moderate"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	if !p.IsAdmin() {
		return nil, meeting.Errorf(meeting.KindForbidden, op, "only an admin key can moderate listings")
	}
	action := meeting.ActionApprove
	switch status {
	case meeting.StatusPublished:
		reason = ""
	case meeting.StatusRejected:
		action = meeting.ActionReject
		if strings.TrimSpace(reason) == "" {
			return nil, &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "a rejection needs a reason", Fields: map[string]string{"reason": "is required"}}
		}
	default:
		return nil, meeting.Errorf(meeting.KindInvalid, op, "a listing can only be approved or rejected")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.load(op, p, id, false)
	if err != nil {
		return nil, err
	}
	before := cloneMeeting(r.m)
	at := s.stamp()
	r.m.Status, r.reason, r.m.UpdatedAt = status, reason, at
	s.changes = append(s.changes, r.m.ID)
	s.record(id, p.Actor(), action, reason, &before, &r.m, at)
	return listing(r), nil
}

// History returns the audit log of listing id, oldest first, when p may
// manage it (deleted listings included); else KindNotFound.
func (s *Store) History(ctx context.Context, p meeting.Principal, id int64) ([]meeting.AuditEntry, error) {
	const op = "memstore.History"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.load(op, p, id, true); err != nil {
		return nil, err
	}
	out := []meeting.AuditEntry{}
	for _, a := range s.audit {
		if a.MeetingID == id {
			e := a.AuditEntry
			e.Before, e.After = unsnapshot(a.before), unsnapshot(a.after)
			out = append(out, e)
		}
	}
	return out, nil
}

// Upload inserts or updates p's organization's listings ms, matched by
// ExternalID, all or nothing; a listing deleted earlier comes back, and
// listings not in ms are kept. Each gets the state p.StatusAfterEdit of
// its current one and loses its rejection reason; each write is audited.
// Like postgres.ListingStore.Upload it sets the ID (0), Source, OrgID and
// GroupKey (the ExternalID when empty) of every element of ms before
// checking it with meeting.ValidateListing; the first that fails is
// returned (KindInvalid) and nothing is written. A principal that is not
// an organization is KindForbidden.
func (s *Store) Upload(ctx context.Context, p meeting.Principal, ms []meeting.Meeting) (meeting.UploadOutcome, error) {
	const op = "memstore.Upload"
	var out meeting.UploadOutcome
	if err := alive(ctx, op); err != nil {
		return out, err
	}
	if !p.IsOrg() {
		return out, meeting.Errorf(meeting.KindForbidden, op, "only an organization's key can upload listings")
	}
	source := meeting.OrgSource(p.OrgID)
	for i := range ms {
		ms[i].ID, ms[i].Source, ms[i].OrgID = 0, source, p.OrgID
		if ms[i].GroupKey == "" {
			ms[i].GroupKey = ms[i].ExternalID
		}
		if err := meeting.ValidateListing(&ms[i]); err != nil {
			return out, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range ms {
		if err := s.checkRow(op, &ms[i]); err != nil {
			return meeting.UploadOutcome{}, err
		}
	}
	at := s.stamp()
	for i := range ms {
		m := &ms[i]
		var before *meeting.Meeting
		if cur := s.bySource[sourceKey{source, m.ExternalID}]; cur != nil && cur.m.OrgID == p.OrgID {
			m.ID, m.CreatedAt = cur.m.ID, cur.m.CreatedAt
			m.Status = p.StatusAfterEdit(cur.m.Status)
			if !cur.deleted {
				b := cloneMeeting(cur.m)
				before = &b
			}
			out.Updated++
		} else {
			m.Status = p.StatusAfterEdit("")
			out.Inserted++
		}
		r := s.write(*m, "", at)
		s.record(r.m.ID, p.Actor(), meeting.ActionUpload, "", before, &r.m, at)
	}
	return out, nil
}
