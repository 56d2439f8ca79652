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
	IDs, NotIDs               map[int64]bool
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

// intval reads s as PHP's intval, which BMLT applies to its id and
// weekday lists: the integer s begins with (after any spaces and a sign),
// saturated at the int64 bounds; 0 when s does not begin with one.
func intval(s string) int64 {
	s = strings.TrimSpace(s)
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i {
		return 0
	}
	n, _ := strconv.ParseInt(s[:j], 10, 64) // out of range: saturated
	return n
}

// idSets splits BMLT list values into included (positive) and excluded
// (negative, negated) sets, each nil when empty. Values read as by intval,
// so one that is no integer (0) is ignored, as BMLT ignores it.
func idSets(vals []string) (in, out map[int64]bool) {
	for _, v := range vals {
		switch n := intval(v); {
		case n > 0:
			if in == nil {
				in = map[int64]bool{}
			}
			in[n] = true
		case n < 0 && n != math.MinInt64:
			if out == nil {
				out = map[int64]bool{}
			}
			out[-n] = true
		}
	}
	return in, out
}

// intSets is idSets for small numbers (weekdays, venue types); values
// beyond an int32 match nothing and are kept as such.
func intSets(vals []string) (in, out map[int]bool) {
	a, b := idSets(vals)
	conv := func(m map[int64]bool) map[int]bool {
		if m == nil {
			return nil
		}
		s := make(map[int]bool, len(m))
		for k := range m {
			s[int(min(k, math.MaxInt32))] = true
		}
		return s
	}
	return conv(a), conv(b)
}

// stringSets is idSets with the ids as decimal strings (format and
// service body ids).
func stringSets(vals []string) (in, out map[string]bool) {
	a, b := idSets(vals)
	conv := func(m map[int64]bool) map[string]bool {
		if m == nil {
			return nil
		}
		s := make(map[string]bool, len(m))
		for k := range m {
			s[strconv.FormatInt(k, 10)] = true
		}
		return s
	}
	return conv(a), conv(b)
}

// MaxPageSize is the largest page_size GetSearchResults accepts.
const MaxPageSize = 1000

// maxNearest bounds N in a search for the N nearest meetings
// (geo_width=-N), so that a huge width cannot overflow an int; it is far
// more than any store holds.
const maxNearest = 1 << 40

// ParseSearch reads the parameters of GetSearchResults as ParseRequest
// does; ok is false when a parameter is malformed or not valid.
func ParseSearch(q url.Values) (s Search, ok bool) {
	s, ok, err := ParseRequest(q)
	return s, ok && err == nil
}

// ParseRequest reads the parameters of GetSearchResults. ok is false when
// a parameter is malformed (a weekday that is no number, a latitude out of
// range); BMLT servers answer such a request with an empty array rather
// than an error, and so does the handler. err is a KindInvalid
// *meeting.Error, naming each parameter, when sort_keys or data_field_key
// name a field that is not one of ObjectKeys or name one twice, or when
// page_size is above MaxPageSize: such a request would make every meeting
// be sorted or built field by field for nothing, so it is refused.
func ParseRequest(q url.Values) (s Search, ok bool, err error) {
	s = Search{StartsAfter: -1, StartsBefore: -1, EndsBefore: -1, Lang: "en"}
	problems := s.parseFields(q)
	paging := s.parsePaging(q)
	if paging && s.PageSize > MaxPageSize {
		problems["page_size"] = "must be at most " + strconv.Itoa(MaxPageSize)
	}
	if len(problems) > 0 {
		return s, false, &meeting.Error{Kind: meeting.KindInvalid, Op: "bmlt.ParseRequest",
			Message: "some GetSearchResults parameters are not valid", Fields: problems}
	}
	if !paging {
		return s, false, nil
	}
	if v := get(q, "lang_enum"); v == "es" {
		s.Lang = v
	}
	for _, step := range []func(*Search, url.Values) bool{
		(*Search).parseSets, (*Search).parseTimes, (*Search).parseText, (*Search).parseGeo,
	} {
		if !step(&s, q) {
			return s, false, nil
		}
	}
	s.UsedFormats = flag(q, "get_used_formats")
	s.FormatsOnly = flag(q, "get_formats_only")
	return s, true, nil
}

