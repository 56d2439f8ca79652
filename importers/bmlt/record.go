package bmlt

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// codes gathers what a record's formats say: vocabulary types, the venue
// formats, and the formats that could not be mapped.
type codes struct {
	types    map[string]bool
	virtual  bool     // VM
	hybrid   bool     // HYBR (HY)
	closed   bool     // TC: the location is temporarily closed
	unknown  []string // codes kept verbatim that the vocabulary does not know
	unmapped []string // formats dropped, with why
}

func (c *codes) add(code string) {
	if c.types == nil {
		c.types = map[string]bool{}
	}
	c.types[code] = true
}

// addFormat maps one format by its world_id; key and name (the local
// key_string and name) are used only for LANG formats and in reports.
func (c *codes) addFormat(f Format) {
	w := strings.ToUpper(strings.TrimSpace(f.WorldID))
	switch {
	case w == "VM":
		c.virtual = true
	case w == "HYBR" || w == "HY":
		c.hybrid = true
	case w == "TC":
		c.closed = true
		c.add("TC")
	case w == "LANG" || (w == "" && strings.EqualFold(f.Type, "LANG")):
		if code, ok := meeting.LanguageType(strings.ToLower(f.KeyString)); ok {
			c.add(code)
		} else if code, ok := meeting.NormalizeType(f.Name); ok && meeting.IsLanguageType(code) {
			c.add(code)
		} else {
			c.unmapped = append(c.unmapped, fmt.Sprintf("%s (language not recognised)", label(f)))
		}
	case w == "":
		c.unmapped = append(c.unmapped, fmt.Sprintf("%s (no world_id)", label(f)))
	default:
		if code, ok := meeting.WorldIDType(w); ok {
			c.add(code)
			return
		}
		v := strings.TrimSpace(f.WorldID)
		if len(v) > 32 || strings.ContainsAny(v, " \t\r\n,") {
			c.unmapped = append(c.unmapped, fmt.Sprintf("%s (world_id %q is not a code)", label(f), excerpt(v, 40)))
			return
		}
		c.add(v)
		if _, known := meeting.LookupType(v); !known && !contains(c.unknown, v) {
			c.unknown = append(c.unknown, v)
		}
	}
}

// addReservedKey handles a key_string that no catalog format explains: the
// venue key_strings VM, HY and TC are reserved on every BMLT server; any
// other local code means nothing without its server's format list, and is
// dropped rather than guessed (B is Beginners there, Big Book here).
func (c *codes) addReservedKey(key string) {
	switch key {
	case "VM":
		c.addFormat(Format{KeyString: key, WorldID: "VM"})
	case "HY":
		c.addFormat(Format{KeyString: key, WorldID: "HYBR"})
	case "TC":
		c.addFormat(Format{KeyString: key, WorldID: "TC"})
	default:
		c.unmapped = append(c.unmapped, fmt.Sprintf("%s (not in the format list)", excerpt(key, 40)))
	}
}

