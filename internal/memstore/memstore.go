// Package memstore implements the stores the HTTP API reads and writes
// (meeting.Store, the feeds' All, Each and Areas, meeting.OrgStore,
// meeting.ListingStore and meeting.ChangeRequestStore) in memory, as one
// Store guarded by one mutex. It is the simple, obviously correct
// reference: every query scans every meeting, and each method does what
// the PostgreSQL implementation in internal/postgres does, with the same
// order, paging, filters, moderation, audit log and error kinds. The
// conformance suite in internal/meeting/storetest runs on both.
//
// It holds no text index: a Filter with words in Q is refused with
// KindInvalid (see Find). Everything is lost when the process ends; it
// serves tests and demos that need no database.
//
// It imports only the standard library, orb and internal/meeting.
package memstore

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Store keeps meetings (imported ones and organizations' listings),
// organizations, API keys, change requests and the audit log in memory.
// It implements meeting.Store, meeting.OrgStore, meeting.ListingStore,
// meeting.ChangeRequestStore and httpapi.FeedStore (All, Each and Areas). The
// zero value is not usable: call New. A Store is safe for concurrent use.
//
// The functions given to ChangeListing and ResolveChangeRequest run while
// the Store is locked and must not call the Store.
type Store struct {
	mu       sync.Mutex
	now      func() time.Time
	meetings []*row // ordered by id
	bySource map[sourceKey]*row
	orgs     []*meeting.Organization // ordered by id
	keys     []*apiKey               // ordered by id
	audit    []auditRow              // ordered by id
	requests []*meeting.ChangeRequest
	ids      struct{ meeting, org, key, audit, request int64 }
	// changes is the change log: the id of the meeting each write
	// touched, in order (see ChangesSince).
	changes []int64
}

// row is one meeting as the meetings table holds it: the meeting, the
// reason of a rejection and whether it has been (recoverably) deleted.
type row struct {
	m       meeting.Meeting
	reason  string
	deleted bool
}

// sourceKey is the unique (source, external id) pair of a meeting.
type sourceKey struct{ source, externalID string }

// Option changes how New sets up a Store.
type Option func(*Store)

// WithClock makes the Store read the time (for created_at, updated_at,
// revoked_at, the audit log and change requests, and for a Filter without
// Now) from now instead of time.Now.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New returns an empty Store.
func New(opts ...Option) *Store {
	s := &Store{now: time.Now, bySource: map[sourceKey]*row{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

var (
	_ meeting.Store              = (*Store)(nil)
	_ meeting.OrgStore           = (*Store)(nil)
	_ meeting.ListingStore       = (*Store)(nil)
	_ meeting.ChangeRequestStore = (*Store)(nil)
)

// stamp returns the time of a write as PostgreSQL would store it: to the
// microsecond, with no monotonic reading.
func (s *Store) stamp() time.Time { return s.now().Truncate(time.Microsecond) }

// alive returns an error of KindUnavailable when ctx is done, as the
// PostgreSQL stores report a cancelled or timed-out query.
func alive(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the request was cancelled or timed out", Err: err}
	}
	return nil
}

// cloneMeeting returns a copy of m that shares no slices with it.
func cloneMeeting(m meeting.Meeting) meeting.Meeting {
	m.Types = slices.Clone(m.Types)
	m.Location.Regions = slices.Clone(m.Location.Regions)
	return m
}

// normalize returns m as the meetings table stores and returns it: a
// meeting by appointment has day 0 and no start, an end that is not a time
// of day is none, a location without a point has the zero point, empty
// lists are empty (never nil), and no status means published.
func normalize(m meeting.Meeting) meeting.Meeting {
	m = cloneMeeting(m)
	if m.ByAppointment {
		m.Day, m.Start = 0, meeting.NoClock
	}
	if !m.End.Valid() {
		m.End = meeting.NoClock
	}
	if !m.Location.HasPoint {
		m.Location.Point = orb.Point{}
	}
	if m.Types == nil {
		m.Types = []string{}
	}
	if m.Location.Regions == nil {
		m.Location.Regions = []string{}
	}
	if m.Status == "" {
		m.Status = meeting.StatusPublished
	}
	return m
}

// checkRow enforces what the meetings table's constraints enforce: a
// known program, attendance and status, a day and start time for a
// scheduled meeting, and an existing owner. It returns a KindInvalid
// error.
func (s *Store) checkRow(op string, m *meeting.Meeting) error {
	var f meeting.FieldErrors
	if !m.Program.Valid() {
		f.Add("program", "is not a program")
	}
	if !m.Attendance.Valid() {
		f.Add("attendance", "is not an attendance value")
	}
	switch m.Status {
	case "", meeting.StatusPublished, meeting.StatusPending, meeting.StatusRejected: // "" is written as published
	default:
		f.Add("status", "is not a moderation state")
	}
	if !m.ByAppointment {
		if m.Day < 0 || m.Day > 6 {
			f.Add("day", "must be 0 to 6")
		}
		if !m.Start.Valid() {
			f.Add("start_time", "is required unless the meeting is by appointment")
		}
	}
	if m.OrgID != 0 && s.org(m.OrgID) == nil {
		f.Add("org_id", "names no organization")
	}
	return f.Err(op, "the database refused a value")
}

// write stores m (normalized, with a new id when m.ID is 0) with reason as
// the moderation reason, bringing back a deleted meeting, and returns the
// stored row. The caller has checked m and holds the lock.
func (s *Store) write(m meeting.Meeting, reason string, at time.Time) *row {
	m = normalize(m)
	m.UpdatedAt = at
	if m.ID == 0 {
		s.ids.meeting++
		m.ID, m.CreatedAt = s.ids.meeting, at
		r := &row{m: m, reason: reason}
		s.meetings = append(s.meetings, r)
		s.bySource[sourceKey{m.Source, m.ExternalID}] = r
		s.changes = append(s.changes, m.ID)
		return r
	}
	r := s.row(m.ID)
	m.CreatedAt = r.m.CreatedAt
	r.m, r.reason, r.deleted = m, reason, false
	s.changes = append(s.changes, m.ID)
	return r
}

// row returns the stored meeting with the given id, deleted or not, or nil.
func (s *Store) row(id int64) *row {
	i, ok := slices.BinarySearchFunc(s.meetings, id, func(r *row, id int64) int {
		switch {
		case r.m.ID < id:
			return -1
		case r.m.ID > id:
			return 1
		}
		return 0
	})
	if !ok {
		return nil
	}
	return s.meetings[i]
}

// public reports whether anyone may see r: published and not deleted.
func (r *row) public() bool { return r.m.Status == meeting.StatusPublished && !r.deleted }
