package memstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

var (
	_ meeting.ChangeLog    = (*Store)(nil)
	_ meeting.PublicLoader = (*Store)(nil)
)

// ChangesSince returns the ids of the meetings written since c. The
// Store's writes are serialized by its lock, so its cursor is simply the
// number of changes read (in Xmin); Seen is unused.
func (s *Store) ChangesSince(ctx context.Context, c meeting.ChangeCursor) (meeting.ChangeBatch, error) {
	if err := alive(ctx, "memstore.ChangesSince"); err != nil {
		return meeting.ChangeBatch{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Xmin > uint64(len(s.changes)) {
		return meeting.ChangeBatch{}, meeting.Errorf(meeting.KindConflict, "memstore.ChangesSince", "the cursor is ahead of the change log")
	}
	ids := slices.Clone(s.changes[c.Xmin:])
	slices.Sort(ids)
	return meeting.ChangeBatch{IDs: slices.Compact(ids), Next: meeting.ChangeCursor{Xmin: uint64(len(s.changes))}}, nil
}

// LoadPublic calls fn for every public meeting, in id order, and returns
// the cursor of the change log at that moment. fn runs while the Store is
// locked and must not call it.
func (s *Store) LoadPublic(ctx context.Context, fn func(*meeting.Meeting) error) (meeting.ChangeCursor, error) {
	if err := alive(ctx, "memstore.LoadPublic"); err != nil {
		return meeting.ChangeCursor{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.meetings {
		if !r.public() {
			continue
		}
		m := cloneMeeting(r.m)
		if err := fn(&m); err != nil {
			return meeting.ChangeCursor{}, err
		}
	}
	return meeting.ChangeCursor{Xmin: uint64(len(s.changes))}, nil
}

// PublicByID returns the public meetings among ids, in id order.
func (s *Store) PublicByID(ctx context.Context, ids []int64) ([]meeting.Meeting, error) {
	if err := alive(ctx, "memstore.PublicByID"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []meeting.Meeting
	for _, id := range ids {
		if r := s.row(id); r != nil && r.public() {
			out = append(out, cloneMeeting(r.m))
		}
	}
	slices.SortFunc(out, func(a, b meeting.Meeting) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
