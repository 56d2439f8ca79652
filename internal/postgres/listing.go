package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// ListingStore is meeting.ListingStore and meeting.ChangeRequestStore on
// PostgreSQL: organizations' listings are rows of meetings with org_id set
// and source "org:<id>"; every change goes into audit_log in the same
// transaction.
type ListingStore struct {
	db *DB
}

// NewListingStore returns a ListingStore over db.
func NewListingStore(db *DB) *ListingStore { return &ListingStore{db: db} }

var (
	_ meeting.ListingStore       = (*ListingStore)(nil)
	_ meeting.ChangeRequestStore = (*ListingStore)(nil)
)

// listingColumns is meetingColumns and the moderation reason, scanned by
// scanListing.
const listingColumns = meetingColumns + `, m.status_reason`

// scanListing reads listingColumns (plus extra destinations) from row.
func scanListing(row pgx.Row, l *meeting.Listing, extra ...any) error {
	return scanMeeting(row, &l.Meeting, append([]any{&l.StatusReason}, extra...)...)
}

// valueExpr returns placeholder n with the cast its column needs (rowValues
// gives times and the point as text).
func valueExpr(col string, n int) string {
	p := "$" + strconv.Itoa(n)
	switch col {
	case "start_time", "end_time":
		return p + "::time"
	case "geog":
		return p + "::geography"
	}
	return p
}

// insertMeetingSQL inserts writeColumns and status_reason, returning the id.
var insertMeetingSQL = func() string {
	vals := make([]string, 0, len(writeColumns)+1)
	for i, c := range writeColumns {
		vals = append(vals, valueExpr(c, i+1))
	}
	vals = append(vals, "$"+strconv.Itoa(len(writeColumns)+1))
	return `INSERT INTO meetings (` + strings.Join(writeColumns, ", ") + `, status_reason) VALUES (` +
		strings.Join(vals, ", ") + `) RETURNING id`
}()

// updateMeetingSQL rewrites writeColumns and status_reason of row $1, and
// brings back a deleted row.
var updateMeetingSQL = func() string {
	set := make([]string, 0, len(writeColumns)+3)
	for i, c := range writeColumns {
		set = append(set, c+" = "+valueExpr(c, i+2))
	}
	set = append(set, "status_reason = $"+strconv.Itoa(len(writeColumns)+2), "updated_at = now()", "deleted_at = NULL")
	return `UPDATE meetings SET ` + strings.Join(set, ", ") + ` WHERE id = $1`
}()

// scope returns the predicate on meetings m for the rows p may manage (an
// admin: every row; an organization: its own), adding its arguments to q.
// Anyone else is KindForbidden.
func scope(op string, p meeting.Principal, q *query) (string, error) {
	switch {
	case p.IsAdmin():
		return "true", nil
	case p.IsOrg():
		return "m.org_id = " + q.arg(p.OrgID), nil
	}
	return "", meeting.Errorf(meeting.KindForbidden, op, "this key may not manage listings")
}

// newExternalID returns a random id for a listing made through the API.
func newExternalID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "l" + hex.EncodeToString(b)
}

// noListing is the error for a listing the caller may not see, whether it
// exists or not.
func noListing(op string, id int64) error {
	return meeting.Errorf(meeting.KindNotFound, op, "you have no listing with id %d", id)
}

// loadListing reads listing id within p's scope, locking it when lock is
// set. Deleted rows count only when withDeleted is set.
func loadListing(ctx context.Context, tx pgx.Tx, op string, p meeting.Principal, id int64, lock, withDeleted bool) (*meeting.Listing, error) {
	q := &query{}
	where, err := scope(op, p, q)
	if err != nil {
		return nil, err
	}
	sql := `SELECT ` + listingColumns + ` FROM meetings m WHERE m.id = ` + q.arg(id) + ` AND ` + where
	if !withDeleted {
		sql += ` AND m.deleted_at IS NULL`
	}
	if lock {
		sql += ` FOR UPDATE`
	}
	var l meeting.Listing
	if err := scanListing(tx.QueryRow(ctx, sql, q.args...), &l); err != nil {
		err = translate(op, err)
		if meeting.IsKind(err, meeting.KindNotFound) {
			return nil, noListing(op, id)
		}
		return nil, err
	}
	return &l, nil
}

