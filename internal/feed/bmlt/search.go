package bmlt

import (
	"errors"
	"math"
	"net/url"
	"regexp"
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
	MinDuration, MaxDuration  int // minutes; -1 = unset
	// MeetingKey and MeetingKeyValues are meeting_key and the values of
	// meeting_key_value, as the key's field writes them (see keyValues).
	MeetingKey       string
	MeetingKeyValues []string
	Text             string // SearchString, lower-cased
	HasPoint         bool
	Lat, Lng         float64
	WidthKM          float64 // > 0: within this radius, in BMLT's km (111.111 a degree)
	// Nearest, with Auto, is N of geo_width=-N: the radius is the
	// smallest of BMLT's ladder (radiusLadder) that holds at least N
	// meetings, and every meeting within it is kept, ties included.
	Nearest                  int
	Auto                     bool
	Miles                    bool // the width was given in miles
	SortByDistance           bool
	PageSize, PageNum        int
	DataFields               []string
	SortKeys                 []string
	UsedFormats, FormatsOnly bool
	Lang                     string
	wantDistance             bool
	hasGeoWidth              bool
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

// maxNearest bounds N of geo_width=-N, so that a huge width cannot
// overflow an int; it is far more than any store holds.
const maxNearest = 1 << 40

// radiusLadder are the radii, in the width's unit (miles for geo_width,
// km for geo_width_km), that BMLT tries for geo_width=-N: it takes the
// smallest that holds at least N meetings, or the last.
var radiusLadder = []float64{0.0625, 0.125, 0.1875, 0.25, 0.4375, 0.5, 0.5625, 0.75, 0.8125, 1.0, 1.25, 1.5, 1.75,
	2.0, 2.25, 2.5, 2.75, 3.0, 3.25, 3.5, 3.75, 4.0, 4.25, 4.5, 4.75, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.0, 9.5,
	10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 17.5, 20.0, 22.5, 25.0, 27.5, 30.0, 35.0, 40.0, 45.0, 50.0, 60.0, 70.0, 80.0,
	90.0, 100.0, 150, 200}

// ladderRadius returns the smallest radius of radiusLadder that is at
// least d (a distance in the width's unit), or the last when d is beyond
// them all.
func ladderRadius(d float64) float64 {
	i, _ := slices.BinarySearch(radiusLadder, d)
	return radiusLadder[min(i, len(radiusLadder)-1)]
}

// ParseSearch reads the parameters of GetSearchResults as ParseRequest
// does; ok is false when a parameter is malformed or not valid.
func ParseSearch(q url.Values) (s Search, ok bool) {
	s, ok, err := ParseRequest(q)
	return s, ok && err == nil
}

// ParseRequest reads the parameters of GetSearchResults as BMLT servers
// read them. ok is false when BMLT answers the request with an empty
// array: a point with one coordinate or without a width (geo_width,
// geo_width_km, or a distance field asked for), a latitude or longitude
// out of range, meeting_key without a usable meeting_key_value,
// advanced_published other than 1 or 0 (unpublished meetings are not
// public); the handler does so too. Values BMLT ignores are ignored: list
// values that are no integer, a page_size that is no number, an hour or
// minute that is no number (others are clamped to 0–23 and 0–59). err is a
// KindInvalid *meeting.Error, naming each parameter, when sort_keys or
// data_field_key name a field that is not one of ObjectKeys or name one
// twice, or when page_size is above MaxPageSize: such a request would make
// every meeting be sorted or built field by field for nothing, so it is
// refused (where BMLT ignores unknown fields).
func ParseRequest(q url.Values) (s Search, ok bool, err error) {
	s = Search{StartsAfter: -1, StartsBefore: -1, EndsBefore: -1, MinDuration: -1, MaxDuration: -1, Lang: "en"}
	problems := s.parseFields(q)
	s.parsePaging(q)
	if s.PageSize > MaxPageSize {
		problems["page_size"] = "must be at most " + strconv.Itoa(MaxPageSize)
	}
	if len(problems) > 0 {
		return s, false, &meeting.Error{Kind: meeting.KindInvalid, Op: "bmlt.ParseRequest",
			Message: "some GetSearchResults parameters are not valid", Fields: problems}
	}
	for _, l := range List(q, "lang_enum") {
		if slices.Contains(Languages, l) {
			s.Lang = l // the formats' language; another falls back on "en"
			break
		}
	}
	for _, step := range []func(*Search, url.Values) bool{
		(*Search).parseSets, (*Search).parseMeetingKey, (*Search).parseTimes, (*Search).parseGeo,
		(*Search).parseText, (*Search).parsePublished,
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
	// BMLT: AND when it says AND (or is not given), else OR.
	op := get(q, "formats_comparison_operator")
	s.FormatsOr = op != "" && !strings.EqualFold(op, "AND")
	s.Services, s.NotServices = stringSets(List(q, "services"))
	s.Recursive = get(q, "recursive") == "1"
	return true
}

// numeric reports whether s is a number as PHP's is_numeric reads one
// (decimal, with an optional sign, fraction and exponent, and surrounding
// spaces), which BMLT asks of its numeric parameters, and returns it.
func numeric(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if !numericText.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil || errors.Is(err, strconv.ErrRange)
}

// numericText is the text of a PHP numeric string, without its spaces.
var numericText = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$`)

// clock reads an hour and a minute parameter as BMLT's build_time_string:
// unset (-1) unless one of them is a number; each that is a number is
// truncated and clamped to 0–23 or 0–59, the other counts as 0.
func clock(q url.Values, hour, minute string) int {
	h, hok := numeric(q.Get(hour))
	m, mok := numeric(q.Get(minute))
	if !hok && !mok {
		return -1
	}
	clamp := func(f float64, ok bool, hi int) int {
		if !ok || math.IsNaN(f) {
			return 0
		}
		return int(math.Max(0, math.Min(float64(hi), math.Trunc(f))))
	}
	return clamp(h, hok, 23)*60 + clamp(m, mok, 59)
}

// parseTimes reads StartsAfter, StartsBefore, EndsBefore, MinDuration and
// MaxDuration, each given as an hour and a minute parameter (see clock).
func (s *Search) parseTimes(q url.Values) bool {
	s.StartsAfter = clock(q, "StartsAfterH", "StartsAfterM")
	s.StartsBefore = clock(q, "StartsBeforeH", "StartsBeforeM")
	s.EndsBefore = clock(q, "EndsBeforeH", "EndsBeforeM")
	s.MinDuration = clock(q, "MinDurationH", "MinDurationM")
	s.MaxDuration = clock(q, "MaxDurationH", "MaxDurationM")
	return true
}

// mainIntKeys are the keys of integer columns in BMLT's meetings table,
// which meeting_key compares as numbers; mainKeys are all the keys of
// that table that meeting_key can match (BMLT matches nothing for
// formats, latitude and longitude), and templateKeys those of its data
// fields. Other keys match nothing.
var (
	mainIntKeys  = map[string]bool{"id_bigint": true, "service_body_bigint": true, "venue_type": true, "published": true}
	mainKeys     = map[string]bool{"worldid_mixed": true, "weekday_tinyint": true, "start_time": true, "duration_time": true, "time_zone": true, "lang_enum": true, "email_contact": true}
	templateKeys = map[string]bool{}
)

func init() {
	for k := range mainIntKeys {
		mainKeys[k] = true
	}
	for _, k := range ObjectKeys[slices.Index(ObjectKeys, "meeting_name"):] {
		templateKeys[k] = true
	}
}

// parseMeetingKey reads meeting_key and meeting_key_value (one value or
// several, as meeting_key_value[]=; not a comma list), as BMLT reads them:
// a weekday counts from 1 = Sunday, a time is "HH:MM" or "HH:MM:SS", an
// integer field compares as a number. It reports false, an empty answer,
// when meeting_key is given without a value that can match.
func (s *Search) parseMeetingKey(q url.Values) bool {
	key := get(q, "meeting_key")
	if key == "" {
		return true
	}
	s.MeetingKey = key
	for _, v := range slices.Concat(q["meeting_key_value"], q["meeting_key_value[]"]) {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		switch {
		case key == "weekday_tinyint" || mainIntKeys[key]:
			v = strconv.FormatInt(intval(v), 10)
		case key == "start_time" || key == "duration_time":
			h, m, found := strings.Cut(v, ":")
			if !found {
				continue
			}
			m, _, _ = strings.Cut(m, ":")
			c := clock(url.Values{"h": {h}, "m": {m}}, "h", "m")
			if c < 0 {
				continue // neither part a number
			}
			v = string(appendClock(nil, c))
		}
		s.MeetingKeyValues = append(s.MeetingKeyValues, v)
	}
	return len(s.MeetingKeyValues) > 0
}

// keyMatches reports whether m's value of the meeting_key field is one of
// the values asked for: exactly for numbers and times, ignoring case for
// text (as BMLT's database collation compares it).
func (s *Search) keyMatches(m *meeting.Meeting, b meetingBody) bool {
	key := s.MeetingKey
	if !mainKeys[key] && !templateKeys[key] {
		return false
	}
	v, _ := field(m, key, b)
	if v == "" {
		return false
	}
	exact := mainIntKeys[key] || key == "weekday_tinyint" || key == "start_time" || key == "duration_time"
	for _, want := range s.MeetingKeyValues {
		if v == want || (!exact && strings.EqualFold(v, want)) {
			return true
		}
	}
	return false
}

// parseText reads SearchString: a list of meeting ids, or a text of at
// least three characters whose every word a meeting must hold.
func (s *Search) parseText(q url.Values) bool {
	text := get(q, "SearchString")
	switch {
	case text == "":
	case isIDList(text):
		if s.IDs == nil {
			s.IDs = map[int64]bool{}
		}
		for _, p := range strings.Split(text, ",") {
			s.IDs[intval(p)] = true
		}
	case len([]rune(text)) >= 3:
		s.Text = strings.ToLower(text)
	}
	return true
}

// parsePublished reads advanced_published: 1 (the default) for the
// published meetings, 0 for all of them, which are the same here (only
// published meetings are public); anything else asks for the unpublished
// ones, of which there are none.
func (s *Search) parsePublished(q url.Values) bool {
	vs, given := q["advanced_published"]
	if !given {
		return true
	}
	v, ok := numeric(vs[len(vs)-1])
	return ok && (v == 1 || v == 0)
}

// parseGeo reads the point (lat_val, long_val) and geo_width (miles) or
// geo_width_km: a radius, or when negative the number of meetings the
// radius ladder must reach. As on BMLT servers, a point with one
// coordinate, or with no width (nor a distance field asked for), gives an
// empty answer; a coordinate that is no number is as if not given.
func (s *Search) parseGeo(q url.Values) bool {
	la, latOK := numeric(q.Get("lat_val"))
	lo, lngOK := numeric(q.Get("long_val"))
	if !latOK && !lngOK {
		return true
	}
	width, perUnit := q.Get("geo_width"), kmPerDegree/milesPerDegree
	w, widthOK := numeric(width)
	s.Miles = widthOK
	if !widthOK {
		w, widthOK = numeric(q.Get("geo_width_km"))
		perUnit = 1
	}
	if !latOK || !lngOK || (!widthOK && !s.wantDistance) {
		return false
	}
	if math.IsNaN(la) || math.IsNaN(lo) || la < -90 || la > 90 || lo < -180 || lo > 180 || math.IsInf(w, 0) {
		return false
	}
	s.HasPoint, s.Lat, s.Lng = true, la, lo
	if !widthOK {
		return true
	}
	s.hasGeoWidth = true
	switch n := math.Trunc(-w); {
	case w >= 0:
		s.WidthKM = w * perUnit
	case n == 0:
		// geo_width=-0.5: BMLT asks the ladder for at least 0 meetings,
		// its first radius.
		s.WidthKM = radiusLadder[0] * perUnit
	default:
		s.Auto, s.Nearest = true, int(math.Min(n, maxNearest))
	}
	return true
}

// parsePaging reads sort_results_by_distance, page_size and page_num; a
// page_size that is no number, or negative, means no paging (BMLT ignores
// it), a page_num that is no number the first page.
func (s *Search) parsePaging(q url.Values) {
	s.SortByDistance = flag(q, "sort_results_by_distance")
	size, ok := numeric(q.Get("page_size"))
	if !ok || size < 0 {
		return
	}
	s.PageSize = int(math.Min(size, math.MaxInt32))
	if n, ok := numeric(q.Get("page_num")); ok {
		s.PageNum = int(math.Max(math.Min(n, 1<<62), -1<<62))
	}
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

// isIDList reports whether s is a comma list of numbers (is_numeric each,
// as BMLT asks), which SearchString takes as meeting ids.
func isIDList(s string) bool {
	for _, p := range strings.Split(s, ",") {
		if _, ok := numeric(p); !ok {
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

// RadiusKM returns the radius, in BMLT's kilometres (111.111 a degree),
// beyond which the search keeps no meeting: the width, or for
// geo_width=-N the last radius of the ladder; 0 when it has none.
func (s *Search) RadiusKM() float64 {
	if s.Auto {
		return radiusLadder[len(radiusLadder)-1] * kmPerDegree / s.unitsPerDegree()
	}
	return s.WidthKM
}

// Geo reports whether the search is geographic: it has a point and a
// width (geo_width, geo_width_km), or asks for the distance fields. Only
// meetings with a point are then found, each with its distance.
func (s *Search) Geo() bool {
	return s.HasPoint && (s.hasGeoWidth || s.wantDistance)
}
