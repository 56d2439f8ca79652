package postgres

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
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
// corrections (Find looks them up in the vocabulary first).
func FindSQL(f meeting.Filter) (sql string, args []any) {
	if tq, ok := textdoc.Parse(f.Q); ok {
		tq.Finish(f.Q)
		sql, args, _, _ = searchQuery(f, &tq, meetingColumns)
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

// searchCap bounds the candidates each source of a text query without a
// point reads (a full page of meeting.MaxLimit and one more): the work of
// a query is bounded however many meetings match, and results are exact
// whenever the matches are fewer (see searchQuery). A query with more
// matches than its sources hold ends after the candidates, before
// search.MaxResults.
const searchCap = meeting.MaxLimit + 1

// With a point, a query's sources are its relevance tiers, disjoint and
// in order (searchQuery), each read nearest first: the candidates are
// then always the first of the final order, so a query reads as many as
// its page ends at, plus one (a next page), up to search.MaxResults.
// Meetings at the same distance (at one address) are ordered by id, which
// the nearest-first walk cannot do (ordering by id too would sort every
// match): each tier takes those tied with its last, so that a page never
// ends inside such a group, and a tier is read only when those before it
// hold fewer than the page needs.

// cellArea returns the tsquery of the geo cells (searchdoc.go) that cover
// the box around p of radius m metres, at the finest level that needs at
// most maxCells of them, or "" when none covers it in so few (near the poles,
// across longitude ±180, radii of hundreds of km) and the radius is
// checked on the rows alone.
func cellArea(p orb.Point, m float64) string {
	lat, lon := p.Lat(), p.Lon()
	dlat := m / 111200
	cos := math.Cos(lat * math.Pi / 180)
	if cos < 0.05 {
		return ""
	}
	dlon := dlat / cos
	if lon-dlon < -180 || lon+dlon > 180 || lat-dlat < -90 || lat+dlat > 90 {
		return ""
	}
	for _, l := range geoLevels {
		r0, c0 := cellOf(l, lat-dlat, lon-dlon)
		r1, c1 := cellOf(l, lat+dlat, lon+dlon)
		if (r1-r0+1)*(c1-c0+1) > maxCells {
			continue
		}
		var b []byte
		b = append(b, '(')
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				if len(b) > 1 {
					b = append(b, " | "...)
				}
				b = quoteLexeme(b, cellToken(l, r, c))
			}
		}
		return string(append(b, ')'))
	}
	return ""
}