// reload reads row id back after a write, without scope.
func reload(ctx context.Context, tx pgx.Tx, id int64) (*meeting.Listing, error) {
	var l meeting.Listing
	err := scanListing(tx.QueryRow(ctx, `SELECT `+listingColumns+` FROM meetings m WHERE m.id = $1`, id), &l)
	return &l, err
}

// writeMeeting inserts m (id 0) or rewrites row m.ID, and returns the id.
func writeMeeting(ctx context.Context, tx pgx.Tx, m *meeting.Meeting, reason string) (int64, error) {
	vals := append(rowValues(m), reason)
	if m.ID == 0 {
		var id int64
		err := tx.QueryRow(ctx, insertMeetingSQL, vals...).Scan(&id)
		return id, err
	}
	_, err := tx.Exec(ctx, updateMeetingSQL, append([]any{m.ID}, vals...)...)
	return m.ID, err
}

// validateFor checks m as the listing of an organization (a time zone is
// required) or, for an imported listing an admin edits, as any meeting.
func validateFor(m *meeting.Meeting) error {
	if m.OrgID != 0 {
		return meeting.ValidateListing(m)
	}
	return m.Validate()
}

// Listings returns the listings p manages (an admin: those of every
// organization, not imported ones), oldest first; status "" means any.
func (s *ListingStore) Listings(ctx context.Context, p meeting.Principal, status meeting.Status) ([]meeting.Listing, error) {
	const op = "postgres.Listings"
	q := &query{}
	where, err := scope(op, p, q)
	if err != nil {
		return nil, err
	}
	q.where = append(q.where, where, "m.org_id IS NOT NULL", "m.deleted_at IS NULL")
	if status != "" {
		q.where = append(q.where, "m.status = "+q.arg(string(status)))
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT `+listingColumns+` FROM meetings m WHERE `+strings.Join(q.where, " AND ")+` ORDER BY m.id`, q.args...)
	if err != nil {
		return nil, translate(op, err)
	}
	defer rows.Close()
	out := []meeting.Listing{}
	for rows.Next() {
		var l meeting.Listing
		if err := scanListing(rows, &l); err != nil {
			return nil, translate(op, err)
		}
		out = append(out, l)
	}
	return out, translate(op, rows.Err())
}

// Listing returns listing id if p may manage it, else KindNotFound.
func (s *ListingStore) Listing(ctx context.Context, p meeting.Principal, id int64) (*meeting.Listing, error) {
	const op = "postgres.Listing"
	var l *meeting.Listing
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		var err error
		l, err = loadListing(ctx, tx, op, p, id, false, false)
		return err
	})
	return l, translate(op, err)
}

// CreateListing adds m as a listing of p's organization: source
// "org:<id>", a generated external id unless m has one, and the state
// p.StatusAfterEdit("").
func (s *ListingStore) CreateListing(ctx context.Context, p meeting.Principal, in *meeting.Meeting) (*meeting.Listing, error) {
	const op = "postgres.CreateListing"
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
	var out *meeting.Listing
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		id, err := writeMeeting(ctx, tx, &m, "")
		if err != nil {
			return err
		}
		if out, err = reload(ctx, tx, id); err != nil {
			return err
		}
		return audit(ctx, tx, id, p.Actor(), meeting.ActionCreate, "", nil, &out.Meeting)
	})
	if err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}

// ChangeListing edits listing id with change, keeping its identity (id,
// source, external id, group, owner, creation time), validates it, sets its
// state by p.StatusAfterEdit and records action.
func (s *ListingStore) ChangeListing(ctx context.Context, p meeting.Principal, id int64, action meeting.Action, note string, change func(*meeting.Meeting) error) (*meeting.Listing, error) {
	const op = "postgres.ChangeListing"
	var out *meeting.Listing
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		var err error
		out, err = changeListing(ctx, tx, op, p, id, action, note, change)
		return err
	})
	if err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}

// changeListing is ChangeListing within tx.
func changeListing(ctx context.Context, tx pgx.Tx, op string, p meeting.Principal, id int64, action meeting.Action, note string, change func(*meeting.Meeting) error) (*meeting.Listing, error) {
	cur, err := loadListing(ctx, tx, op, p, id, true, false)
	if err != nil {
		return nil, err
	}
	before := cur.Meeting
	m := before
	m.Types = slices.Clone(before.Types)
	m.Location.Regions = slices.Clone(before.Location.Regions)
	if err := change(&m); err != nil {
		return nil, err
	}
	m.ID, m.Source, m.ExternalID, m.GroupKey, m.OrgID, m.CreatedAt = before.ID, before.Source, before.ExternalID, before.GroupKey, before.OrgID, before.CreatedAt
	m.Status = p.StatusAfterEdit(before.Status)
	reason := cur.StatusReason
	if m.Status != before.Status {
		reason = ""
	}
	if err := validateFor(&m); err != nil {
		return nil, err
	}
	if _, err := writeMeeting(ctx, tx, &m, reason); err != nil {
		return nil, err
	}
	out, err := reload(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return out, audit(ctx, tx, id, p.Actor(), action, note, &before, &out.Meeting)
}

// DeleteListing removes listing id recoverably (deleted_at is set).
func (s *ListingStore) DeleteListing(ctx context.Context, p meeting.Principal, id int64) error {
	const op = "postgres.DeleteListing"
	return translate(op, pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		cur, err := loadListing(ctx, tx, op, p, id, true, false)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE meetings SET deleted_at = now(), updated_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, id, p.Actor(), meeting.ActionDelete, "", &cur.Meeting, nil)
	}))
}

// Moderate publishes (status published) or rejects (status rejected, with
// a reason) listing id. Only an admin may; others get KindForbidden.
func (s *ListingStore) Moderate(ctx context.Context, p meeting.Principal, id int64, status meeting.Status, reason string) (*meeting.Listing, error) {
	const op = "postgres.Moderate"
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
	var out *meeting.Listing
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		cur, err := loadListing(ctx, tx, op, p, id, true, false)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE meetings SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1`,
			id, string(status), reason); err != nil {
			return err
		}
		if out, err = reload(ctx, tx, id); err != nil {
			return err
		}
		return audit(ctx, tx, id, p.Actor(), action, reason, &cur.Meeting, &out.Meeting)
	})
	if err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}

