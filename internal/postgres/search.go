package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
)

// The embedded full-text index is the table meeting_search (migration
// 0011): one tsvector per public meeting, built in Go (searchdoc.go) by
// DB.RefreshSearch from the meetings named in search_queue (serve does it
// every SearchRefreshEvery; demo, import and reindex when they finish).
// Text search only sees indexed meetings, so a new or changed meeting is
// found by its words a couple of seconds after the write.
//
// A query matches a meeting as textdoc says (textdoc.Query: every word as
// a prefix, by naming a type, or through its typo corrections), written
// as tsqueries (searchquery.go). The corrections come from the
// vocabulary (search_words), looked up before the query ("serinity grup"
// runs as (serinity:* | serenity) & (grup:* | group)). The vocabulary
// follows every index write, so a new word is known, and never corrected,
// once it is searchable.
//
// The SQL of all this is built in query.go (cellArea, searchQuery).

// correctionsSQL looks up the query words in the vocabulary: whether each
// is a word of the index and, only when it is not, the candidates for its
// corrections: the words with its first letter (a range of the primary
// key, which is in byte order) and of about its length whose Levenshtein
// distance is at most textdoc.MaxEdits+1 (fuzzystrmatch; a transposition
// is two there), fewest first; textdoc.Query.Correct then keeps those
// within MaxEdits, counting a transposition as one. Trigram similarity (pg_trgm's
// %) took 10–110 ms a word here: short words share few trigrams with
// their typos and many with everything else.
const correctionsSQL = `SELECT q.t, q.known, coalesce(n.word, ''), coalesce(n.ndoc, 0)
	FROM (SELECT t, EXISTS (SELECT 1 FROM search_words k WHERE k.word = t) AS known,
		CASE WHEN length(t) >= 9 THEN 3 ELSE 2 END AS k FROM unnest($1::text[]) t) q
	LEFT JOIN LATERAL (
		SELECT w.word, w.ndoc FROM search_words w
		WHERE NOT q.known AND w.word >= left(q.t, 1) AND w.word < left(q.t, 1) || chr(1114111)
		  AND length(w.word) BETWEEN length(q.t) - 2 AND length(q.t) + 2
		  AND levenshtein_less_equal(w.word, q.t, q.k) <= q.k
		ORDER BY levenshtein_less_equal(w.word, q.t, q.k), w.ndoc DESC
		LIMIT 32
	) n ON true`

// prepareText parses f.Q and looks its words up in the vocabulary. ok is
// false when f.Q has no word to search for.
func prepareText(ctx context.Context, db *DB, f meeting.Filter) (tq textdoc.Query, ok bool, err error) {
	tq, ok = textdoc.Parse(f.Q)
	if !ok {
		return tq, false, nil
	}
	if look := tq.NeedsLookup(); len(look) > 0 {
		rows, err := db.Pool.Query(ctx, correctionsSQL, look)
		if err != nil {
			return tq, false, err
		}
		known := map[string]bool{}
		near := map[string][]textdoc.Candidate{}
		for rows.Next() {
			var t, w string
			var isKnown bool
			var n int
			if err := rows.Scan(&t, &isKnown, &w, &n); err != nil {
				rows.Close()
				return tq, false, err
			}
			known[t] = isKnown
			if w != "" {
				near[t] = append(near[t], textdoc.Candidate{Word: w, Docs: n})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return tq, false, err
		}
		for _, t := range look {
			tq.Correct(t, known[t], near[t])
		}
	}
	tq.Finish(f.Q)
	return tq, true, nil
}

// queryText runs the SQL of text query tq and hands its rows to scan,
// which reads (and closes) them. The statement is sent unprepared (exec
// mode), so PostgreSQL plans it with these tsqueries, from how common
// their words are, never with a generic plan. Unless a word is one or two
// letters long, sequential scans are off for it: PostgreSQL prices
// checking a document at a fraction of its cost, and would scan thousands
// of documents for a common word where the GIN index finds them at once
// (40 ms against 3 for "serenity" at 1,000,000 meetings).
func queryText(ctx context.Context, db *DB, tq *textdoc.Query, sql string, args []any, scan func(pgx.Rows) error) error {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if !tq.HasShortWord() {
		if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return err
		}
	}
	rows, err := tx.Query(ctx, sql, append([]any{pgx.QueryExecModeExec}, args...)...)
	if err != nil {
		return err
	}
	if err := scan(rows); err != nil {
		return err
	}
	return tx.Commit(ctx)
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
	tq, ok, err := prepareText(ctx, s.db, f)
	if err != nil {
		return meeting.Page{}, translate(op, err)
	}
	if !ok {
		f.Q = ""
		return s.Find(ctx, f)
	}
	now := meeting.OrNow(f.Now)
	sql, args, limit, offset := searchQuery(f, &tq, meetingColumns)
	var page meeting.Page
	var score float64 // selected for the ORDER BY
	err = queryText(ctx, s.db, &tq, sql, args, func(rows pgx.Rows) (err error) {
		page.Results, err = appendResults(make([]meeting.Result, 0, limit), rows, now, &score)
		return err
	})
	if err != nil {
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
	tq, ok, err := prepareText(ctx, x.db, f)
	if err != nil {
		return search.Hits{}, translate(op, err)
	}
	if !ok {
		return search.Hits{}, meeting.Errorf(meeting.KindInvalid, op, "the query has no words to search for")
	}
	sql, args, limit, offset := searchQuery(f, &tq, "m.id")
	hits := search.Hits{Hits: make([]search.Hit, 0, limit)}
	err = queryText(ctx, x.db, &tq, sql, args, func(rows pgx.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var h search.Hit
			var dist *float64
			var occ *time.Time
			if err := rows.Scan(&h.ID, &dist, &occ, &h.Score); err != nil {
				return err
			}
			if dist != nil {
				h.DistanceM, h.HasDistance = *dist, true
			}
			hits.Hits = append(hits.Hits, h)
		}
		return rows.Err()
	})
	if err != nil {
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
