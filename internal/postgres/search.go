package postgres

import (
	"context"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
)

// The embedded full-text index lives in the meetings table itself
// (migrations 0003, 0006 and 0007): search_doc is a weighted tsvector of
// the unaccented lowercase name (A), group (B), place (C) and notes (D);
// search_text is the unaccented name, group, place and service areas for
// pg_trgm. Writers do not compute them: they are NULL until
// DB.RefreshSearch fills them (serve does every SearchRefreshEvery; demo,
// import and reindex when they finish), and a change of the text they are
// made of clears them again (searchindex.go). Text search only sees
// indexed meetings, so a new or changed meeting is found by its words a
// few seconds after the write, and with exactly the relevance it would
// have had if indexed at once.
//
// A query matches a meeting when every word does, either as a prefix of a
// word of search_doc ("big bo" finds "Big Book"), or, for words of four or
// more letters and when the exact matches are few (needTypos), by trigram
// strict word similarity of at least
// pg_trgm.strict_word_similarity_threshold (0.5) to a word of search_text
// ("serinity" finds "Serenity"), or by naming one of the meeting's types
// (meeting.TypeCodes: "women" finds type W, "español" type S).
//
// The SQL of all this is built in query.go (textSearch, searchQuery).

// needTypos reports whether f's words should also match with typos: only
// when matching them exactly (as prefixes or type names) finds fewer than
// search.MaxResults meetings. Common words ("serenity" among a million
// meetings) thus skip the costly trigram matching, and the choice does not
// depend on the page, so paging stays consistent.
func needTypos(ctx context.Context, db *DB, f meeting.Filter, terms []string) (bool, error) {
	sql, args := countQuery(f, terms, search.MaxResults)
	var n int
	err := db.Pool.QueryRow(ctx, sql, args...).Scan(&n)
	return n < search.MaxResults, err
}

// nextCursor returns the cursor after a page of limit results starting at
// offset whose last meeting is lastID, or nil when more==false or the next
// page would pass search.MaxResults.
func nextCursor(more bool, offset, limit int, lastID int64) *meeting.Cursor {
	if !more || offset+limit >= search.MaxResults {
		return nil
	}
	return &meeting.Cursor{Offset: offset + limit, ID: lastID}
}

// findText answers Find for a filter with text: the public meetings that
// match every word of f.Q and the other filters, by relevance.
func (s *MeetingStore) findText(ctx context.Context, f meeting.Filter) (meeting.Page, error) {
	const op = "postgres.Find"
	terms := search.Terms(f.Q)
	if len(terms) == 0 {
		f.Q = ""
		return s.Find(ctx, f)
	}
	now := meeting.OrNow(f.Now)
	typos, err := needTypos(ctx, s.db, f, terms)
	if err != nil {
		return meeting.Page{}, translate(op, err)
	}
	sql, args, limit, offset := searchQuery(f, terms, meetingColumns, typos)
	rows, err := s.db.Pool.Query(ctx, sql, args...)
	if err != nil {
		return meeting.Page{}, translate(op, err)
	}
	var page meeting.Page
	var score float64 // selected for the ORDER BY
	if page.Results, err = appendResults(make([]meeting.Result, 0, limit), rows, now, &score); err != nil {
		return meeting.Page{}, translate(op, err)
	}
	more := len(page.Results) > limit
	if more {
		page.Results = page.Results[:limit]
	}
	if n := len(page.Results); n > 0 {
		page.NextCursor = nextCursor(more, offset, limit, page.Results[n-1].ID)
	}
	return page, nil
}

// Results returns the public meetings with the given ids, in that order,
// with their distance from f's point (when it has one) and their current or
// next occurrence at f.Now. Ids that are not public are skipped. It is how
// search.Store turns the hits of an external index into meetings.
func (s *MeetingStore) Results(ctx context.Context, ids []int64, f meeting.Filter) ([]meeting.Result, error) {
	const op = "postgres.Results"
	if len(ids) == 0 {
		return []meeting.Result{}, nil
	}
	now := meeting.OrNow(f.Now)
	sql, args := resultsQuery(ids, f)
	rows, err := s.db.Pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, translate(op, err)
	}
	found, err := appendResults(make([]meeting.Result, 0, len(ids)), rows, now)
	if err != nil {
		return nil, translate(op, err)
	}
	byID := make(map[int64]meeting.Result, len(found))
	for _, r := range found {
		byID[r.ID] = r
	}
	out := make([]meeting.Result, 0, len(byID))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// SearchIndex is search.Index on PostgreSQL: the full-text index embedded
// in the meetings table. Upsert indexes the meetings waiting to be indexed
// (DB.RefreshSearch: the written meetings and any others); Delete has
// nothing to do, since a removed meeting is no longer public; Search runs
// the same query as MeetingStore.Find with text.
type SearchIndex struct {
	db *DB
}

// NewSearchIndex returns the embedded index over db.
func NewSearchIndex(db *DB) *SearchIndex { return &SearchIndex{db: db} }

var _ search.Index = (*SearchIndex)(nil)

// Upsert indexes the meetings written to the table and not indexed yet.
func (x *SearchIndex) Upsert(ctx context.Context, _ []meeting.Meeting) error {
	_, err := x.db.RefreshSearch(ctx, 0)
	return err
}

// Delete does nothing: the meetings table is the index.
func (*SearchIndex) Delete(context.Context, []int64) error { return nil }

// Search returns one page of hits for f (see search.Index). A query
// without words is KindInvalid.
func (x *SearchIndex) Search(ctx context.Context, f meeting.Filter) (search.Hits, error) {
	const op = "postgres.SearchIndex.Search"
	terms := search.Terms(f.Q)
	if len(terms) == 0 {
		return search.Hits{}, meeting.Errorf(meeting.KindInvalid, op, "the query has no words to search for")
	}
	typos, err := needTypos(ctx, x.db, f, terms)
	if err != nil {
		return search.Hits{}, translate(op, err)
	}
	sql, args, limit, offset := searchQuery(f, terms, "m.id", typos)
	rows, err := x.db.Pool.Query(ctx, sql, args...)
	if err != nil {
		return search.Hits{}, translate(op, err)
	}
	defer rows.Close()
	hits := search.Hits{Hits: make([]search.Hit, 0, limit)}
	for rows.Next() {
		var h search.Hit
		var dist *float64
		var occ *time.Time
		if err := rows.Scan(&h.ID, &dist, &occ, &h.Score); err != nil {
			return search.Hits{}, translate(op, err)
		}
		if dist != nil {
			h.DistanceM, h.HasDistance = *dist, true
		}
		hits.Hits = append(hits.Hits, h)
	}
	if err := rows.Err(); err != nil {
		return search.Hits{}, translate(op, err)
	}
	more := len(hits.Hits) > limit
	if more {
		hits.Hits = hits.Hits[:limit]
	}
	if n := len(hits.Hits); n > 0 {
		hits.NextCursor = nextCursor(more, offset, limit, hits.Hits[n-1].ID)
	}
	return hits, nil
}