// Upload inserts or updates the organization's listings ms, matched by
// ExternalID within its source, in one transaction; a listing deleted
// earlier comes back. Listings not in ms are kept. Each meeting is checked
// with meeting.ValidateListing first: nothing is written when one fails.
func (s *ListingStore) Upload(ctx context.Context, p meeting.Principal, ms []meeting.Meeting) (meeting.UploadOutcome, error) {
	const op = "postgres.Upload"
	var out meeting.UploadOutcome
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
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		for i := range ms {
			m := &ms[i]
			var cur meeting.Listing
			var deleted bool
			err := scanListing(tx.QueryRow(ctx, `SELECT `+listingColumns+`, m.deleted_at IS NOT NULL FROM meetings m
				WHERE m.source = $1 AND m.external_id = $2 AND m.org_id = $3 FOR UPDATE`, source, m.ExternalID, p.OrgID), &cur, &deleted)
			var before *meeting.Meeting
			switch {
			case err == nil:
				m.ID, m.CreatedAt = cur.ID, cur.CreatedAt
				m.Status = p.StatusAfterEdit(cur.Status)
				if !deleted {
					before = &cur.Meeting
				}
				out.Updated++
			case translate(op, err) != nil && meeting.IsKind(translate(op, err), meeting.KindNotFound):
				m.Status = p.StatusAfterEdit("")
				out.Inserted++
			default:
				return err
			}
			id, err := writeMeeting(ctx, tx, m, "")
			if err != nil {
				return err
			}
			after, err := reload(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := audit(ctx, tx, id, p.Actor(), meeting.ActionUpload, "", before, &after.Meeting); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return meeting.UploadOutcome{}, translate(op, err)
	}
	return out, nil
}
