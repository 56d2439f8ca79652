package bmlt

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// WholeEarthKM is a radius that takes in every point on Earth (half the
// circumference of PostGIS's sphere is 20,015 km): the radius of a
// geographic search that has no width (distances asked for in
// data_field_key).
const WholeEarthKM = 20_100.0

// findChunk is the Limit a Runner first asks Find for when it needs every
// meeting, as the feeds read whole results; later pages double up to
// maxFindChunk. PostgreSQL measures and sorts every meeting within the
// radius for each page, so fewer, larger pages cost less.
const (
	findChunk    = 5000
	maxFindChunk = 40000
)

// startRadiusKM is the radius a Runner first reads within when it needs
// only the nearest meetings (geo_width=-N, one page by distance); it grows
// fourfold until enough are found or it reaches the search's radius.
// PostgreSQL finds the meetings within a radius with the GiST index and
// sorts them, so reading the whole Earth for the 10 nearest costs as much
// as reading every meeting.
const startRadiusKM = 1.0

// metresPerDegree is the length of a degree of arc on the sphere PostGIS
// measures geography on (mean radius 6,371,008.8 m): store distances are
// this many metres per degree, where BMLT counts 111.111 km.
const metresPerDegree = 6_371_008.7714 * math.Pi / 180

// toleranceM covers the difference between BMLT's law of cosines and the
// store's distance for the same two points (a few centimetres at worst,
// near zero distance), so that reading the store nearest first misses no
// meeting that BMLT's geometry puts among the nearest.
const toleranceM = 1.0

// Result is the outcome of a search: the meeting objects in order, and the
// formats they use (for get_used_formats), ordered by id.
type Result struct {
	Meetings Objects
	Formats  []Format
}

// Runner runs a search on a meeting.Store: it asks for pages of Find
// (Next), takes what they hold (Add), and stops as soon as the answer is
// known, so that a search with geo_width=-10, or for one page in the
// store's order, reads about that many meetings and not every one. The
// store's order is distance (then id) when the filter has a point, else
// weekday, start and id. Use:
//
//	for f, more := r.Next(); more; f, more = r.Next() {
//		page, err := store.Find(ctx, f)
//		…
//		r.Add(page)
//	}
//	res := r.Result()
type Runner struct {
	s           *Search
	base        meeting.Filter
	services    map[string]bool // the bodies asked for (nil: any)
	notServices map[string]bool // the bodies left out
	root        string
	geo         bool
	// need is how many meetings, in the store's order, decide the answer
	// (the N nearest of geo_width=-N, whose distance sets the ladder
	// radius, or those up to the end of the page asked for);
	// math.MaxInt means every meeting the store finds.
	need    int
	rows    []row
	cursor  *meeting.Cursor
	started bool
	done    bool
	limit   int // the Limit of the last Find
	// radiusKM is the radius of the next Find (with a point); bounded
	// says the last Find was limited to the distance that can still
	// change the answer.
	radiusKM float64
	bounded  bool
	// last is the store's sort key of the last meeting received: its
	// distance in metres, or its day and start.
	lastM              float64
	lastDay, lastStart int
}

// row is one meeting a search keeps: the meeting, its service body's id
// and name, its distance from the search point in degrees of arc
// (geographic searches), and its sort values (sorts by field) or, for the
// default sort, its weekday, start and duration in one number.
type row struct {
	m        *meeting.Meeting
	body     string
	bodyName string
	dist     float64
	keys     []sortValue
	schedule int64
	formats  []string // FormatKeys(m)
}

// sortValue is a field value as BMLT sorts it: as a number when it reads
// as one, else as text (see compareValues).
type sortValue struct {
	s   string
	f   float64
	num bool
}

