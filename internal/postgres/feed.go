package postgres

import (
	"context"
	"strings"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// eachChunk is the page size All and Each read with: large enough that
// the index descents of the keyset pages cost little, small enough that a
// page in memory is a few megabytes. Each reads a first page of
// eachFirstChunk only, so that a feed starts quickly.
const (
	eachChunk      = 5000
	eachFirstChunk = 500
)

// All returns every public meeting matching f, in Find's order, ignoring
// f.Limit and f.Cursor. It holds the whole result in memory: the feeds
// stream theirs with Each instead; All serves callers that need the
// result at once (the BMLT API). It reads Find's keyset pages (findPages).
func (s *MeetingStore) All(ctx context.Context, f meeting.Filter) ([]meeting.Result, error) {
	var out []meeting.Result
	err := s.findPages(ctx, f, func(r *meeting.Result) error {
		out = append(out, *r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Each calls fn with every public meeting matching f, ignoring f.Limit
// and f.Cursor: the whole result the feeds (Meeting Guide, iCalendar,
// GeoJSON) stream in one response. With a point or words it is Find's
// result in Find's order (findPages); without, the order is by id
// (eachQuery says why), read in keyset pages by id, the next page read
// while fn works through the last one. Either way at most two pages are
// held in memory, no connection is held while fn runs, and occurrences
// are computed in Go (fillOccurrences). Each page is its own statement, so
// a write between two pages may show in the later one only. It stops at
// the first error, the database's (with its kind) or fn's (returned as
// is). The Result is valid only during the call.
func (s *MeetingStore) Each(ctx context.Context, f meeting.Filter, fn func(*meeting.Result) error) error {
	if f.HasPoint || strings.TrimSpace(f.Q) != "" {
		return s.findPages(ctx, f, fn)
	}
	f.Now = meeting.OrNow(f.Now)
	ctx, cancel := context.WithCancel(ctx)
	pages := make(chan idPage)
	go s.readByID(ctx, f, pages)
	defer func() {
		cancel()
		for range pages { // let readByID end
		}
	}()
	for p := range pages {
		if p.err != nil {
			return p.err
		}
		for i := range p.results {
			if err := fn(&p.results[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// idPage is one page of Each by id, or the error that ended the reading.
type idPage struct {
	results []meeting.Result
	err     error
}

// readByID sends the pages of eachQuery for f to out, in order, until the
// last one, an error (sent too) or the end of ctx, and then closes out.
func (s *MeetingStore) readByID(ctx context.Context, f meeting.Filter, out chan<- idPage) {
	const op = "postgres.Each"
	defer close(out)
	var after int64
	for limit := eachFirstChunk; ; limit = eachChunk {
		sql, args := eachQuery(f, after, limit)
		var p idPage
		rows, err := s.db.Pool.Query(ctx, sql, args...)
		if err == nil {
			p.results, err = appendResults(make([]meeting.Result, 0, limit), rows, f.Now)
		}
		if err != nil {
			p.err = translate(op, err)
		}
		fillOccurrences(p.results, f.Now)
		select {
		case out <- p:
		case <-ctx.Done():
			return
		}
		if p.err != nil || len(p.results) < limit {
			return
		}
		after = p.results[len(p.results)-1].ID
	}
}

// findPages calls fn with every result of Find for f, ignoring f.Limit
// and f.Cursor, reading its keyset pages of eachChunk, with the
// occurrences of a filter without words computed in Go (findPage).
func (s *MeetingStore) findPages(ctx context.Context, f meeting.Filter, fn func(*meeting.Result) error) error {
	f.Limit = eachChunk
	f.Cursor = nil
	text := strings.TrimSpace(f.Q) != ""
	for {
		var page meeting.Page
		var err error
		if text {
			page, err = s.Find(ctx, f)
		} else {
			page, err = s.findPage(ctx, f, true)
		}
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