// parseSets reads the id, weekday, venue, format and service lists, as
// BMLT does: a negative value excludes, one that is no integer is
// ignored.
func (s *Search) parseSets(q url.Values) (ok bool) {
	s.IDs, s.NotIDs = idSets(List(q, "meeting_ids"))
	s.Weekdays, s.NotWeekdays = intSets(List(q, "weekdays"))
	s.Venues, s.NotVenues = intSets(List(q, "venue_types"))
	s.Formats, s.NotFormats = stringSets(List(q, "formats"))
	s.FormatsOr = strings.EqualFold(get(q, "formats_comparison_operator"), "OR")
	s.Services, s.NotServices = stringSets(List(q, "services"))
	s.Recursive = get(q, "recursive") == "1"
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
		s.Nearest = int(math.Min(math.Ceil(-w), maxNearest))
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

// sortKeyPresets are the field lists of the older sort_key parameter, as
// BMLT expands them.
var sortKeyPresets = map[string][]string{
	"weekday":       {"weekday_tinyint", "location_municipality", "location_city_subsection", "start_time", "location_neighborhood"},
	"time":          {"weekday_tinyint", "start_time", "location_municipality", "location_city_subsection", "location_neighborhood"},
	"town":          {"location_municipality", "location_city_subsection", "location_neighborhood", "weekday_tinyint", "start_time"},
	"state":         {"location_province", "location_municipality", "location_city_subsection", "weekday_tinyint", "start_time"},
	"weekday_state": {"weekday_tinyint", "location_province", "location_municipality", "start_time", "location_city_subsection"},
}

// objectKeys is the set of ObjectKeys.
var objectKeys = func() map[string]bool {
	m := make(map[string]bool, len(ObjectKeys))
	for _, k := range ObjectKeys {
		m[k] = true
	}
	return m
}()

// parseFields reads data_field_key (the fields to return) and sort_keys,
// or the older sort_key preset. It returns a reason for each of the two
// that names an unknown field or one field twice (empty when both are
// good).
func (s *Search) parseFields(q url.Values) map[string]string {
	problems := map[string]string{}
	var why string
	if s.DataFields, why = fieldList(List(q, "data_field_key")); why != "" {
		problems["data_field_key"] = why
	}
	for _, f := range s.DataFields {
		if f == "distance_in_km" || f == "distance_in_miles" {
			s.wantDistance = true
		}
	}
	if s.SortKeys, why = fieldList(List(q, "sort_keys")); why != "" {
		problems["sort_keys"] = why
	}
	if len(s.SortKeys) == 0 {
		s.SortKeys = slices.Clone(sortKeyPresets[get(q, "sort_key")])
	}
	return problems
}

// fieldList checks that keys are ObjectKeys, each at most once; it
// returns them, or why not. It stops at the first bad key, so a long list
// costs no more than its length.
func fieldList(keys []string) ([]string, string) {
	seen := make(map[string]bool, min(len(keys), len(ObjectKeys)))
	for _, k := range keys {
		switch {
		case !objectKeys[k]:
			return nil, "unknown field " + strconv.Quote(clip(k)) + "; the fields are the keys of a meeting object"
		case seen[k]:
			return nil, "the field " + strconv.Quote(k) + " is given more than once"
		}
		seen[k] = true
	}
	return keys, ""
}

// clip shortens s to at most 40 bytes for an error message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	return strings.ToValidUTF8(s[:40], "") + "…"
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

// vocabularyCodes maps the shared id of each vocabulary code with a fixed
// id (formatIDs, without the venue formats VM and HY, which come from the
// attendance) back to the code.
var vocabularyCodes = func() map[string]string {
	m := map[string]string{}
	for code, id := range formatIDs {
		if code != KeyVirtual && code != KeyHybrid {
			m[strconv.Itoa(id)] = code
		}
	}
	return m
}()

// Narrow returns base limited by the constraints of s that a meeting.Store
// applies exactly: the weekdays (Days), the meeting ids (IDs), the venue
// types (Attendance), the formats that must all be present and are
// vocabulary codes (Types), and the start times (StartAfter, StartBefore).
// Every meeting the search keeps passes the result; the search still
// applies all of its rules to what the store finds (formats with OR or
// negated, services, text, end times). ok is false when no meeting can
// match, so the store need not be asked. base's point, radius and sources
// are left as they are.
func (s *Search) Narrow(base meeting.Filter) (f meeting.Filter, ok bool) {
	f = base
	if days := s.Days(); days != nil {
		if len(days) == 0 {
			return f, false
		}
		f.Days = days
	}
	if s.IDs != nil {
		f.IDs = make([]int64, 0, len(s.IDs))
		for id := range s.IDs {
			f.IDs = append(f.IDs, id)
		}
		slices.Sort(f.IDs)
	}
	if s.Venues != nil || s.NotVenues != nil {
		for _, a := range meeting.Attendances {
			v := VenueType(&meeting.Meeting{Attendance: a})
			if (s.Venues == nil || s.Venues[v]) && !s.NotVenues[v] {
				f.Attendance = append(f.Attendance, a)
			}
		}
		if len(f.Attendance) == 0 {
			return f, false
		}
		if len(f.Attendance) == len(meeting.Attendances) {
			f.Attendance = nil
		}
	}
	if !s.FormatsOr || len(s.Formats) == 1 {
		for id := range s.Formats {
			if code, known := vocabularyCodes[id]; known {
				f.Types = append(f.Types, code)
			}
		}
		slices.Sort(f.Types)
	}
	// BMLT keeps starts after StartsAfter (exclusive), the store those at
	// or after StartAfter; whole minutes make the two the same.
	if s.StartsAfter >= 0 && meeting.Clock(s.StartsAfter+1).Valid() {
		c := meeting.Clock(s.StartsAfter + 1)
		f.StartAfter = &c
	}
	if s.StartsBefore >= 0 && meeting.Clock(s.StartsBefore).Valid() {
		c := meeting.Clock(s.StartsBefore)
		f.StartBefore = &c
	}
	return f, true
}

// Geo reports whether the search is geographic: it has a point and a
// width (geo_width, geo_width_km), or asks for the distance fields or the
// distance order. Only meetings with a point are then found, each with its
// distance.
func (s *Search) Geo() bool {
	return s.HasPoint && (s.hasGeoWidth || s.wantDistance || s.SortByDistance)
}