// searchQuery builds the text query of f for tq, selecting cols plus the
// distance (NULL without a point), the occurrence and the score, with the
// page's LIMIT (limit+1 rows) and OFFSET.
//
// The candidates are the first meetings that pass every filter from a
// few sources read in turn, best tier first, each an index lookup:
// without a point, searchCap of them, the meetings named exactly as the
// query and those whose name starts with it, then those whose name holds
// every word, then any match; with a point, as many as the page ends at
// and one more, from the tiers of textdoc's score (in the name and as
// typed, in the name, as typed, the rest), disjoint, each the nearest
// first, each tsquery ANDed with the cells covering the radius. The
// candidates are then ordered by that score (without a point also exact
// name, name prefix), then by distance with a point, then by id. With a
// point, and without one when the matches are fewer than the candidates,
// this is the exact order; without a point and more matches, it is the
// order of the best candidates, which is what the first pages show, and
// paging ends after them.
func searchQuery(f meeting.Filter, tq *textdoc.Query, cols string) (sql string, args []any, limit, offset int) {
	limit = pageLimit(f)
	if f.Cursor != nil {
		offset = f.Cursor.Offset
	}
	q := &query{now: meeting.OrNow(f.Now)}
	nowArg := q.atNow()
	q.where = append(q.where, publicRows)
	area, distExpr, pt, radiusArg := "", "NULL::float8", "", ""
	if f.HasPoint {
		pt, radiusArg = q.point(f.Point), q.arg(radiusM(f))
		distExpr = "(m.geog <-> " + pt + ")"
		// The distance operator, not ST_DWithin: the candidates are few,
		// and an indexable radius would tempt the planner to read every
		// meeting in it through the GiST index.
		q.where = append(q.where, distExpr+" <= "+radiusArg+"::float8")
		area = cellArea(f.Point, radiusM(f))
	}
	plain := len(q.where)
	q.filter(f)
	where := strings.Join(q.where, " AND ")
	n := searchCap
	if f.HasPoint {
		n = min(offset+limit, search.MaxResults) + 1
	}
	// Without a point, the same for every page and page size of a query,
	// or paging would skip and repeat meetings.
	capSQL := " LIMIT " + strconv.Itoa(n) + ")"
	// meeting_search holds public meetings only (the indexer removes the
	// others), so without a point or filters a source reads the index
	// alone; the final query checks every condition on the candidates.
	// With a point a source is the nearest matches: PostgreSQL walks the
	// meetings nearest first (GiST) and checks each document when the
	// words are common, and reads the few matches from the GIN index, cut
	// to the cells of the radius, and sorts them when they are rare; it
	// takes the meetings tied with its last (at the same distance: one
	// address), since the final order breaks such ties by id. gate, when
	// not empty, is a condition without columns: PostgreSQL checks it once
	// and reads nothing when it fails.
	source := func(tsq, gate string) string {
		switch {
		case f.HasPoint:
			return "(SELECT s.meeting_id FROM meetings m JOIN meeting_search s ON s.meeting_id = m.id WHERE " + gate + "s.doc @@ " +
				q.arg(tsq) + "::tsquery AND " + where + " AND ST_DWithin(m.geog, " + pt + ", " + radiusArg +
				", false) ORDER BY m.geog <-> " + pt + " FETCH FIRST " + strconv.Itoa(n) + " ROWS WITH TIES)"
		case len(q.where) > plain:
			return "(SELECT s.meeting_id FROM meeting_search s JOIN meetings m ON m.id = s.meeting_id WHERE s.doc @@ " +
				q.arg(tsq) + "::tsquery AND " + where + capSQL
		}
		return "(SELECT s.meeting_id FROM meeting_search s WHERE s.doc @@ " + q.arg(tsq) + "::tsquery" + capSQL
	}
	// The name tiers rank only without a point: with one, as in
	// Meilisearch (where the geo sort comes before exactness), meetings
	// that hold every word in the name without typos are equal but for
	// their distance.
	byName := tq.Phrase != "" && !f.HasPoint
	// Best tier first: the sources are read in this order and reading
	// stops once n candidates are in, so a common query costs one source.
	var sources, ctes []string
	switch {
	case f.HasPoint:
		// The tiers, best first: in the name and as typed, in the name,
		// as typed, the rest (a query without corrections has only the
		// first and the third), each read only when those before it hold
		// fewer than n.
		var before []string
		for _, t := range [][2]bool{{true, true}, {true, false}, {false, true}, {false, false}} {
			if !t[1] && tq.AsTyped() {
				continue
			}
			gate := ""
			if len(before) > 0 {
				gate = "(SELECT count(*) FROM (" + strings.Join(before, " UNION ALL ") + ") b) < " + strconv.Itoa(n) + " AND "
			}
			name := "t" + strconv.Itoa(len(ctes))
			ctes = append(ctes, name+" AS MATERIALIZED "+source(tsTier(tq, t[0], t[1], area), gate))
			before = append(before, "SELECT 1 FROM "+name)
			sources = append(sources, "SELECT meeting_id FROM "+name)
		}
	case byName:
		sources = append(sources, source(tsName(tq, false, area), ""), source(tsName(tq, true, area), ""))
		fallthrough
	default:
		sources = append(sources, source(tsInName(tq, area), ""), source(tsMatch(tq, area), ""))
	}
	tier := func(points, tsq string) string {
		return "CASE WHEN s.doc @@ " + q.arg(tsq) + "::tsquery THEN " + points + " ELSE 0 END"
	}
	score := "(" + tier(strconv.Itoa(textdoc.ScoreInName), tsInName(tq, "")) + " + " + tier(strconv.Itoa(textdoc.ScoreAsTyped), tsExact(tq))
	if byName {
		score += " + " + tier(strconv.Itoa(textdoc.ScoreExactName), tsName(tq, false, "")) + " + " + tier(strconv.Itoa(textdoc.ScoreNamePrefix), tsName(tq, true, ""))
	}
	score += ")"
	cand := `cand AS MATERIALIZED (SELECT DISTINCT c.meeting_id FROM (` + strings.Join(sources, " UNION ALL ") + ` LIMIT ` + strconv.Itoa(n) + `) c)`
	if f.HasPoint {
		// Every tier read, with its ties: the tiers are disjoint.
		cand = strings.Join(ctes, ", ") + `, cand AS (` + strings.Join(sources, " UNION ALL ") + `)`
	}
	sql = `WITH ` + cand + ` SELECT ` + cols + `, ` + distExpr + `, ` +
		occurrenceExpr(nowArg) + `, ` + score + `::float8 AS score FROM cand JOIN meeting_search s ON s.meeting_id = cand.meeting_id` +
		` JOIN meetings m ON m.id = s.meeting_id WHERE ` + where + ` ORDER BY score DESC, ` + distExpr + ` NULLS LAST, m.id LIMIT ` + q.arg(limit+1) +
		` OFFSET ` + q.arg(offset)
	return sql, q.args, limit, offset
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