// NewRunner returns a Runner for s over base, the store filter (Narrow's,
// with the point and radius of a geographic search and the sources of the
// services asked for). bodies are the service bodies the meetings belong
// to (ServiceBodies), needed only for services[] with recursive=1 (which
// takes in, or with negative ids leaves out, the bodies below those
// named); root is this server's BMLT root URL.
func (s *Search) NewRunner(base meeting.Filter, bodies []ServiceBody, root string) *Runner {
	r := &Runner{s: s, base: base, root: root, geo: s.Geo()}
	r.services, r.notServices = s.Services, s.NotServices
	if s.Recursive {
		if r.services != nil {
			r.services = Descendants(bodies, r.services)
		}
		if r.notServices != nil {
			r.notServices = Descendants(bodies, r.notServices)
		}
	}
	r.need = r.planNeed()
	r.radiusKM = r.baseRadiusKM()
	if r.need < math.MaxInt {
		r.radiusKM = min(r.radiusKM, startRadiusKM)
	}
	return r
}

// baseRadiusKM is the radius of the search's filter (Find's default when
// it has none).
func (r *Runner) baseRadiusKM() float64 {
	if r.base.RadiusKM <= 0 {
		return meeting.DefaultRadiusKM
	}
	return r.base.RadiusKM
}

// planNeed returns how many meetings in the store's order decide the
// answer: the N nearest for geo_width=-N (every meeting within the ladder
// radius their distance calls for is then read too, see boundM); the
// meetings up to the end of the page when the page is in an order the
// store reads (distance, or weekday and start); else every one
// (math.MaxInt), which is then sorted in Go.
func (r *Runner) planNeed() int {
	s := r.s
	switch {
	case r.geo && r.base.HasPoint && s.Auto:
		return s.Nearest
	case r.geo && r.base.HasPoint && s.SortByDistance && s.PageSize > 0:
		return s.pageEnd()
	case !r.geo && !r.base.HasPoint && s.PageSize > 0 && s.scheduleOrder():
		return s.pageEnd()
	}
	return math.MaxInt
}

// scheduleOrder reports whether the sort keys begin with the weekday and
// the start time, the store's order without a point (by appointment
// meetings, last there, are no BMLT meetings).
func (s *Search) scheduleOrder() bool {
	keys := s.sortKeys()
	return len(keys) >= 2 && keys[0] == "weekday_tinyint" && keys[1] == "start_time"
}

// sortKeys returns the sort keys, BMLT's default when none are given.
func (s *Search) sortKeys() []string {
	if len(s.SortKeys) == 0 {
		return []string{"weekday_tinyint", "start_time", "duration_time"}
	}
	return s.SortKeys
}

// pageBounds returns the index of the first meeting of the page asked for
// and the index after its last, math.MaxInt for a page beyond any result.
func (s *Search) pageBounds() (from, to int) {
	page := max(s.PageNum, 1) - 1
	if page > (math.MaxInt-s.PageSize)/s.PageSize {
		return math.MaxInt, math.MaxInt
	}
	return page * s.PageSize, page*s.PageSize + s.PageSize
}

// pageEnd returns the index after the last meeting of the page asked for.
func (s *Search) pageEnd() int {
	_, to := s.pageBounds()
	return to
}

// Next returns the filter of the next Find, or false when the answer is
// known.
func (r *Runner) Next() (meeting.Filter, bool) {
	if r.done || (r.started && r.complete()) {
		r.done = true
		return meeting.Filter{}, false
	}
	f := r.base
	f.Cursor = r.cursor
	f.Limit = r.nextLimit()
	r.bounded = false
	if f.HasPoint {
		f.RadiusKM = r.radiusKM
		if len(r.rows) >= r.need {
			// Enough meetings: only those within the distance of the last
			// that counts (and the tolerance) can still change the answer.
			f.RadiusKM, r.bounded = min(r.baseRadiusKM(), r.boundM()/1000), true
		}
	}
	r.started, r.limit = true, f.Limit
	return f, true
}

// nextLimit returns the Limit of the next Find: the meetings still needed
// (at least a few, to finish ties and groups), growing when the search's
// own rules drop what the store finds; findChunk when every meeting is
// needed.
func (r *Runner) nextLimit() int {
	if r.need == math.MaxInt {
		if r.limit == 0 {
			return findChunk
		}
		return min(2*r.limit, maxFindChunk)
	}
	want := r.need - len(r.rows)
	if want < 1 {
		want = 50
	}
	if r.limit > 0 {
		want = max(want, min(2*r.limit, findChunk))
	}
	return min(want, findChunk)
}

