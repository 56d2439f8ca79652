package postgres

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// changeRequestColumns is the select list of scanChangeRequest over
// change_requests c.
const changeRequestColumns = `c.id, c.meeting_id, c.proposed, c.contact, c.status, c.created_at, c.resolved_at, c.resolved_by`

// changeRequestDest returns scan destinations for changeRequestColumns and
// a function that fills cr from them once scanned.
func changeRequestDest(cr *meeting.ChangeRequest) ([]any, func()) {
	var (
		status   string
		resolved *time.Time
		proposed []byte
	)
	dest := []any{&cr.ID, &cr.MeetingID, &proposed, &cr.Contact, &status, &cr.CreatedAt, &resolved, &cr.ResolvedBy}
	return dest, func() {
		cr.Proposed = json.RawMessage(proposed)
		cr.Status = meeting.ChangeRequestStatus(status)
		if resolved != nil {
			cr.ResolvedAt = *resolved
		}
	}
}

// scanChangeRequest reads changeRequestColumns from row.
func scanChangeRequest(row pgx.Row, cr *meeting.ChangeRequest) error {
	dest, finish := changeRequestDest(cr)
	if err := row.Scan(dest...); err != nil {
		return err
	}
	finish()
	return nil
}

// CreateChangeRequest files a change request against a public listing.
func (s *ListingStore) CreateChangeRequest(ctx context.Context, in *meeting.ChangeRequest) (*meeting.ChangeRequest, error) {
	const op = "postgres.CreateChangeRequest"
	if !json.Valid(in.Proposed) {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "the proposed change is not JSON")
	}
	var cr meeting.ChangeRequest
	row := s.db.Pool.QueryRow(ctx, `INSERT INTO change_requests (meeting_id, proposed, contact)
		SELECT m.id, $2, $3 FROM meetings m WHERE m.id = $1 AND `+publicRows+`
		RETURNING `+strings.ReplaceAll(changeRequestColumns, "c.", ""), in.MeetingID, []byte(in.Proposed), in.Contact)
	if err := scanChangeRequest(row, &cr); err != nil {
		return nil, notFound(op, err, "no meeting has id %d", in.MeetingID)
	}
	return &cr, nil
}

// ChangeRequests lists the requests on listings p manages (an admin: every
// listing), oldest first, each with the listing as it is now.
func (s *ListingStore) ChangeRequests(ctx context.Context, p meeting.Principal, status meeting.ChangeRequestStatus) ([]meeting.ChangeRequest, error) {
	const op = "postgres.ChangeRequests"
	q := &query{}
	where, err := scope(op, p, q)
	if err != nil {
		return nil, err
	}
	q.where = append(q.where, where)
	if status != "" {
		q.where = append(q.where, "c.status = "+q.arg(string(status)))
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT `+meetingColumns+`, `+changeRequestColumns+`
		FROM change_requests c JOIN meetings m ON m.id = c.meeting_id
		WHERE `+strings.Join(q.where, " AND ")+` ORDER BY c.id`, q.args...)
	if err != nil {
		return nil, translate(op, err)
	}
	defer rows.Close()
	out := []meeting.ChangeRequest{}
	for rows.Next() {
		var cr meeting.ChangeRequest
		var m meeting.Meeting
		dest, finish := changeRequestDest(&cr)
		if err := scanMeeting(rows, &m, dest...); err != nil {
			return nil, translate(op, err)
		}
		finish()
		cr.Current = &m
		out = append(out, cr)
	}
	return out, translate(op, rows.Err())
}

// ResolveChangeRequest applies or dismisses open request id on a listing p
// manages. Applying runs patch on the listing through changeListing, so it
// is validated, moderated and audited like any edit by p.
func (s *ListingStore) ResolveChangeRequest(ctx context.Context, p meeting.Principal, id int64, apply bool,
	patch func(m *meeting.Meeting, proposed json.RawMessage) error) (*meeting.ChangeRequest, error) {
	const op = "postgres.ResolveChangeRequest"
	var out meeting.ChangeRequest
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		q := &query{}
		where, err := scope(op, p, q)
		if err != nil {
			return err
		}
		var cr meeting.ChangeRequest
		err = scanChangeRequest(tx.QueryRow(ctx, `SELECT `+changeRequestColumns+` FROM change_requests c JOIN meetings m ON m.id = c.meeting_id
			WHERE c.id = `+q.arg(id)+` AND `+where+` FOR UPDATE OF c`, q.args...), &cr)
		if err != nil {
			return notFound(op, err, "you have no change request with id %d", id)
		}
		if cr.Status != meeting.ChangeRequestOpen {
			return meeting.Errorf(meeting.KindConflict, op, "change request %d is already %s", id, cr.Status)
		}
		status := meeting.ChangeRequestDismissed
		if apply {
			status = meeting.ChangeRequestApplied
			note := "change request " + strconv.FormatInt(id, 10)
			if _, err := changeListing(ctx, tx, op, p, cr.MeetingID, meeting.ActionChangeRequest, note, func(m *meeting.Meeting) error {
				return patch(m, cr.Proposed)
			}); err != nil {
				return err
			}
		}
		return scanChangeRequest(tx.QueryRow(ctx, `UPDATE change_requests c SET status = $2, resolved_at = now(), resolved_by = $3
			WHERE c.id = $1 RETURNING `+changeRequestColumns, id, string(status), p.Actor()), &out)
	})
	if err != nil {
		return nil, translate(op, err)
	}
	return &out, nil
}
