package postgres

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
)

// This file is the one query builder of the public read path: how a
// meeting.Filter becomes SQL. Find (meeting.go), the text search
// (search.go), Results, All and Each run what it builds, and FindSQL
// shows it to the bench. The parts, in the order a query is assembled:
//
//   - the query point: one typed parameter pair, written by query.point;
//   - the filters other than the point, the text and the cursor (filter);
//   - the radius, the cursor and the order, nearest first or by time
//     (findQuery), or the words and the relevance (searchQuery).

// publicRows is the predicate for rows anyone may see.
const publicRows = `m.status = 'published' AND m.deleted_at IS NULL`

// query is a SQL statement under construction with numbered arguments.
type query struct {
	where []string
	args  []any
	now   time.Time // the reference time of a read query
	nowPH string    // now's placeholder, once an expression needs it
}

// atNow returns the placeholder of q.now, appending it on first use, so
// that a query has no argument it does not use (PostgreSQL must infer the
// type of every one).
func (q *query) atNow() string {
	if q.nowPH == "" {
		q.nowPH = q.arg(q.now)
	}
	return q.nowPH
}

// arg appends v and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// point appends p (orb.Point is [lon, lat]) as two float8 arguments and
// returns the geography expression of it. It is the only place a query
// point enters the SQL.
func (q *query) point(p orb.Point) string {
	return "ST_SetSRID(ST_MakePoint(" + q.arg(p.Lon()) + "::float8, " + q.arg(p.Lat()) + "::float8), 4326)::geography"
}

// occurrenceExpr is the SQL for the start of each meeting's current or next
// occurrence at the instant in placeholder nowArg.
func occurrenceExpr(nowArg string) string {
	return "meeting_occurrence(m.day, m.start_time, m.end_time, m.timezone, " + nowArg + "::timestamptz)"
}

// radiusM is f's radius in metres (meeting.DefaultRadiusKM when unset).
func radiusM(f meeting.Filter) float64 {
	if f.RadiusKM <= 0 {
		return meeting.DefaultRadiusKM * 1000
	}
	return f.RadiusKM * 1000
}

// pageLimit is f's page size (meeting.DefaultLimit when unset).
func pageLimit(f meeting.Filter) int {
	if f.Limit <= 0 {
		return meeting.DefaultLimit
	}
	return f.Limit
}

// FindSQL returns the SQL text and the arguments of the query
// MeetingStore.Find sends for f, so that benchmarks and EXPLAIN can run it
// as is. For a filter with words it is the text query without typo
// matching (Find adds typo matching when the exact matches are few, which
// it learns from a count query first).
func FindSQL(f meeting.Filter) (sql string, args []any) {
	if terms := search.Terms(f.Q); strings.TrimSpace(f.Q) != "" && len(terms) > 0 {
		sql, args, _, _ = searchQuery(f, terms, meetingColumns, false)
		return sql, args
	}
	sql, args, _ = findQuery(f, true)
	return sql, args
}

