package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// snapshot encodes a listing for audit_log.before/after: meeting.Meeting as
// encoding/json writes it (Go field names; the point as [lon, lat]). nil
// stays NULL.
func snapshot(m *meeting.Meeting) ([]byte, error) {
	if m == nil {
		return nil, nil
	}
	return json.Marshal(m)
}

// audit records one change to meeting id within tx.
func audit(ctx context.Context, tx pgx.Tx, id int64, actor string, action meeting.Action, note string, before, after *meeting.Meeting) error {
	b, err := snapshot(before)
	if err != nil {
		return err
	}
	a, err := snapshot(after)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (meeting_id, actor, action, note, before, after) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, actor, string(action), note, b, a)
	return err
}

// History returns the audit log of listing id, oldest first, when p may
// manage it (deleted listings included); else KindNotFound.
func (s *ListingStore) History(ctx context.Context, p meeting.Principal, id int64) ([]meeting.AuditEntry, error) {
	const op = "postgres.History"
	var out []meeting.AuditEntry
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		if _, err := loadListing(ctx, tx, op, p, id, false, true); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, meeting_id, actor, action, note, before, after, at
			FROM audit_log WHERE meeting_id = $1 ORDER BY id`, id)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (meeting.AuditEntry, error) {
			var e meeting.AuditEntry
			var action string
			var before, after []byte
			if err := r.Scan(&e.ID, &e.MeetingID, &e.Actor, &action, &e.Note, &before, &after, &e.At); err != nil {
				return e, err
			}
			e.Action = meeting.Action(action)
			var err error
			if e.Before, err = unsnapshot(before); err != nil {
				return e, err
			}
			e.After, err = unsnapshot(after)
			return e, err
		})
		return err
	})
	if err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}

// unsnapshot decodes a snapshot; NULL is nil.
func unsnapshot(b []byte) (*meeting.Meeting, error) {
	if b == nil {
		return nil, nil
	}
	var m meeting.Meeting
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return &m, nil
}