// complete reports whether the meetings received decide the answer: the
// store has none left, or enough of them match and none the store has
// left can come before the last that counts.
func (r *Runner) complete() bool {
	if r.need == math.MaxInt || len(r.rows) < r.need {
		return false
	}
	if r.base.HasPoint {
		return r.lastM > r.boundM()
	}
	// Without a point the store reads by weekday and start; BMLT's order
	// sorts within each (weekday, start) group, so the group of the last
	// meeting that counts must be complete.
	m := r.rows[r.need-1].m
	return cmp.Or(cmp.Compare(r.lastDay, int(m.Day)), cmp.Compare(r.lastStart, int(m.Start))) > 0
}

// boundM returns the store distance in metres beyond which no meeting can
// be in the answer by BMLT's distance, plus the tolerance: the need-th
// smallest distance of those received, or for geo_width=-N the radius of
// the ladder that this distance calls for.
func (r *Runner) boundM() float64 {
	d := make([]float64, len(r.rows))
	for i := range r.rows {
		d[i] = r.rows[i].dist
	}
	slices.Sort(d)
	bound := d[r.need-1]
	if r.s.Auto {
		bound = r.s.ladderDegrees(bound)
	}
	return bound*metresPerDegree*(1+1e-9) + toleranceM
}

// unitsPerDegree returns the miles or kilometres (as the width was given)
// BMLT counts in a degree of arc.
func (s *Search) unitsPerDegree() float64 {
	if s.Miles {
		return milesPerDegree
	}
	return kmPerDegree
}

// ladderDegrees returns, in degrees, the radius of BMLT's ladder for a
// search whose N-th nearest meeting is d degrees away.
func (s *Search) ladderDegrees(d float64) float64 {
	return ladderRadius(d*s.unitsPerDegree()) / s.unitsPerDegree()
}

// Add takes the page the last Find returned.
func (r *Runner) Add(p meeting.Page) {
	for i := range p.Results {
		res := &p.Results[i]
		r.add(&res.Meeting)
		r.lastM = res.DistanceM
		r.lastDay, r.lastStart = 7, 0
		if !res.ByAppointment {
			r.lastDay, r.lastStart = int(res.Day), int(res.Start)
		}
	}
	if p.NextCursor != nil {
		r.cursor = p.NextCursor
		return
	}
	// The store has nothing more within the radius asked: the search's
	// own radius, or the bound, ends the search; a smaller one grows, and
	// the next page goes on after the last meeting received.
	if !r.base.HasPoint || r.bounded || r.radiusKM >= r.baseRadiusKM() {
		r.done = true
		return
	}
	r.radiusKM = min(4*r.radiusKM, r.baseRadiusKM())
	if n := len(p.Results); n > 0 {
		r.cursor = &meeting.Cursor{DistanceM: p.Results[n-1].DistanceM, ID: p.Results[n-1].ID}
	}
}

// add keeps m when the search matches it.
func (r *Runner) add(m *meeting.Meeting) {
	s := r.s
	body := MeetingServiceBody(m.Source, m.Location.Regions)
	if !s.matches(m, body, r.services, r.notServices) {
		return
	}
	rw := row{m: m, body: body}
	if r.geo {
		if !m.Location.HasPoint {
			return
		}
		rw.dist = arcDegrees(s.Lat, s.Lng, m.Location.Lat(), m.Location.Lng())
		if s.WidthKM > 0 && rw.dist*kmPerDegree > s.WidthKM {
			return
		}
	}
	rw.bodyName, rw.formats = MeetingServiceBodyName(m.Source, m.Location.Regions), FormatKeys(m)
	r.rows = append(r.rows, rw)
}

// Result returns the answer: the meetings kept, in order, the page asked
// for, each built as a BMLT object with the fields asked for.
func (r *Runner) Result() Result {
	return r.result(r.page(r.order(r.rows)))
}

