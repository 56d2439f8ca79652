package httpapi

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
)

// MaxQueryLen is the longest q accepted, in characters.
const MaxQueryLen = 200

// ParseFilter reads the query parameters of GET /v1/meetings (and the
// routes that share its filters) into a meeting.Filter, one parser of
// filterParams per parameter; parameters it does not know are ignored. It
// returns a KindInvalid error naming every bad parameter.
func ParseFilter(q map[string][]string, now time.Time) (meeting.Filter, error) {
	p := &filterQuery{q: q, f: meeting.Filter{Now: now, RadiusKM: meeting.DefaultRadiusKM, Limit: meeting.DefaultLimit}}
	for _, param := range filterParams {
		if v := p.get(param.name); v != "" {
			param.parse(p, v)
		}
	}
	if err := p.bad.Err("httpapi.ParseFilter", "some query parameters are not valid"); err != nil {
		return meeting.Filter{}, err
	}
	return p.f, nil
}

// filterQuery is one ParseFilter call: the query, the filter being filled
// and the bad parameters found so far.
type filterQuery struct {
	q   map[string][]string
	f   meeting.Filter
	bad meeting.FieldErrors
}

// get returns the last value of parameter k, trimmed ("" when absent).
func (p *filterQuery) get(k string) string {
	if v := p.q[k]; len(v) > 0 {
		return strings.TrimSpace(v[len(v)-1])
	}
	return ""
}

// hasPoint reports whether the query gives a point (lat and lng together).
func (p *filterQuery) hasPoint() bool { return p.get("lat") != "" && p.get("lng") != "" }

// filterParam is the rule of one query parameter: its name and its parser.
type filterParam struct {
	name  string
	parse func(p *filterQuery, v string)
}

// filterParams is the rule of each query parameter ParseFilter knows: its
// parser gets the parameter's trimmed value, never empty, and fills the
// filter or adds a field error. A parser reads other parameters only
// through get, so the order of the table does not matter.
var filterParams = []filterParam{
	{"q", parseQ},
	{"lat", parseLat},
	{"lng", parseLng},
	{"radius_km", parseRadius},
	{"limit", parseLimit},
	{"day", parseDay},
	clockParam("start_after", func(f *meeting.Filter) **meeting.Clock { return &f.StartAfter }),
	clockParam("start_before", func(f *meeting.Filter) **meeting.Clock { return &f.StartBefore }),
	{"types", parseTypes},
	{"attendance", parseAttendance},
	{"program", parseProgram},
	{"source", parseSource},
	{"upcoming_hours", parseUpcoming},
	{"cursor", parseCursor},
}

// parseQ reads the free text, at most MaxQueryLen characters.
func parseQ(p *filterQuery, v string) {
	switch {
	case utf8.RuneCountInString(v) > MaxQueryLen:
		p.bad.Add("q", fmt.Sprintf("is longer than %d characters", MaxQueryLen))
	case len(search.Words(v)) > search.MaxTerms:
		p.bad.Add("q", fmt.Sprintf("has more than %d words", search.MaxTerms))
	}
	p.f.Q = v
}

// parseLat reads the latitude of the point, which needs lng too.
func parseLat(p *filterQuery, v string) {
	if p.get("lng") == "" {
		p.bad.Add("lng", "is required with lat")
		return
	}
	la, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(la) || la < -90 || la > 90 {
		p.bad.Add("lat", "must be a number from -90 to 90")
	}
	p.f.Point[1], p.f.HasPoint = la, true
}

// parseLng reads the longitude of the point, which needs lat too.
func parseLng(p *filterQuery, v string) {
	if p.get("lat") == "" {
		p.bad.Add("lat", "is required with lng")
		return
	}
	lo, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(lo) || lo < -180 || lo > 180 {
		p.bad.Add("lng", "must be a number from -180 to 180")
	}
	p.f.Point[0], p.f.HasPoint = lo, true
}

// parseRadius reads the search radius around the point, in kilometres.
func parseRadius(p *filterQuery, v string) {
	r, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil || !(r > 0 && r <= meeting.MaxRadiusKM):
		p.bad.Add("radius_km", fmt.Sprintf("must be a number above 0 and at most %g", meeting.MaxRadiusKM))
	case p.get("lat") == "" && p.get("lng") == "":
		p.bad.Add("radius_km", "needs lat and lng")
	default:
		p.f.RadiusKM = r
	}
}

