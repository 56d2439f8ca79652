package bmlt

import (
	"cmp"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Search is a parsed GetSearchResults request. Set fields constrain the
// result; the zero Search returns every meeting. Include/exclude sets hold
// the positive and (negated) negative values of BMLT's array parameters.
type Search struct {
	IDs                       map[int64]bool
	Weekdays, NotWeekdays     map[int]bool // 1 = Sunday … 7 = Saturday
	Venues, NotVenues         map[int]bool
	Formats, NotFormats       map[string]bool // shared format ids
	FormatsOr                 bool
	Services, NotServices     map[string]bool
	Recursive                 bool
	StartsAfter, StartsBefore int // minutes after midnight; -1 = unset
	EndsBefore                int
	Text                      string // SearchString, lower-cased
	HasPoint                  bool
	Lat, Lng                  float64
	WidthKM                   float64 // > 0: within this radius
	Nearest                   int     // > 0: the N nearest meetings
	Miles                     bool    // the width was given in miles
	SortByDistance            bool
	PageSize, PageNum         int
	DataFields                []string
	SortKeys                  []string
	UsedFormats, FormatsOnly  bool
	Lang                      string
	wantDistance              bool
	hasGeoWidth               bool
}

// List returns the values of a BMLT array parameter given as name[]=,
// name=, or a comma list in either.
func List(q url.Values, name string) []string {
	var out []string
	for _, k := range []string{name, name + "[]"} {
		for _, v := range q[k] {
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// flag reports whether a boolean parameter is on: present with no value,
// or with a value other than 0/false.
func flag(q url.Values, name string) bool {
	v, ok := q[name]
	if !ok {
		return false
	}
	s := ""
	if len(v) > 0 {
		s = strings.TrimSpace(v[len(v)-1])
	}
	return s != "0" && !strings.EqualFold(s, "false")
}

func get(q url.Values, name string) string { return strings.TrimSpace(q.Get(name)) }

// intSets splits integer values into included and excluded (negative) sets;
// ok is false when a value is not an integer.
func intSets(vals []string) (in, out map[int]bool, ok bool) {
	for _, v := range vals {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, nil, false
		}
		switch {
		case n > 0:
			if in == nil {
				in = map[int]bool{}
			}
			in[n] = true
		case n < 0:
			if out == nil {
				out = map[int]bool{}
			}
			out[-n] = true
		}
	}
	return in, out, true
}

func stringSets(vals []string) (in, out map[string]bool, ok bool) {
	a, b, ok := intSets(vals)
	if !ok {
		return nil, nil, false
	}
	conv := func(m map[int]bool) map[string]bool {
		if m == nil {
			return nil
		}
		s := map[string]bool{}
		for k := range m {
			s[strconv.Itoa(k)] = true
		}
		return s
	}
	return conv(a), conv(b), true
}

// ParseSearch reads the parameters of GetSearchResults. ok is false when a
// parameter is malformed; BMLT servers answer such a request with an empty
// array rather than an error, and so does the handler.
func ParseSearch(q url.Values) (s Search, ok bool) {
	s = Search{StartsAfter: -1, StartsBefore: -1, EndsBefore: -1, Lang: "en"}
	if v := get(q, "lang_enum"); v == "es" {
		s.Lang = v
	}
	for _, step := range []func(*Search, url.Values) bool{
		(*Search).parseSets, (*Search).parseTimes, (*Search).parseText,
		(*Search).parseGeo, (*Search).parsePaging,
	} {
		if !step(&s, q) {
			return s, false
		}
	}
	s.parseFields(q)
	s.UsedFormats = flag(q, "get_used_formats")
	s.FormatsOnly = flag(q, "get_formats_only")
	return s, true
}

// parseSets reads the id, weekday, venue, format and service lists.
func (s *Search) parseSets(q url.Values) (ok bool) {
	if ids := List(q, "meeting_ids"); len(ids) > 0 {
		s.IDs = map[int64]bool{}
		for _, v := range ids {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return false
			}
			s.IDs[n] = true
		}
	}
	if s.Weekdays, s.NotWeekdays, ok = intSets(List(q, "weekdays")); !ok {
		return false
	}
	if s.Venues, s.NotVenues, ok = intSets(List(q, "venue_types")); !ok {
		return false
	}
	if s.Formats, s.NotFormats, ok = stringSets(List(q, "formats")); !ok {
		return false
	}
	s.FormatsOr = strings.EqualFold(get(q, "formats_comparison_operator"), "OR")
	if s.Services, s.NotServices, ok = stringSets(List(q, "services")); !ok {
		return false
	}
	s.Recursive = flag(q, "recursive")
	return true
}

// parseTimes reads StartsAfter, StartsBefore and EndsBefore, each given as
// an hour and a minute parameter.
func (s *Search) parseTimes(q url.Values) (ok bool) {
	hm := func(h, m string) (int, bool) {
		hs, ms := get(q, h), get(q, m)
		if hs == "" && ms == "" {
			return -1, true
		}
		hh, err1 := strconv.Atoi(cmp.Or(hs, "0"))
		mm, err2 := strconv.Atoi(cmp.Or(ms, "0"))
		if err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 {
			return -1, false
		}
		return hh*60 + mm, true
	}
	if s.StartsAfter, ok = hm("StartsAfterH", "StartsAfterM"); !ok {
		return false
	}
	if s.StartsBefore, ok = hm("StartsBeforeH", "StartsBeforeM"); !ok {
		return false
	}
	s.EndsBefore, ok = hm("EndsBeforeH", "EndsBeforeM")
	return ok
}

// parseText reads SearchString: a list of meeting ids, or a text of at
// least three characters.
func (s *Search) parseText(q url.Values) bool {
	text := get(q, "SearchString")
	switch {
	case text == "":
	case isIDList(text):
		if s.IDs == nil {
			s.IDs = map[int64]bool{}
		}
		for _, p := range strings.Split(text, ",") {
			n, _ := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
			s.IDs[n] = true
		}
	case len([]rune(text)) >= 3:
		s.Text = strings.ToLower(text)
	}
	return true
}

// parseGeo reads the point (lat_val, long_val) and geo_width (miles) or
// geo_width_km: a radius, or when negative the number of nearest meetings.
func (s *Search) parseGeo(q url.Values) bool {
	lat, lng := get(q, "lat_val"), get(q, "long_val")
	if lat == "" || lng == "" {
		return true
	}
	la, err1 := strconv.ParseFloat(lat, 64)
	lo, err2 := strconv.ParseFloat(lng, 64)
	if err1 != nil || err2 != nil || math.IsNaN(la) || math.IsNaN(lo) || la < -90 || la > 90 || lo < -180 || lo > 180 {
		return false
	}
	s.HasPoint, s.Lat, s.Lng = true, la, lo
	width, perUnit := get(q, "geo_width"), 1.609344
	s.Miles = true
	if width == "" {
		width, perUnit, s.Miles = get(q, "geo_width_km"), 1, false
	}
	if width == "" {
		return true
	}
	w, err := strconv.ParseFloat(width, 64)
	if err != nil || math.IsNaN(w) || math.IsInf(w, 0) {
		return false
	}
	s.hasGeoWidth = true
	if w < 0 {
		s.Nearest = int(math.Ceil(-w))
	} else {
		s.WidthKM = w * perUnit
	}
	return true
}

// parsePaging reads sort_results_by_distance, page_size and page_num.
func (s *Search) parsePaging(q url.Values) bool {
	s.SortByDistance = flag(q, "sort_results_by_distance")
	for _, p := range []struct {
		name string
		dst  *int
	}{{"page_size", &s.PageSize}, {"page_num", &s.PageNum}} {
		if v := get(q, p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return false
			}
			*p.dst = n
		}
	}
	return true
}

// sortKeyPresets are the field lists of the older sort_key parameter.
var sortKeyPresets = map[string][]string{
	"weekday":       {"weekday_tinyint", "start_time"},
	"time":          {"start_time", "weekday_tinyint"},
	"town":          {"location_municipality", "weekday_tinyint", "start_time"},
	"state":         {"location_province", "location_municipality", "weekday_tinyint", "start_time"},
	"weekday_state": {"weekday_tinyint", "location_province", "location_municipality", "start_time"},
}

// parseFields reads data_field_key (the fields to return) and sort_keys,
// or the older sort_key preset.
func (s *Search) parseFields(q url.Values) {
	s.DataFields = List(q, "data_field_key")
	for _, f := range s.DataFields {
		if f == "distance_in_km" || f == "distance_in_miles" {
			s.wantDistance = true
		}
	}
	s.SortKeys = List(q, "sort_keys")
	if len(s.SortKeys) == 0 {
		s.SortKeys = slices.Clone(sortKeyPresets[get(q, "sort_key")])
	}
}

func isIDList(s string) bool {
	for _, p := range strings.Split(s, ",") {
		if _, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64); err != nil {
			return false
		}
	}
	return true
}

