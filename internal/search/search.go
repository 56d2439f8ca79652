// Package search is meetingfinder's full-text search contract: the Index
// that text queries run on (free text plus the filters and point/radius of
// GET /v1/meetings), the Hit it returns, and Store, which answers text
// queries through an Index, loads the meetings from the source of truth
// and falls back to PostgreSQL's own index while an external one is down.
//
// Implementations: postgres.SearchIndex (full-text search embedded in the
// meetings table, the default) and meili.Index (Meilisearch). Every
// implementation passes the conformance suite in search/searchtest.
package search

import (
	"context"
	"strings"
	"unicode"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// MaxResults bounds how deep a text query may page (offset + limit): text
// results are for people reading the first pages, and Meilisearch's default
// maxTotalHits is 1000.
const MaxResults = 1000

// MaxTerms bounds how many words a query may have (the API refuses more:
// every word is one more index lookup).
const MaxTerms = 10

// Hit is one meeting found by a text query: its id, its relevance score
// (higher is better; comparable only within one result list) and, when the
// query has a point, its distance in metres.
type Hit struct {
	ID          int64
	Score       float64
	DistanceM   float64
	HasDistance bool
}

// Hits is one page of a text query and the cursor of the next page (nil on
// the last).
type Hits struct {
	Hits       []Hit
	NextCursor *meeting.Cursor
}

// Index is a full-text index of public meetings.
//
// Search honours f.Q (every word must match, as a prefix or with a typo),
// f.Point/f.RadiusKM, Days, StartAfter, StartBefore, Types (all required),
// Attendance, Programs, Sources, Limit and Cursor (Offset). Today and
// UpcomingHours depend on each meeting's time zone and are not part of the
// contract: Store answers such queries from PostgreSQL. Results are ordered
// by relevance: a meeting named exactly as the query first, then by how
// well the text matches, combined with nearness when there is a point.
//
// Errors are *meeting.Error: KindInvalid for a query the index refuses,
// KindUnavailable when the index cannot be reached (Store then falls back).
type Index interface {
	// Upsert makes ms searchable as given (by ID), replacing earlier
	// versions. Meetings that are not public (unpublished or deleted) are
	// removed instead.
	Upsert(ctx context.Context, ms []meeting.Meeting) error
	// Delete removes the meetings with the given ids; unknown ids are not
	// an error.
	Delete(ctx context.Context, ids []int64) error
	// Search returns one page of hits for f.
	Search(ctx context.Context, f meeting.Filter) (Hits, error)
}

// BulkIndex is an Index that takes batches without waiting for each to be
// applied, as Meilisearch does (it queues writes as tasks and applies them
// in order): Enqueue hands a batch of public meetings over and returns a
// ticket, Wait blocks until the batch of that ticket, and every batch
// before it, is applied. A rebuild keeps a few batches in flight, so the
// index is never idle waiting for the next one.
type BulkIndex interface {
	Index
	Enqueue(ctx context.Context, ms []meeting.Meeting) (ticket int64, err error)
	Wait(ctx context.Context, ticket int64) error
}

// Terms splits a query into the words an index matches: lowercased,
// split at anything that is not a letter or digit, duplicates and
// one-character words dropped (unless the query has nothing else), at most
// MaxTerms.
func Terms(q string) []string {
	words := Words(q)
	var out, short []string
	seen := map[string]bool{}
	for _, w := range words {
		if seen[w] {
			continue
		}
		seen[w] = true
		if len([]rune(w)) < 2 {
			short = append(short, w)
			continue
		}
		out = append(out, w)
	}
	if len(out) == 0 {
		out = short
	}
	if len(out) > MaxTerms {
		out = out[:MaxTerms]
	}
	return out
}

// Words splits q into its words, lowercased: the runs of letters and
// digits (with their combining marks), duplicates included. Anything else (quotes, &, |, !, :, *,
// backslashes, NUL, emoji, marks) separates words, so no character of q
// reaches an index's query syntax.
func Words(q string) []string {
	return strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
}

// Public reports whether m is visible to everyone (published, not deleted);
// only public meetings belong in an index.
func Public(m *meeting.Meeting) bool {
	return m.Status == "" || m.Status == meeting.StatusPublished
}