// findQuery builds one page of Find for a filter without text: the public
// meetings matching f after f.Cursor, selecting meetingColumns, the
// distance from the point (NULL without one) and the occurrence (NULL when
// not withOccurrence: the caller computes it), ordered by (distance, id)
// with a point, else by (day, start, id), limit+1 rows (the extra one says
// there is a next page).
func findQuery(f meeting.Filter, withOccurrence bool) (sql string, args []any, limit int) {
	limit = pageLimit(f)
	q := &query{now: meeting.OrNow(f.Now)}
	occ := "NULL::timestamptz"
	if withOccurrence {
		occ = occurrenceExpr(q.atNow())
	}
	q.where = append(q.where, publicRows)
	distExpr := "NULL::float8"
	var order, ptExpr, radiusArg string
	if f.HasPoint {
		ptExpr = q.point(f.Point)
		distExpr = "(m.geog <-> " + ptExpr + ")"
		radiusArg = q.arg(radiusM(f))
		q.where = append(q.where, "ST_DWithin(m.geog, "+ptExpr+", "+radiusArg+", false)")
		if f.Cursor != nil {
			q.where = append(q.where, "("+distExpr+", m.id) > ("+q.arg(f.Cursor.DistanceM)+"::float8, "+q.arg(f.Cursor.ID)+"::bigint)")
		}
		order = distExpr + ", m.id"
	} else {
		if f.Cursor != nil {
			q.where = append(q.where, "(coalesce(m.day, 7), coalesce(m.start_time, '00:00'::time), m.id) > ("+
				q.arg(f.Cursor.Day)+"::int, "+q.arg(meeting.Clock(f.Cursor.Start).String())+"::time, "+q.arg(f.Cursor.ID)+"::bigint)")
		}
		order = "coalesce(m.day, 7), coalesce(m.start_time, '00:00'::time), m.id"
	}
	q.filter(f)
	where := strings.Join(q.where, " AND ")
	limitArg := q.arg(limit + 1)
	selectList := `SELECT ` + meetingColumns + `, ` + distExpr + `, ` + occ + ` FROM meetings m WHERE `
	if !f.HasPoint {
		return selectList + where + ` ORDER BY ` + order + ` LIMIT ` + limitArg, q.args, limit
	}
	// PostgreSQL reads the GiST index nearest-first only for an ORDER BY
	// on the distance alone, and the page needs (distance, id) so that
	// meetings at one place (ties) page exactly. So first find, nearest
	// first, how far the page reaches; then sort only the meetings within
	// that distance (plus 1 m, so ties at the edge stay in) by (distance,
	// id). Without this every meeting in the radius is measured and
	// sorted: ~75x slower with 1,000,000 meetings.
	sql = `WITH reach AS MATERIALIZED (SELECT ` + distExpr + ` AS d FROM meetings m WHERE ` + where +
		` ORDER BY ` + distExpr + ` LIMIT ` + limitArg + `) ` + selectList + where +
		` AND ST_DWithin(m.geog, ` + ptExpr + `, least(` + radiusArg + `::float8, (SELECT max(d) FROM reach) + 1), false)` +
		` ORDER BY ` + order + ` LIMIT ` + limitArg
	return sql, q.args, limit
}

// eachQuery builds one page of Each for a filter without a point or
// text: at most limit public meetings matching f with an id above
// afterID, by id, selecting meetingColumns, a NULL distance and a NULL
// occurrence (Each computes it). Id order follows the primary key, and so
// mostly the order rows lie in the table: a whole read touches each heap
// page about once, where Find's (day, start, id) order would touch one per
// meeting (five times the buffer reads at 1,000,000 meetings).
func eachQuery(f meeting.Filter, afterID int64, limit int) (sql string, args []any) {
	q := &query{now: meeting.OrNow(f.Now)}
	q.where = append(q.where, publicRows, "m.id > "+q.arg(afterID)+"::bigint")
	q.filter(f)
	return `SELECT ` + meetingColumns + `, NULL::float8, NULL::timestamptz FROM meetings m WHERE ` + strings.Join(q.where, " AND ") +
		` ORDER BY m.id LIMIT ` + q.arg(limit), q.args
}