// Days returns the meeting.Weekdays the search is limited to (nil for
// all), for narrowing the database query.
func (s *Search) Days() []meeting.Weekday {
	var out []meeting.Weekday
	for d := 1; d <= 7; d++ {
		if (s.Weekdays == nil || s.Weekdays[d]) && !s.NotWeekdays[d] {
			out = append(out, meeting.Weekday(d-1))
		}
	}
	if len(out) == 7 {
		return nil
	}
	if out == nil {
		return []meeting.Weekday{} // nothing can match
	}
	return out
}

// Result is the outcome of a search: the meeting objects in order, and the
// formats they use (for get_used_formats), ordered by id.
type Result struct {
	Meetings []map[string]string
	Formats  []Format
}

// Run applies the search to ms, the candidate meetings (public, any order).
// bodies are the service bodies (from ServiceBodies) the meetings belong
// to; root is this server's BMLT root URL. Meetings by appointment are left
// out (a BMLT meeting always has a weekday and a time).
func (s *Search) Run(ms []meeting.Meeting, bodies []ServiceBody, root string) Result {
	names := map[string]string{}
	for _, b := range bodies {
		names[b.ID] = b.Name
	}
	services := s.Services
	if services != nil && s.Recursive {
		services = Descendants(bodies, services)
	}
	geo := s.HasPoint && (s.hasGeoWidth || s.wantDistance || s.SortByDistance)
	var rows []row
	for i := range ms {
		m := &ms[i]
		body := MeetingServiceBody(m.Source, m.Location.Regions)
		if !s.matches(m, body, services) {
			continue
		}
		r := row{id: m.ID}
		if geo {
			if !m.Location.HasPoint {
				continue
			}
			r.dist = arcDegrees(s.Lat, s.Lng, m.Location.Lat(), m.Location.Lng())
			if s.WidthKM > 0 && r.dist*kmPerDegree > s.WidthKM {
				continue
			}
		}
		r.fields = Fields(m, body, names[body], root)
		if geo {
			r.fields["distance_in_km"] = strconv.FormatFloat(r.dist*kmPerDegree, 'f', -1, 64)
			r.fields["distance_in_miles"] = strconv.FormatFloat(r.dist*milesPerDegree, 'f', -1, 64)
		}
		rows = append(rows, r)
	}
	rows = s.page(s.order(rows, geo))
	return s.result(rows)
}

