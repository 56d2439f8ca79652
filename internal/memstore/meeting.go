package memstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Insert adds ms as they are, the way an import or the demo loads
// meetings (postgres.MeetingStore.InsertMeetings): each keeps its source,
// external id, status and owner, gets a new id (in the order of ms) and
// the current time as created_at and updated_at. It returns the ids. It
// adds nothing and fails with KindConflict when a (source, external id)
// pair exists already or repeats within ms, and with KindInvalid when a
// meeting breaks a rule of the meetings table (see checkRow); ms itself
// is not validated with meeting.Validate, as the bulk insert does not.
func (s *Store) Insert(ctx context.Context, ms []meeting.Meeting) ([]int64, error) {
	const op = "memstore.Insert"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[sourceKey]bool{}
	for i := range ms {
		m := normalize(ms[i])
		if err := s.checkRow(op, &m); err != nil {
			return nil, err
		}
		k := sourceKey{m.Source, m.ExternalID}
		if s.bySource[k] != nil || seen[k] {
			return nil, meeting.Errorf(meeting.KindConflict, op, "a meeting from %q with external id %q already exists", m.Source, m.ExternalID)
		}
		seen[k] = true
	}
	at := s.stamp()
	ids := make([]int64, len(ms))
	for i := range ms {
		m := ms[i]
		m.ID = 0
		ids[i] = s.write(m, "", at).m.ID
	}
	return ids, nil
}

// InsertMeetings is Insert without the ids, with the signature of
// postgres.MeetingStore.InsertMeetings.
func (s *Store) InsertMeetings(ctx context.Context, ms []meeting.Meeting) error {
	_, err := s.Insert(ctx, ms)
	return err
}

// Get returns the public meeting with the given id, or a KindNotFound
// error (also for a meeting that is pending, rejected or deleted).
func (s *Store) Get(ctx context.Context, id int64) (*meeting.Meeting, error) {
	const op = "memstore.Get"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.row(id)
	if r == nil || !r.public() {
		return nil, meeting.Errorf(meeting.KindNotFound, op, "no meeting has id %d", id)
	}
	m := cloneMeeting(r.m)
	return &m, nil
}

// Count returns the number of public meetings.
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := alive(ctx, "memstore.Count"); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.meetings {
		if r.public() {
			n++
		}
	}
	return n, nil
}

// Find returns one page of public meetings matching f, as
// postgres.MeetingStore.Find does: with a point, the meetings with a point
// within f.RadiusKM (default meeting.DefaultRadiusKM) of it, nearest first
// and then by id, with their great-circle distance in metres; without
// one, by day, start time and id, meetings by appointment last. A page
// holds f.Limit meetings (default meeting.DefaultLimit) and the cursor of
// the next page, nil on the last.
//
// Memstore has no text index: a Filter whose Q has words is KindInvalid.
// A Q without any letter or digit is ignored, as PostgreSQL ignores it. A
// cursor whose Start is not a time of day is KindInvalid; a done ctx is
// KindUnavailable.
func (s *Store) Find(ctx context.Context, f meeting.Filter) (meeting.Page, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = meeting.DefaultLimit
	}
	rs, err := s.find(ctx, "memstore.Find", f, limit+1)
	if err != nil {
		return meeting.Page{}, err
	}
	page := meeting.Page{Results: rs}
	if len(rs) > limit {
		page.Results = rs[:limit]
		page.NextCursor = meeting.CursorAfter(&page.Results[limit-1], f.HasPoint)
	}
	return page, nil
}

// All returns every public meeting matching f, in Find's order, ignoring
// f.Limit and f.Cursor: what the feeds serve in one response
// (httpapi.FeedStore). Its errors are Find's.
func (s *Store) All(ctx context.Context, f meeting.Filter) ([]meeting.Result, error) {
	f.Cursor = nil
	return s.find(ctx, "memstore.All", f, -1)
}

// Each calls fn with every public meeting All returns (httpapi.FeedStore):
// in All's order with a point, else by id, as postgres.MeetingStore.Each
// does. It stops at fn's first error, which it returns. The matches are
// collected, under the lock, before the first call, so fn may call the
// Store. Its other errors are Find's.
func (s *Store) Each(ctx context.Context, f meeting.Filter, fn func(*meeting.Result) error) error {
	f.Cursor = nil
	rs, err := s.find(ctx, "memstore.Each", f, -1)
	if err != nil {
		return err
	}
	if !f.HasPoint {
		slices.SortFunc(rs, func(a, b meeting.Result) int { return cmp.Compare(a.ID, b.ID) })
	}
	for i := range rs {
		if err := fn(&rs[i]); err != nil {
			return err
		}
	}
	return nil
}