// filter adds f's constraints other than the point, the text and the cursor
// (days, today, times, types, attendance, programs, sources, upcoming) to
// q, at q.now. Find and the text search share it, so both read a Filter
// the same way.
func (q *query) filter(f meeting.Filter) {
	now := q.now
	if len(f.Days) > 0 {
		days := make([]int16, len(f.Days))
		for i, d := range f.Days {
			days[i] = int16(d)
		}
		q.where = append(q.where, "m.day = ANY("+q.arg(days)+"::smallint[])")
	}
	if f.Today {
		// Prefilter on the weekdays that are "today" somewhere on Earth
		// (UTC-12 … UTC+14) so the per-zone check runs on few rows.
		q.where = append(q.where, "m.day = ANY("+q.arg(weekdaysBetween(now.Add(-12*time.Hour), now.Add(14*time.Hour)))+"::smallint[])",
			"m.day = extract(dow FROM ("+q.atNow()+"::timestamptz AT TIME ZONE m.timezone))")
	}
	if f.StartAfter != nil {
		q.where = append(q.where, "m.start_time >= "+q.arg(f.StartAfter.String())+"::time")
	}
	if f.StartBefore != nil {
		q.where = append(q.where, "m.start_time < "+q.arg(f.StartBefore.String())+"::time")
	}
	if len(f.Types) > 0 {
		q.where = append(q.where, "m.types @> "+q.arg(f.Types)+"::text[]")
	}
	if len(f.Attendance) > 0 {
		a := make([]string, len(f.Attendance))
		for i, v := range f.Attendance {
			a[i] = string(v)
		}
		q.where = append(q.where, "m.attendance = ANY("+q.arg(a)+"::text[])")
	}
	if len(f.Programs) > 0 {
		p := make([]string, len(f.Programs))
		for i, v := range f.Programs {
			p[i] = string(v)
		}
		q.where = append(q.where, "m.program = ANY("+q.arg(p)+"::text[])")
	}
	if len(f.Sources) > 0 {
		q.where = append(q.where, "m.source = ANY("+q.arg(f.Sources)+"::text[])")
	}
	if len(f.IDs) > 0 {
		q.where = append(q.where, "m.id = ANY("+q.arg(f.IDs)+"::bigint[])")
	}
	if f.UpcomingHours > 0 {
		horizon := now.Add(time.Duration(f.UpcomingHours * float64(time.Hour)))
		// A meeting in progress or starting before the horizon is on a local
		// weekday between (now - 1 day) and the horizon, somewhere between
		// UTC-12 and UTC+14: prefilter on those weekdays.
		q.where = append(q.where, "m.day = ANY("+q.arg(weekdaysBetween(now.Add(-36*time.Hour), horizon.Add(14*time.Hour)))+"::smallint[])",
			occurrenceExpr(q.atNow())+" <= "+q.arg(horizon)+"::timestamptz")
	}
}

// weekdaysBetween returns the UTC weekdays of every calendar day from a to
// b inclusive.
func weekdaysBetween(a, b time.Time) []int16 {
	seen := [7]bool{}
	var out []int16
	add := func(t time.Time) {
		if d := t.UTC().Weekday(); !seen[d] {
			seen[d] = true
			out = append(out, int16(d))
		}
	}
	for t := a; t.Before(b) && len(out) < 7; t = t.Add(24 * time.Hour) {
		add(t)
	}
	add(b)
	return out
}

// minTypoLen is the shortest word matched with typos: trigrams of shorter
// words match too much.
const minTypoLen = 4

// textSearch adds the text match of terms to q and returns the score
// expression: 4 for a name equal to the query, 1 more for a name starting
// with it, plus ts_rank over all words, 0.1 for each word that names one of
// its types and, with typos, the trigram similarity of the query to
// search_text. distExpr, when not empty, divides the score by 1 +
// distance/10 km, so that among equal matches the nearer comes first. The
// matching rules are described in search.go.
func (q *query) textSearch(terms []string, distExpr string, typos bool) string {
	var any, typeHits []string
	for _, t := range terms {
		ta := q.arg(t)
		tsq := "to_tsquery('simple', quote_literal(search_normalize(" + ta + ")) || ':*')"
		any = append(any, tsq)
		match := "m.search_doc @@ " + tsq
		if typos && utf8.RuneCountInString(t) >= minTypoLen {
			match += " OR m.search_text %>> search_normalize(" + ta + ")"
		}
		if codes := meeting.TypeCodes(t); len(codes) > 0 {
			has := "m.types && " + q.arg(codes) + "::text[]"
			match += " OR " + has
			typeHits = append(typeHits, "CASE WHEN "+has+" THEN 0.1 ELSE 0 END")
		}
		q.where = append(q.where, "("+match+")")
	}
	phrase := q.arg(strings.Join(terms, " "))
	name := "btrim(regexp_replace(search_normalize(m.name), '[^[:alnum:]]+', ' ', 'g'))"
	norm := "search_normalize(" + phrase + ")"
	score := "(CASE WHEN " + name + " = " + norm + " THEN 4 ELSE 0 END" +
		" + CASE WHEN " + name + " LIKE " + norm + " || '%' THEN 1 ELSE 0 END" +
		" + ts_rank(m.search_doc, " + strings.Join(any, " || ") + ")"
	if typos {
		score += " + strict_word_similarity(" + norm + ", m.search_text)"
	}
	for _, h := range typeHits {
		score += " + " + h
	}
	score += ")"
	if distExpr != "" {
		score = "(" + score + " / (1 + " + distExpr + " / 10000.0))"
	}
	return score
}

