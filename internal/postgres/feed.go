package postgres

import (
	"context"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// eachChunk is the page size Each reads with: large enough that the
// index descents of the keyset pages cost little, small enough that a
// page in memory is a few megabytes.
const eachChunk = 5000

// All returns every public meeting matching f, in Find's order, ignoring
// f.Limit and f.Cursor. It holds the whole result in memory: the feeds
// stream theirs with Each instead; All serves callers that need the
// result at once (the BMLT API sorts and groups it).
func (s *MeetingStore) All(ctx context.Context, f meeting.Filter) ([]meeting.Result, error) {
	var out []meeting.Result
	err := s.Each(ctx, f, func(r *meeting.Result) error {
		out = append(out, *r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Each calls fn with every public meeting matching f, in Find's order,
// ignoring f.Limit and f.Cursor: the whole result the feeds (Meeting
// Guide, iCalendar, GeoJSON) stream in one response. It reads through
// Find's keyset pages of eachChunk meetings, so the filters and the order
// are Find's own and at most one page is held in memory; no connection is
// held while fn runs. Each page is its own statement, so a write between
// two pages may show in the later one only. It stops at the first error,
// Find's (wrapped with its kind) or fn's (returned as is). The Result is
// valid only during the call.
func (s *MeetingStore) Each(ctx context.Context, f meeting.Filter, fn func(*meeting.Result) error) error {
	f.Limit = eachChunk
	f.Cursor = nil
	for {
		page, err := s.Find(ctx, f)
		if err != nil {
			return err
		}
		for i := range page.Results {
			if err := fn(&page.Results[i]); err != nil {
				return err
			}
		}
		if page.NextCursor == nil {
			return nil
		}
		f.Cursor = page.NextCursor
	}
}

// Areas returns the distinct places the public meetings are published for:
// each is the meeting's source followed by its regions (general to
// specific), ordered. The BMLT API shows them as service bodies.
func (s *MeetingStore) Areas(ctx context.Context) ([][]string, error) {
	const op = "postgres.Areas"
	rows, err := s.db.Pool.Query(ctx, `SELECT DISTINCT m.source, m.regions FROM meetings m WHERE `+publicRows+` ORDER BY 1, 2`)
	if err != nil {
		return nil, translate(op, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		var src string
		var regions []string
		if err := rows.Scan(&src, &regions); err != nil {
			return nil, translate(op, err)
		}
		out = append(out, append([]string{src}, regions...))
	}
	if err := rows.Err(); err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}
