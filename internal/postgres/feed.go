package postgres

import (
	"context"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// allChunk is the page size All reads with.
const allChunk = 5000

// All returns every public meeting matching f, in Find's order, ignoring
// f.Limit and f.Cursor: the whole result that the feeds (Meeting Guide,
// BMLT, iCalendar, GeoJSON) serve in one response. It reads through Find's
// keyset pages, so the filters and the order are Find's own.
func (s *MeetingStore) All(ctx context.Context, f meeting.Filter) ([]meeting.Result, error) {
	f.Limit = allChunk
	f.Cursor = nil
	var out []meeting.Result
	for {
		page, err := s.Find(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Results...)
		if page.NextCursor == nil {
			return out, nil
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