// buildSearch returns the WHERE clauses (in q), distance and score
// expressions and the placeholder of now for the text query of f.
func buildSearch(f meeting.Filter, terms []string, typos bool) (q *query, distExpr, score, nowArg string) {
	q = &query{now: meeting.OrNow(f.Now)}
	nowArg = q.atNow()
	// Meetings not indexed yet (search_doc NULL) are left out, also from
	// matches by type name alone, which would otherwise score NULL.
	q.where = append(q.where, publicRows, "m.search_doc IS NOT NULL")
	if f.HasPoint {
		pt := q.point(f.Point)
		distExpr = "(m.geog <-> " + pt + ")"
		q.where = append(q.where, "ST_DWithin(m.geog, "+pt+", "+q.arg(radiusM(f))+", false)")
	}
	q.filter(f)
	score = q.textSearch(terms, distExpr, typos)
	return q, distExpr, score, nowArg
}

// searchQuery builds the text query of f, selecting cols plus the distance
// (NULL without a point), the occurrence and the score, with the page's
// LIMIT (limit+1 rows) and OFFSET. The caller has checked that f has terms.
func searchQuery(f meeting.Filter, terms []string, cols string, typos bool) (sql string, args []any, limit, offset int) {
	limit = pageLimit(f)
	if f.Cursor != nil {
		offset = f.Cursor.Offset
	}
	q, distExpr, score, nowArg := buildSearch(f, terms, typos)
	if distExpr == "" {
		distExpr = "NULL::float8"
	}
	sql = `SELECT ` + cols + `, ` + distExpr + `, ` + occurrenceExpr(nowArg) + `, ` + score + ` AS score` +
		` FROM meetings m WHERE ` + strings.Join(q.where, " AND ") +
		` ORDER BY score DESC, m.id LIMIT ` + q.arg(limit+1) + ` OFFSET ` + q.arg(offset)
	return sql, q.args, limit, offset
}

// countQuery builds the count of f's exact text matches, up to max, that
// needTypos asks for.
func countQuery(f meeting.Filter, terms []string, max int) (sql string, args []any) {
	q, _, score, nowArg := buildSearch(f, terms, false)
	// The score and now are selected only so that every placeholder has a type.
	return `SELECT count(*) FROM (SELECT ` + score + `, ` + nowArg + `::timestamptz FROM meetings m WHERE ` + strings.Join(q.where, " AND ") +
		` LIMIT ` + q.arg(max) + `) x`, q.args
}

// resultsQuery builds the read of the public meetings with the given ids
// (in no order), with the distance from f's point and the occurrence at
// f.Now, for MeetingStore.Results.
func resultsQuery(ids []int64, f meeting.Filter) (sql string, args []any) {
	q := &query{now: meeting.OrNow(f.Now)}
	nowArg := q.atNow()
	distExpr := "NULL::float8"
	if f.HasPoint {
		distExpr = "(m.geog <-> " + q.point(f.Point) + ")"
	}
	return `SELECT ` + meetingColumns + `, ` + distExpr + `, ` + occurrenceExpr(nowArg) +
		` FROM meetings m WHERE m.id = ANY(` + q.arg(ids) + `::bigint[]) AND ` + publicRows, q.args
}