// parseLimit reads the page size.
func parseLimit(p *filterQuery, v string) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > meeting.MaxLimit {
		p.bad.Add("limit", fmt.Sprintf("must be a whole number from 1 to %d", meeting.MaxLimit))
		return
	}
	p.f.Limit = n
}

// parseDay reads "today" (any case) or comma-separated weekdays 0 to 6.
func parseDay(p *filterQuery, v string) {
	if strings.EqualFold(v, "today") {
		p.f.Today = true
		return
	}
	for _, part := range strings.Split(v, ",") {
		d, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || d < 0 || d > 6 {
			p.bad.Add("day", "must be today or days 0 (Sunday) to 6 (Saturday), comma-separated")
			return
		}
		p.f.Days = append(p.f.Days, meeting.Weekday(d))
	}
}

// clockParam is the rule of a start time bound (HH:MM) called name, stored
// in the field dst returns.
func clockParam(name string, dst func(*meeting.Filter) **meeting.Clock) filterParam {
	return filterParam{name: name, parse: func(p *filterQuery, v string) {
		c, err := parseHHMM(v)
		if err != nil {
			p.bad.Add(name, "must be a time HH:MM (24-hour)")
			return
		}
		*dst(&p.f) = &c
	}}
}

// parseTypes reads comma-separated type codes or names; names are turned
// into their codes, and unknown values are kept as given.
func parseTypes(p *filterQuery, v string) {
	for _, t := range strings.Split(v, ",") {
		if t = strings.TrimSpace(t); t != "" {
			if code, ok := meeting.NormalizeType(t); ok {
				t = code
			}
			p.f.Types = append(p.f.Types, t)
		}
	}
}

// parseAttendance reads comma-separated attendance modes.
func parseAttendance(p *filterQuery, v string) {
	for _, a := range strings.Split(v, ",") {
		at := meeting.Attendance(strings.TrimSpace(a))
		if !at.Valid() {
			p.bad.Add("attendance", fmt.Sprintf("%q is not one of in_person, hybrid, online, inactive", a))
			return
		}
		p.f.Attendance = append(p.f.Attendance, at)
	}
}

// programList names every program, for messages.
var programList = func() string {
	s := make([]string, len(meeting.Programs))
	for i, p := range meeting.Programs {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}()

// parseProgram reads comma-separated programs.
func parseProgram(p *filterQuery, v string) {
	for _, s := range strings.Split(v, ",") {
		pr := meeting.Program(strings.TrimSpace(s))
		if !pr.Valid() {
			p.bad.Add("program", fmt.Sprintf("%q is not a program (%s)", s, programList))
			return
		}
		p.f.Programs = append(p.f.Programs, pr)
	}
}

// parseSource reads comma-separated source names.
func parseSource(p *filterQuery, v string) {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			p.f.Sources = append(p.f.Sources, s)
		}
	}
}

// parseUpcoming reads the window of upcoming_hours, at most a week.
func parseUpcoming(p *filterQuery, v string) {
	h, err := strconv.ParseFloat(v, 64)
	if err != nil || !(h > 0 && h <= 168) {
		p.bad.Add("upcoming_hours", "must be a number of hours above 0 and at most 168")
		return
	}
	p.f.UpcomingHours = h
}

// parseCursor reads next_cursor of an earlier page, which must belong to a
// query of the same kind: with a point or without, with q (text queries
// page by offset) or without.
func parseCursor(p *filterQuery, v string) {
	c, reason := decodeCursor(v, p.hasPoint())
	switch {
	case reason != "":
		p.bad.Add("cursor", reason)
	case c.Offset < 0 || c.Offset >= search.MaxResults:
		p.bad.Add("cursor", "is not a cursor returned by this API")
	case (c.Offset > 0) != (p.get("q") != ""):
		p.bad.Add("cursor", "belongs to a query with a different q; start again without cursor")
	}
	p.f.Cursor = c
}

// parseHHMM reads a strict "HH:MM" 24-hour time.
func parseHHMM(s string) (meeting.Clock, error) {
	if len(s) != 5 || s[2] != ':' {
		return meeting.NoClock, fmt.Errorf("want HH:MM")
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return meeting.NoClock, fmt.Errorf("want HH:MM")
	}
	return meeting.NewClock(h, m), nil
}