// Run applies the search to ms, the candidate meetings (public, any order).
// bodies are the service bodies (from ServiceBodies) the meetings belong
// to; root is this server's BMLT root URL. Meetings by appointment are left
// out (a BMLT meeting always has a weekday and a time).
func (s *Search) Run(ms []meeting.Meeting, bodies []ServiceBody, root string) Result {
	r := s.NewRunner(meeting.Filter{}, bodies, root)
	r.need = math.MaxInt // ms are in no particular order
	for i := range ms {
		r.add(&ms[i])
	}
	return r.Result()
}

// matches applies every constraint but the geographic ones to m, whose
// service body is body; services are the bodies asked for (nil: any),
// notServices those left out.
func (s *Search) matches(m *meeting.Meeting, body string, services, notServices map[string]bool) bool {
	if m.ByAppointment || !m.Start.Valid() {
		return false
	}
	if (s.IDs != nil && !s.IDs[m.ID]) || s.NotIDs[m.ID] {
		return false
	}
	day := int(m.Day) + 1
	if (s.Weekdays != nil && !s.Weekdays[day]) || s.NotWeekdays[day] {
		return false
	}
	venue := VenueType(m)
	if (s.Venues != nil && !s.Venues[venue]) || s.NotVenues[venue] {
		return false
	}
	if (services != nil && !services[body]) || notServices[body] {
		return false
	}
	if s.MeetingKey != "" && !s.keyMatches(m, meetingBody{id: body}) {
		return false
	}
	if !s.formatsMatch(m) {
		return false
	}
	start, duration := int(m.Start), int(m.Duration().Minutes())
	switch {
	case s.StartsAfter >= 0 && start <= s.StartsAfter,
		s.StartsBefore >= 0 && start >= s.StartsBefore,
		s.EndsBefore >= 0 && start+duration > s.EndsBefore,
		s.MinDuration >= 0 && duration < s.MinDuration,
		s.MaxDuration >= 0 && duration > s.MaxDuration:
		return false
	}
	return s.Text == "" || textMatch(m, s.Text)
}