// row is one meeting a search keeps: its fields, its distance from the
// search point in degrees of arc, and its id.
type row struct {
	fields map[string]string
	dist   float64
	id     int64
}

// matches applies every constraint but the geographic ones to m, whose
// service body is body; services are the bodies asked for (nil: any).
func (s *Search) matches(m *meeting.Meeting, body string, services map[string]bool) bool {
	if m.ByAppointment || !m.Start.Valid() {
		return false
	}
	if s.IDs != nil && !s.IDs[m.ID] {
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
	if (services != nil && !services[body]) || s.NotServices[body] {
		return false
	}
	if !s.formatsMatch(m) {
		return false
	}
	start := int(m.Start)
	switch {
	case s.StartsAfter >= 0 && start <= s.StartsAfter,
		s.StartsBefore >= 0 && start >= s.StartsBefore,
		s.EndsBefore >= 0 && start+int(m.Duration().Minutes()) > s.EndsBefore:
		return false
	}
	return s.Text == "" || textMatch(m, s.Text)
}

// order keeps the N nearest rows when asked, then sorts by distance or by
// the sort keys (weekday, start time and duration by default), id last.
func (s *Search) order(rows []row, geo bool) []row {
	byDistance := func(a, b row) int { return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.id, b.id)) }
	if geo && s.Nearest > 0 {
		slices.SortStableFunc(rows, byDistance)
		if len(rows) > s.Nearest {
			rows = rows[:s.Nearest]
		}
	}
	if geo && s.SortByDistance {
		slices.SortStableFunc(rows, byDistance)
		return rows
	}
	keys := s.SortKeys
	if len(keys) == 0 {
		keys = []string{"weekday_tinyint", "start_time", "duration_time"}
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		for _, k := range keys {
			if c := compareValues(a.fields[k], b.fields[k]); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.id, b.id)
	})
	return rows
}

