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

// list returns the values of an array parameter given as name[]=, name=, or
// a comma list in either.
func list(q url.Values, name string) []string {
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
	if ids := list(q, "meeting_ids"); len(ids) > 0 {
		s.IDs = map[int64]bool{}
		for _, v := range ids {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return s, false
			}
			s.IDs[n] = true
		}
	}
	if s.Weekdays, s.NotWeekdays, ok = intSets(list(q, "weekdays")); !ok {
		return s, false
	}
	if s.Venues, s.NotVenues, ok = intSets(list(q, "venue_types")); !ok {
		return s, false
	}
	if s.Formats, s.NotFormats, ok = stringSets(list(q, "formats")); !ok {
		return s, false
	}
	s.FormatsOr = strings.EqualFold(get(q, "formats_comparison_operator"), "OR")
	if s.Services, s.NotServices, ok = stringSets(list(q, "services")); !ok {
		return s, false
	}
	s.Recursive = flag(q, "recursive")
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
		return s, false
	}
	if s.StartsBefore, ok = hm("StartsBeforeH", "StartsBeforeM"); !ok {
		return s, false
	}
	if s.EndsBefore, ok = hm("EndsBeforeH", "EndsBeforeM"); !ok {
		return s, false
	}
	if text := get(q, "SearchString"); text != "" {
		if isIDList(text) {
			if s.IDs == nil {
				s.IDs = map[int64]bool{}
			}
			for _, p := range strings.Split(text, ",") {
				n, _ := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
				s.IDs[n] = true
			}
		} else if len([]rune(text)) >= 3 {
			s.Text = strings.ToLower(text)
		}
	}
	lat, lng := get(q, "lat_val"), get(q, "long_val")
	if lat != "" && lng != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lng, 64)
		if err1 != nil || err2 != nil || math.IsNaN(la) || math.IsNaN(lo) || la < -90 || la > 90 || lo < -180 || lo > 180 {
			return s, false
		}
		s.HasPoint, s.Lat, s.Lng = true, la, lo
		width, perUnit := get(q, "geo_width"), 1.609344
		s.Miles = true
		if width == "" {
			width, perUnit, s.Miles = get(q, "geo_width_km"), 1, false
		}
		if width != "" {
			w, err := strconv.ParseFloat(width, 64)
			if err != nil || math.IsNaN(w) || math.IsInf(w, 0) {
				return s, false
			}
			s.hasGeoWidth = true
			if w < 0 {
				s.Nearest = int(math.Ceil(-w))
			} else {
				s.WidthKM = w * perUnit
			}
		}
	}
	s.SortByDistance = flag(q, "sort_results_by_distance")
	for _, p := range []struct {
		name string
		dst  *int
	}{{"page_size", &s.PageSize}, {"page_num", &s.PageNum}} {
		if v := get(q, p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return s, false
			}
			*p.dst = n
		}
	}
	s.DataFields = list(q, "data_field_key")
	for _, f := range s.DataFields {
		if f == "distance_in_km" || f == "distance_in_miles" {
			s.wantDistance = true
		}
	}
	s.SortKeys = list(q, "sort_keys")
	if len(s.SortKeys) == 0 {
		switch get(q, "sort_key") {
		case "weekday":
			s.SortKeys = []string{"weekday_tinyint", "start_time"}
		case "time":
			s.SortKeys = []string{"start_time", "weekday_tinyint"}
		case "town":
			s.SortKeys = []string{"location_municipality", "weekday_tinyint", "start_time"}
		case "state":
			s.SortKeys = []string{"location_province", "location_municipality", "weekday_tinyint", "start_time"}
		case "weekday_state":
			s.SortKeys = []string{"weekday_tinyint", "location_province", "location_municipality", "start_time"}
		}
	}
	s.UsedFormats = flag(q, "get_used_formats")
	s.FormatsOnly = flag(q, "get_formats_only")
	return s, true
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
	type row struct {
		fields map[string]string
		dist   float64 // degrees of arc
		id     int64
	}
	var rows []row
	geo := s.HasPoint && (s.hasGeoWidth || s.wantDistance || s.SortByDistance)
	for i := range ms {
		m := &ms[i]
		if m.ByAppointment || !m.Start.Valid() {
			continue
		}
		if s.IDs != nil && !s.IDs[m.ID] {
			continue
		}
		day := int(m.Day) + 1
		if (s.Weekdays != nil && !s.Weekdays[day]) || s.NotWeekdays[day] {
			continue
		}
		venue := VenueType(m)
		if (s.Venues != nil && !s.Venues[venue]) || s.NotVenues[venue] {
			continue
		}
		body := MeetingServiceBody(m.Source, m.Location.Regions)
		if (services != nil && !services[body]) || s.NotServices[body] {
			continue
		}
		if !s.formatsMatch(m) {
			continue
		}
		start := int(m.Start)
		if s.StartsAfter >= 0 && start <= s.StartsAfter {
			continue
		}
		if s.StartsBefore >= 0 && start >= s.StartsBefore {
			continue
		}
		if s.EndsBefore >= 0 && start+int(m.Duration().Minutes()) > s.EndsBefore {
			continue
		}
		if s.Text != "" && !textMatch(m, s.Text) {
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
	if geo && s.Nearest > 0 {
		slices.SortStableFunc(rows, func(a, b row) int { return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.id, b.id)) })
		if len(rows) > s.Nearest {
			rows = rows[:s.Nearest]
		}
	}
	if geo && s.SortByDistance {
		slices.SortStableFunc(rows, func(a, b row) int { return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.id, b.id)) })
	} else {
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
	}
	if s.PageSize > 0 {
		page := max(s.PageNum, 1)
		from := min((page-1)*s.PageSize, len(rows))
		to := min(from+s.PageSize, len(rows))
		rows = rows[from:to]
	}
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