// order keeps, for geo_width=-N, the rows within BMLT's ladder radius,
// then sorts by distance or by the sort keys (weekday, start time and
// duration by default; empty values last), id last. Sort keys are
// computed once per row, for those keys only.
func (r *Runner) order(rows []row) []row {
	s := r.s
	// Every comparison ends with the id, which rows never share, so an
	// unstable sort gives the one order there is.
	byDistance := func(a, b row) int { return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.m.ID, b.m.ID)) }
	if r.geo && s.Auto {
		// BMLT's radius ladder: the smallest radius that holds at least N
		// meetings (the last when none does), and every meeting within.
		slices.SortFunc(rows, byDistance)
		units := s.unitsPerDegree()
		radius := radiusLadder[len(radiusLadder)-1]
		if s.Nearest <= len(rows) {
			radius = ladderRadius(rows[s.Nearest-1].dist * units)
		}
		n, _ := slices.BinarySearchFunc(rows, radius, func(rw row, radius float64) int {
			if rw.dist*units <= radius {
				return -1
			}
			return 1
		})
		rows = rows[:n]
	}
	if r.geo && s.SortByDistance {
		slices.SortFunc(rows, byDistance)
		return rows
	}
	if len(s.SortKeys) == 0 {
		// The default keys, weekday_tinyint, start_time and duration_time,
		// as numbers: "HH:MM:SS" of a start or a duration (at most 24 h)
		// sorts as text the way its minutes sort as numbers.
		for i := range rows {
			m := rows[i].m
			rows[i].schedule = (int64(m.Day)*(24*60+1)+int64(m.Start))*(24*60+1) + int64(m.Duration()/time.Minute)
		}
		slices.SortFunc(rows, func(a, b row) int {
			return cmp.Or(cmp.Compare(a.schedule, b.schedule), cmp.Compare(a.m.ID, b.m.ID))
		})
		return rows
	}
	keys := s.SortKeys
	for i := range rows {
		rw := &rows[i]
		rw.keys = make([]sortValue, len(keys))
		for j, k := range keys {
			v := r.value(rw, k)
			f, err := strconv.ParseFloat(v, 64)
			rw.keys[j] = sortValue{s: v, f: f, num: err == nil}
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		for i := range a.keys {
			x, y := a.keys[i], b.keys[i]
			var c int
			switch {
			case x.s == "" && y.s != "":
				c = 1 // empty values last, as BMLT sorts
			case x.s != "" && y.s == "":
				c = -1
			case x.num && y.num:
				c = cmp.Compare(x.f, y.f)
			default:
				c = strings.Compare(x.s, y.s)
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(a.m.ID, b.m.ID)
	})
	return rows
}

// value returns the field key of rw's BMLT object ("" when it has none).
func (r *Runner) value(rw *row, key string) string {
	switch key {
	case "distance_in_km", "distance_in_miles":
		if !r.geo {
			return ""
		}
		return string(appendDistance(nil, key, rw.dist))
	}
	v, _ := field(rw.m, key, r.meetingBody(rw))
	return v
}

// meetingBody returns what rw's BMLT object says of its service body and
// the root server.
func (r *Runner) meetingBody(rw *row) meetingBody {
	return meetingBody{id: rw.body, name: rw.bodyName, root: r.root, formats: rw.formats}
}

// page cuts the page asked for (page_size, page_num from 1).
func (r *Runner) page(rows []row) []row {
	if r.s.PageSize <= 0 {
		return rows
	}
	from, to := r.s.pageBounds()
	from, to = min(from, len(rows)), min(to, len(rows))
	return rows[from:to]
}

// result makes the BMLT objects of rows, with the fields asked for
// (data_field_key; all by default, and the distances on a geographic
// search), and lists the formats the rows use, ordered by id.
func (r *Runner) result(rows []row) Result {
	s := r.s
	res := Result{Meetings: newObjects(rows, s.DataFields, r.geo, r.root)}
	used := map[string]bool{}
	for i := range rows {
		for _, k := range rows[i].formats {
			used[k] = true
		}
	}
	res.Formats = make([]Format, 0, len(used))
	for k := range used {
		f := NewFormat(k, s.Lang)
		f.RootServer = r.root
		res.Formats = append(res.Formats, f)
	}
	slices.SortFunc(res.Formats, func(a, b Format) int { return compareValues(a.ID, b.ID) })
	return res
}

// formatsMatch applies formats[] (AND by default, OR on request) and the
// excluded formats. It looks up the meeting's few formats in the sets
// asked for, so a long formats[] list costs no more per meeting.
func (s *Search) formatsMatch(m *meeting.Meeting) bool {
	if s.Formats == nil && s.NotFormats == nil {
		return true
	}
	keys := FormatKeys(m)
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		if id := FormatID(k); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	found := 0
	for _, id := range ids {
		if s.NotFormats[id] {
			return false
		}
		if s.Formats[id] {
			found++
		}
	}
	switch {
	case s.Formats == nil:
		return true
	case s.FormatsOr:
		return found > 0
	}
	return found == len(s.Formats)
}

// textMatch reports whether every word of the lower-cased text occurs in
// one of the meeting's texts (BMLT searches every data field: name,
// place, address, comments, the ways to join).
func textMatch(m *meeting.Meeting, text string) bool {
	fields := [...]string{m.Name, m.Location.Name, m.Location.Address, m.Location.City, m.Location.Region,
		m.Location.PostalCode, m.Location.Country, m.Location.FormattedAddress, m.Location.Notes, m.Notes, m.Group,
		m.Online.URL, m.Online.URLNotes, m.Online.Phone, m.Online.PhoneNote}
	var lower [len(fields)]string
	for i, v := range fields {
		lower[i] = strings.ToLower(v)
	}
	for _, w := range strings.Fields(text) {
		found := false
		for _, v := range lower {
			if strings.Contains(v, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// compareValues orders two field values numerically when both are numbers,
// else as strings (BMLT sorts typed columns; "HH:MM:SS" sorts as text).
func compareValues(a, b string) int {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 == nil && err2 == nil {
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}