// find returns at most max (all when max < 0) public meetings matching f
// after f.Cursor, in Find's order.
func (s *Store) find(ctx context.Context, op string, f meeting.Filter, max int) ([]meeting.Result, error) {
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	if meeting.HasWords(f.Q) {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "text queries (q) are not supported by the in-memory store")
	}
	if f.Cursor != nil && !f.HasPoint && !meeting.Clock(f.Cursor.Start).Valid() {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "the cursor's start %d is not a time of day", f.Cursor.Start)
	}
	now := f.Now
	if now.IsZero() {
		now = s.now()
	}
	// PostgreSQL receives now and the horizon as timestamptz, to the
	// microsecond; NextStart is then compared with now itself.
	dbNow := now.Truncate(time.Microsecond)
	radiusM := f.RadiusKM
	if radiusM <= 0 {
		radiusM = meeting.DefaultRadiusKM
	}
	radiusM *= 1000
	var horizon time.Time
	if f.UpcomingHours > 0 {
		horizon = now.Add(time.Duration(f.UpcomingHours * float64(time.Hour))).Truncate(time.Microsecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []meeting.Result{}
	for _, r := range s.meetings {
		m := &r.m
		if !r.public() || !matches(m, f, dbNow, horizon) {
			continue
		}
		res := meeting.Result{Meeting: cloneMeeting(*m)}
		if f.HasPoint {
			if !m.Location.HasPoint {
				continue
			}
			res.DistanceM, res.HasDistance = meeting.DistanceM(f.Point, m.Location.Point), true
			if res.DistanceM > radiusM {
				continue
			}
		}
		if f.Cursor != nil && compare(f, &res, f.Cursor.DistanceM, f.Cursor.Day, f.Cursor.Start, f.Cursor.ID) <= 0 {
			continue
		}
		if occ, ok := m.Occurrence(dbNow); ok {
			res.NextStart = occ
			res.InProgress = !occ.After(now)
		}
		out = append(out, res)
	}
	slices.SortFunc(out, func(a, b meeting.Result) int {
		return compare(f, &a, b.DistanceM, sortDay(&b.Meeting), sortStart(&b.Meeting), b.ID)
	})
	if max >= 0 && len(out) > max {
		out = out[:max]
	}
	return out, nil
}

// compare orders r against the sort key (distance, id) when f has a
// point, else (day, start, id), as Find's ORDER BY and cursor do.
func compare(f meeting.Filter, r *meeting.Result, distanceM float64, day, start int, id int64) int {
	if f.HasPoint {
		return cmp.Or(cmp.Compare(r.DistanceM, distanceM), cmp.Compare(r.ID, id))
	}
	return cmp.Or(cmp.Compare(sortDay(&r.Meeting), day), cmp.Compare(sortStart(&r.Meeting), start), cmp.Compare(r.ID, id))
}

// sortDay is m's day in the order without a point: by appointment is 7,
// after Saturday (coalesce(day, 7)).
func sortDay(m *meeting.Meeting) int {
	if m.ByAppointment {
		return 7
	}
	return int(m.Day)
}

// sortStart is m's start in minutes in the order without a point: by
// appointment is 0 (coalesce(start_time, '00:00')).
func sortStart(m *meeting.Meeting) int {
	if m.ByAppointment {
		return 0
	}
	return int(m.Start)
}

// matches reports whether m passes f's constraints other than the point,
// the text and the cursor, at now, with horizon the end of
// f.UpcomingHours. A constraint on the schedule (days,
// today, times, upcoming) leaves out meetings by appointment; one read in
// the meeting's zone (today, upcoming) also those without a zone.
func matches(m *meeting.Meeting, f meeting.Filter, now, horizon time.Time) bool {
	scheduled := !m.ByAppointment
	if len(f.Days) > 0 && !(scheduled && slices.Contains(f.Days, m.Day)) {
		return false
	}
	if f.Today {
		loc, err := meeting.LoadZone(m.TimeZone)
		if !scheduled || err != nil || meeting.Weekday(now.In(loc).Weekday()) != m.Day {
			return false
		}
	}
	if f.StartAfter != nil && !(scheduled && m.Start >= *f.StartAfter) {
		return false
	}
	if f.StartBefore != nil && !(scheduled && m.Start < *f.StartBefore) {
		return false
	}
	for _, t := range f.Types {
		if !slices.Contains(m.Types, t) {
			return false
		}
	}
	if len(f.Attendance) > 0 && !slices.Contains(f.Attendance, m.Attendance) {
		return false
	}
	if len(f.Programs) > 0 && !slices.Contains(f.Programs, m.Program) {
		return false
	}
	if len(f.Sources) > 0 && !slices.Contains(f.Sources, m.Source) {
		return false
	}
	if len(f.IDs) > 0 && !slices.Contains(f.IDs, m.ID) {
		return false
	}
	if f.UpcomingHours > 0 {
		occ, ok := m.Occurrence(now)
		if !ok || occ.After(horizon) {
			return false
		}
	}
	return true
}

// Areas returns the distinct places the public meetings are published
// for, each the meeting's source followed by its regions, ordered by
// source and then regions (element by element, a shorter list first), as
// PostgreSQL orders them under the C collation. Nil when there are none.
func (s *Store) Areas(ctx context.Context) ([][]string, error) {
	if err := alive(ctx, "memstore.Areas"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [][]string
	for _, r := range s.meetings {
		if r.public() {
			out = append(out, append([]string{r.m.Source}, r.m.Location.Regions...))
		}
	}
	slices.SortFunc(out, slices.Compare)
	return slices.CompactFunc(out, slices.Equal), nil
}