// list returns the types, sorted.
func (c *codes) list() []string {
	if len(c.types) == 0 {
		return nil
	}
	out := make([]string, 0, len(c.types))
	for t := range c.types {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// report returns the reason of the record's one "types" flag, or "".
func (c *codes) report() string {
	var parts []string
	if len(c.unknown) > 0 {
		parts = append(parts, "unknown codes kept verbatim: "+strings.Join(c.unknown, ", "))
	}
	if len(c.unmapped) > 0 {
		parts = append(parts, "formats not mapped: "+strings.Join(c.unmapped, ", "))
	}
	return strings.Join(parts, "; ")
}

func label(f Format) string {
	s := excerpt(f.KeyString, 40)
	if s == "" {
		s = "id " + excerpt(f.ID, 20)
	}
	if f.Name != "" {
		s += " " + excerpt(f.Name, 60)
	}
	return s
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// draft is one record on its way to a meeting: the fields already mapped,
// the raw values whose meaning depends on each other (venue, point, online
// details), and the reasons collected so far.
type draft struct {
	record  int
	raw     string // excerpt for problems; see rawJSON
	rawJSON []byte // the record's JSON, cut into raw only when a problem needs it
	m       meeting.Meeting
	reject  meeting.FieldErrors
	flags   []meeting.Problem
	codes   codes
	venue   string // venue_type as sent: "1", "2", "3" or ""
	lat     string
	lng     string
	link    string
	phone   string
	info    string // virtual_meeting_additional_info
	skip    string // a reason the record is not a listing to import (deleted, unpublished)
	noName  bool
	program meeting.Program
}

func newDraft(record int, raw string, opts Options) *draft {
	return &draft{
		record: record,
		raw:    raw,
		reject: meeting.FieldErrors{},
		m: meeting.Meeting{
			Source:  opts.Source,
			Program: opts.Program,
			Status:  meeting.StatusPublished,
			Start:   meeting.NoClock,
			End:     meeting.NoClock,
		},
		program: opts.Program,
	}
}

func (d *draft) flag(field, reason string) {
	d.flags = append(d.flags, meeting.Problem{Field: field, Reason: reason})
}

// setDay reads a weekday already turned into 0–6, or records why not.
func (d *draft) setDay(day int, ok bool, field, raw string, want string) {
	if !ok || day < 0 || day > 6 {
		d.m.Day = -1
		d.reject.Add("day", fmt.Sprintf("%s %q is not a weekday (want %s)", field, excerpt(raw, 40), want))
		return
	}
	d.m.Day = meeting.Weekday(day)
}

// setDuration sets End from a BMLT duration; an empty or zero duration
// leaves End unknown, an unreadable one is flagged.
func (d *draft) setDuration(s string) {
	s = strings.TrimSpace(s)
	if s == "" || !d.m.Start.Valid() {
		return
	}
	dur, ok := parseDuration(s)
	if !ok || dur > 24*time.Hour {
		d.flag("end_time", fmt.Sprintf("duration_time %q is not a duration (want HH:MM:SS up to 24:00:00); end time left unknown", excerpt(s, 40)))
		return
	}
	if dur == 0 {
		return
	}
	d.m.End = meeting.Clock((int(d.m.Start) + int(dur/time.Minute)) % (24 * 60))
}

// setTimeZone keeps an IANA zone name; anything else is dropped and flagged,
// and the ingest layer applies the source's default zone.
func (d *draft) setTimeZone(s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	if _, err := time.LoadLocation(s); err != nil || s == "Local" || strings.Contains(s, "..") {
		d.flag("timezone", fmt.Sprintf("%q is not an IANA time zone; left unknown", excerpt(s, 60)))
		return
	}
	d.m.TimeZone = s
}

// hasStreet reports whether the record names a street address.
func (d *draft) hasStreet() bool { return strings.TrimSpace(d.m.Location.Address) != "" }

// finish settles online details, types, attendance and the point, validates
// the meeting and returns it with its problems; ok is false when the record
// is rejected (the problems then say why, one per field).
func (d *draft) finish(defaultPoint *orb.Point) (meeting.Meeting, []meeting.Problem, bool) {
	m := &d.m
	if d.skip != "" {
		return *m, d.problems(meeting.Rejected, []meeting.Problem{{Field: "status", Reason: d.skip}}), false
	}

	// Online details.
	if link := strings.TrimSpace(d.link); link != "" {
		if u, err := url.Parse(link); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			d.flag("online.url", fmt.Sprintf("virtual_meeting_link %q is not an http or https URL; dropped", excerpt(link, 80)))
		} else {
			m.Online.URL = link
		}
	}
	m.Online.Phone = strings.TrimSpace(d.phone)
	if info := strings.TrimSpace(d.info); info != "" {
		if m.Online.URL == "" && m.Online.Phone != "" {
			m.Online.PhoneNote = info
		} else {
			m.Online.URLNotes = info
		}
	}
	hasOnline := m.Online.URL != "" || m.Online.Phone != ""

	// Types and attendance.
	m.Types = d.codes.list()
	if r := d.codes.report(); r != "" {
		d.flag("types", r)
	}
	m.Attendance = d.attendance(hasOnline)

	// Point.
	d.setPoint(defaultPoint)

	// Name.
	if strings.TrimSpace(m.Name) == "" {
		m.Name = fallbackName(d.program)
		d.flag("name", fmt.Sprintf("meeting_name is empty; listed as %q", m.Name))
	}

	// What no store can hold (a NUL, bytes that are not UTF-8) is removed
	// record by record; Validate rejects whatever is left over.
	for _, f := range m.Clean() {
		d.flag(f, "held NUL characters or bytes that are not UTF-8; they were removed")
	}
	if err := m.Validate(); err != nil {
		var e *meeting.Error
		if errors.As(err, &e) {
			for f, r := range e.Fields {
				d.reject.Add(f, r)
			}
		} else {
			d.reject.Add("", err.Error())
		}
	}
	if len(d.reject) > 0 {
		fields := make([]string, 0, len(d.reject))
		for f := range d.reject {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		ps := make([]meeting.Problem, 0, len(fields))
		for _, f := range fields {
			ps = append(ps, meeting.Problem{Field: f, Reason: d.reject[f]})
		}
		return *m, d.problems(meeting.Rejected, ps), false
	}
	return *m, d.problems(meeting.Flagged, d.flags), true
}

// attendance decides how people take part. An explicit venue_type wins; a
// record without one (older servers, NAWS exports) is read from the venue
// formats and the join details, as Meeting Guide readers do. A temporarily
// closed location (TC) takes away the place: online if there is a way in,
// inactive otherwise.
func (d *draft) attendance(hasOnline bool) meeting.Attendance {
	var a meeting.Attendance
	switch d.venue {
	case "1":
		a = meeting.AttendanceInPerson
	case "2":
		a = meeting.AttendanceOnline
	case "3":
		a = meeting.AttendanceHybrid
	default:
		if d.venue != "" {
			d.flag("attendance", fmt.Sprintf("venue_type %q is not 1, 2 or 3; read from the formats instead", excerpt(d.venue, 20)))
		}
		switch {
		case d.codes.hybrid:
			a = meeting.AttendanceHybrid
		case d.codes.virtual:
			a = meeting.AttendanceOnline
		case hasOnline && d.hasStreet():
			a = meeting.AttendanceHybrid
		case hasOnline:
			a = meeting.AttendanceOnline
		default:
			a = meeting.AttendanceInPerson
		}
	}
	if d.codes.closed && a != meeting.AttendanceOnline {
		if hasOnline {
			a = meeting.AttendanceOnline
		} else {
			a = meeting.AttendanceInactive
		}
	}
	return a
}

// setPoint reads latitude and longitude once attendance is known. A point
// that is not a real place (missing, unreadable, 0,0, the server's default
// or BMLT's stock default, StockDefaultPoint) is dropped and flagged; an online meeting's location is only ever a
// locality, so it is marked approximate.
func (d *draft) setPoint(defaultPoint *orb.Point) {
	loc := &d.m.Location
	online := d.m.Attendance == meeting.AttendanceOnline
	if online {
		loc.Approximate = true
	}
	latS, lngS := strings.TrimSpace(d.lat), strings.TrimSpace(d.lng)
	if latS == "" && lngS == "" {
		if d.m.Attendance.HasPlace() {
			d.flag("location", "no latitude/longitude")
		}
		return
	}
	lat, lng, ok := parseLatLng(latS, lngS)
	switch {
	case !ok:
		d.flag("location", fmt.Sprintf("latitude %q, longitude %q is not a point; dropped", excerpt(latS, 30), excerpt(lngS, 30)))
	case lat == 0 && lng == 0 && online:
		d.flag("location", "0,0 on a virtual meeting, not a real location; dropped")
	case lat == 0 && lng == 0:
		d.flag("location", "0,0 is not a meeting place (null island); dropped")
	case defaultPoint != nil && near(*defaultPoint, orb.Point{lng, lat}) && online:
		d.flag("location", "the server's default point (its map centre) on a virtual meeting, not a real location; dropped")
	case defaultPoint != nil && near(*defaultPoint, orb.Point{lng, lat}):
		d.flag("location", "the server's default point (its map centre), not a geocoded place; dropped")
	case near(StockDefaultPoint, orb.Point{lng, lat}) && online:
		d.flag("location", "BMLT's stock default point (34.235918,-118.563659, in Los Angeles) on a virtual meeting, not a real location; dropped")
	case near(StockDefaultPoint, orb.Point{lng, lat}):
		d.flag("location", "BMLT's stock default point (34.235918,-118.563659, in Los Angeles), not a geocoded place; dropped")
	default:
		loc.Point = orb.Point{lng, lat}
		loc.HasPoint = true
	}
}

// StockDefaultPoint is the map centre a BMLT server starts with,
// [lon, lat]: 34.235918, -118.563659, in Los Angeles. Servers whose
// operators never changed it create meetings there, and give virtual
// meetings without a venue that point; it is never taken as a meeting's
// place, whatever GetServerInfo says.
var StockDefaultPoint = orb.Point{-118.563659, 34.235918}

// near reports whether a and b are the same point, written with fewer or
// more decimals (within about a metre).
func near(a, b orb.Point) bool {
	return math.Abs(a[0]-b[0]) < 1e-5 && math.Abs(a[1]-b[1]) < 1e-5
}

// fallbackName names a meeting whose record has no name. BMLT lets a service
// body save a meeting without one; the day, time and place are what a member
// needs, so the meeting is kept under a plain name (as TSML UI shows
// "Unnamed meeting") and flagged.
func fallbackName(p meeting.Program) string {
	switch p {
	case meeting.ProgramNA:
		return "NA Meeting"
	case meeting.ProgramAA:
		return "AA Meeting"
	case meeting.ProgramSMART:
		return "SMART Recovery Meeting"
	}
	return "Meeting"
}

// problems stamps the record's position, id, name and raw excerpt on ps.
func (d *draft) problems(sev meeting.Severity, ps []meeting.Problem) []meeting.Problem {
	if len(ps) == 0 {
		return nil
	}
	if d.raw == "" && d.rawJSON != nil {
		d.raw = rawExcerpt(d.rawJSON)
	}
	out := make([]meeting.Problem, len(ps))
	for i, p := range ps {
		p.Record = d.record
		p.ExternalID = d.m.ExternalID
		p.Name = excerpt(d.m.Name, meeting.MaxNameLen)
		p.Severity = sev
		p.Raw = d.raw
		if p.Reason == "" {
			p.Reason = "invalid"
		}
		out[i] = p
	}
	return out
}

// formattedAddress joins address parts as "street, city, ST 12345, country".
func formattedAddress(street, city, region, postal, country string) string {
	var parts []string
	for _, p := range []string{street, city, strings.TrimSpace(region + " " + postal), country} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// excerpt returns s cut to at most n characters, as valid UTF-8.
func excerpt(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}