// page cuts the page asked for (page_size, page_num from 1).
func (s *Search) page(rows []row) []row {
	if s.PageSize <= 0 {
		return rows
	}
	page := max(s.PageNum, 1)
	from := min((page-1)*s.PageSize, len(rows))
	to := min(from+s.PageSize, len(rows))
	return rows[from:to]
}

// result keeps the fields asked for (data_field_key) of each row and lists
// the formats the rows use, ordered by id.
func (s *Search) result(rows []row) Result {
	res := Result{Meetings: make([]map[string]string, 0, len(rows))}
	used := map[string]bool{}
	for _, r := range rows {
		for _, k := range strings.Split(r.fields["formats"], ",") {
			if k != "" {
				used[k] = true
			}
		}
		if len(s.DataFields) > 0 {
			kept := make(map[string]string, len(s.DataFields))
			for _, k := range s.DataFields {
				if v, ok := r.fields[k]; ok {
					kept[k] = v
				}
			}
			r.fields = kept
		}
		res.Meetings = append(res.Meetings, r.fields)
	}
	res.Formats = make([]Format, 0, len(used))
	for k := range used {
		res.Formats = append(res.Formats, NewFormat(k, s.Lang))
	}
	slices.SortFunc(res.Formats, func(a, b Format) int { return compareValues(a.ID, b.ID) })
	return res
}

// formatsMatch applies formats[] (AND by default, OR on request) and the
// excluded formats.
func (s *Search) formatsMatch(m *meeting.Meeting) bool {
	if s.Formats == nil && s.NotFormats == nil {
		return true
	}
	have := map[string]bool{}
	for _, k := range FormatKeys(m) {
		have[FormatID(k)] = true
	}
	for id := range s.NotFormats {
		if have[id] {
			return false
		}
	}
	if s.Formats == nil {
		return true
	}
	for id := range s.Formats {
		if have[id] && s.FormatsOr {
			return true
		}
		if !have[id] && !s.FormatsOr {
			return false
		}
	}
	return !s.FormatsOr
}

// textMatch reports whether the lower-cased text occurs in the meeting's
// name, place or comments.
func textMatch(m *meeting.Meeting, text string) bool {
	for _, v := range []string{m.Name, m.Location.Name, m.Location.Address, m.Location.City, m.Location.Region,
		m.Location.PostalCode, m.Location.FormattedAddress, m.Location.Notes, m.Notes, m.Group} {
		if strings.Contains(strings.ToLower(v), text) {
			return true
		}
	}
	return false
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
