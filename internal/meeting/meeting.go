// Package meeting is the domain at the centre of meetingfinder: the Meeting
// type and its parts (schedule, location, online join details), the type-code
// vocabulary and the matching of query words to it (TypeCodes, Fold),
// validation, the query Filter, the places people search near (Place,
// PlaceFinder), the Store contract that adapters implement, and the one
// error type with its kinds. It imports only the standard library and orb;
// every other package points at it.
package meeting

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Program names the fellowship or kind of group a meeting belongs to.
type Program string

// The programs meetingfinder knows.
const (
	ProgramAA                Program = "aa"
	ProgramNA                Program = "na"
	ProgramSMART             Program = "smart"
	ProgramAlAnon            Program = "al-anon"
	ProgramCelebrateRecovery Program = "celebrate-recovery"
	ProgramCA                Program = "ca"              // Cocaine Anonymous
	ProgramCMA               Program = "cma"             // Crystal Meth Anonymous
	ProgramOA                Program = "oa"              // Overeaters Anonymous
	ProgramSLAA              Program = "slaa"            // Sex and Love Addicts Anonymous
	ProgramGA                Program = "ga"              // Gamblers Anonymous
	ProgramCoDA              Program = "coda"            // Co-Dependents Anonymous
	ProgramACA               Program = "aca"             // Adult Children of Alcoholics
	ProgramDA                Program = "da"              // Debtors Anonymous
	ProgramMA                Program = "ma"              // Marijuana Anonymous
	ProgramHA                Program = "ha"              // Heroin Anonymous
	ProgramNarAnon           Program = "nar-anon"        // Nar-Anon Family Groups
	ProgramAlateen           Program = "alateen"         // Alateen
	ProgramRecoveryDharma    Program = "recovery-dharma" // Recovery Dharma
	ProgramRefugeRecovery    Program = "refuge-recovery" // Refuge Recovery
	ProgramLifeRing          Program = "lifering"        // LifeRing Secular Recovery
	ProgramWFS               Program = "wfs"             // Women for Sobriety
	ProgramActivity          Program = "activity"
	ProgramOther             Program = "other"
)

// Programs lists every valid program, in display order. Stores that keep
// a program as its index here (internal/readmodel) hold at most 32.
var Programs = []Program{ProgramAA, ProgramNA, ProgramSMART, ProgramAlAnon, ProgramCelebrateRecovery,
	ProgramCA, ProgramCMA, ProgramOA, ProgramSLAA, ProgramGA, ProgramCoDA, ProgramACA, ProgramDA, ProgramMA, ProgramHA,
	ProgramNarAnon, ProgramAlateen, ProgramRecoveryDharma, ProgramRefugeRecovery, ProgramLifeRing, ProgramWFS,
	ProgramActivity, ProgramOther}

// programWords maps what feeds write for a program (its code, its name,
// common short forms; lower case, folded) to the program.
var programWords = func() map[string]Program {
	m := map[string]Program{}
	for _, p := range Programs {
		m[string(p)] = p
	}
	for p, words := range map[Program][]string{
		ProgramAA:                {"alcoholics anonymous", "a.a."},
		ProgramNA:                {"narcotics anonymous", "n.a."},
		ProgramSMART:             {"smart recovery", "smart-recovery"},
		ProgramAlAnon:            {"al-anon", "alanon", "al anon", "al-anon family groups"},
		ProgramCelebrateRecovery: {"celebrate recovery", "cr"},
		ProgramCA:                {"cocaine anonymous", "c.a."},
		ProgramCMA:               {"crystal meth anonymous", "c.m.a."},
		ProgramOA:                {"overeaters anonymous", "o.a."},
		ProgramSLAA:              {"sex and love addicts anonymous", "s.l.a.a.", "augustine fellowship"},
		ProgramGA:                {"gamblers anonymous", "g.a."},
		ProgramCoDA:              {"co-dependents anonymous", "codependents anonymous", "co-da"},
		ProgramACA:               {"adult children of alcoholics", "adult children of alcoholics & dysfunctional families", "acoa", "acoa/aca"},
		ProgramDA:                {"debtors anonymous", "d.a."},
		ProgramMA:                {"marijuana anonymous", "m.a."},
		ProgramHA:                {"heroin anonymous", "h.a."},
		ProgramNarAnon:           {"nar-anon", "naranon", "nar anon", "nar-anon family groups"},
		ProgramAlateen:           {"ala-teen"},
		ProgramRecoveryDharma:    {"recovery dharma", "rd"},
		ProgramRefugeRecovery:    {"refuge recovery"},
		ProgramLifeRing:          {"lifering secular recovery", "life ring", "lsr"},
		ProgramWFS:               {"women for sobriety", "women-for-sobriety"},
	} {
		for _, w := range words {
			m[w] = p
		}
	}
	return m
}()

// ParseProgram reads a program as feeds write it: its code ("ca"), its
// name ("Cocaine Anonymous"), or a common short form ("C.A.", "Nar Anon"),
// in any case. It returns false for anything else.
func ParseProgram(s string) (Program, bool) {
	p, ok := programWords[strings.Join(strings.Fields(Fold(s)), " ")]
	return p, ok
}

// Valid reports whether p is one of Programs.
func (p Program) Valid() bool {
	for _, q := range Programs {
		if p == q {
			return true
		}
	}
	return false
}

// Attendance says how people take part in a meeting.
type Attendance string

// The attendance options, as the Meeting Guide attendance_option field names them.
const (
	AttendanceInPerson Attendance = "in_person"
	AttendanceHybrid   Attendance = "hybrid"
	AttendanceOnline   Attendance = "online"
	AttendanceInactive Attendance = "inactive"
)

// Attendances lists every valid attendance value.
var Attendances = []Attendance{AttendanceInPerson, AttendanceHybrid, AttendanceOnline, AttendanceInactive}

// Valid reports whether a is one of Attendances.
func (a Attendance) Valid() bool {
	for _, b := range Attendances {
		if a == b {
			return true
		}
	}
	return false
}

// HasPlace reports whether people meet at a physical place (in person or hybrid).
func (a Attendance) HasPlace() bool { return a == AttendanceInPerson || a == AttendanceHybrid }

// Weekday is a day of the week, Sunday = 0 … Saturday = 6, as in Meeting
// Guide feeds and time.Weekday.
type Weekday int

// String returns the English day name.
func (d Weekday) String() string {
	if d < 0 || d > 6 {
		return fmt.Sprintf("Weekday(%d)", int(d))
	}
	return time.Weekday(d).String()
}

// Clock is a local wall-clock time of day in minutes after midnight
// (0–1439). NoClock marks an absent time.
type Clock int

// NoClock is the Clock value for "no time given".
const NoClock Clock = -1

// NewClock returns the Clock for hour h and minute m.
func NewClock(h, m int) Clock { return Clock(h*60 + m) }

// Valid reports whether c is a time of day.
func (c Clock) Valid() bool { return c >= 0 && c < 24*60 }

// Hour returns the hour (0–23).
func (c Clock) Hour() int { return int(c) / 60 }

// Minute returns the minute within the hour (0–59).
func (c Clock) Minute() int { return int(c) % 60 }

// String formats c as "HH:MM", or "" for NoClock.
func (c Clock) String() string {
	if !c.Valid() {
		return ""
	}
	return fmt.Sprintf("%02d:%02d", c.Hour(), c.Minute())
}

// ParseClock parses a 24-hour "HH:MM" or "HH:MM:SS" time ("24:00" is read as
// midnight). It returns a KindInvalid error for anything else.
func ParseClock(s string) (Clock, error) {
	s = strings.TrimSpace(s)
	bad := func() (Clock, error) {
		return NoClock, Errorf(KindInvalid, "meeting.ParseClock", "%q is not a time of day (want HH:MM, 24-hour)", s)
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return bad()
	}
	var n [3]int
	for i, p := range parts {
		if len(p) == 0 || len(p) > 2 || (i > 0 && len(p) != 2) {
			return bad()
		}
		for _, r := range p {
			if r < '0' || r > '9' {
				return bad()
			}
			n[i] = n[i]*10 + int(r-'0')
		}
	}
	h, m, sec := n[0], n[1], n[2]
	if m > 59 || sec > 59 || h > 24 || (h == 24 && (m != 0 || sec != 0)) {
		return bad()
	}
	return NewClock(h%24, m), nil
}

// Location is where a meeting happens. Point is orb's [lon, lat] order and
// is meaningful only when HasPoint is true. Approximate marks a location that
// is only a locality (an online meeting's city), not a door to walk to.
// Geocoded marks a point the import got from a geocoder, from the address.
type Location struct {
	Name             string
	Address          string // street address
	City             string
	Region           string // state or province
	PostalCode       string
	Country          string
	FormattedAddress string
	Regions          []string // service areas, general to specific
	Notes            string
	Point            orb.Point // [lon, lat], WGS 84
	HasPoint         bool
	Approximate      bool
	Geocoded         bool
}

// Lat returns the latitude of the location's point.
func (l Location) Lat() float64 { return l.Point.Lat() }

// Lng returns the longitude of the location's point.
func (l Location) Lng() float64 { return l.Point.Lon() }

// JoinAddress builds "address, city, region postal, country" from the parts
// of l that are present: the formatted address of a listing that gives
// only the parts. Importers fill FormattedAddress with it and feed
// encoders fall back on it, so both spell an address the same way.
func (l Location) JoinAddress() string {
	var parts []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	add(l.Address)
	add(l.City)
	add(strings.TrimSpace(l.Region + " " + l.PostalCode))
	add(l.Country)
	return strings.Join(parts, ", ")
}

// RoundCoord rounds a latitude or longitude to 6 decimals (about 0.1 m), as
// every output publishes coordinates.
func RoundCoord(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// Online holds the details for joining a meeting remotely.
type Online struct {
	URL       string
	URLNotes  string
	Phone     string
	PhoneNote string
}

// Empty reports whether there are no join details at all.
func (o Online) Empty() bool {
	return o.URL == "" && o.Phone == "" && o.URLNotes == "" && o.PhoneNote == ""
}

// Status is a listing's moderation state; only published listings are public.
type Status string

// The moderation states.
const (
	StatusPublished Status = "published"
	StatusPending   Status = "pending"
	StatusRejected  Status = "rejected"
)

// Meeting is one weekly meeting on one day. A listing held on several days
// becomes one Meeting per day sharing a GroupKey. Day, Start and End are in
// the meeting's own TimeZone; a meeting "by appointment" has ByAppointment
// set and no day or time.
type Meeting struct {
	ID            int64
	Source        string // who published it: an import source or an organization
	ExternalID    string // the publisher's own id (the Meeting Guide slug), unique per source
	GroupKey      string // shared by the rows of one multi-day listing
	Name          string
	Program       Program
	Day           Weekday
	Start         Clock
	End           Clock // NoClock when unknown
	ByAppointment bool
	TimeZone      string // IANA name; "" when unknown (flagged at import)
	Types         []string
	Attendance    Attendance
	Location      Location
	Online        Online
	Notes         string
	Group         string
	URL           string // the listing on its publisher's site
	Maintainer    Maintainer
	Status        Status
	OrgID         int64 // owning organization, 0 for imported listings
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// HasDoor reports whether people can walk to m: it is held in person or
// hybrid, at a point that is not approximate. An online meeting's point
// (its group's city, a service body's office) and an approximate one are
// not a door; only a meeting with one gets a walking distance (see
// Result.WalkingDistance).
func (m *Meeting) HasDoor() bool {
	return m.Attendance.HasPlace() && m.Location.HasPoint && !m.Location.Approximate
}

// Duration returns how long the meeting lasts: End-Start (wrapping past
// midnight), or one hour when End is unknown.
func (m *Meeting) Duration() time.Duration {
	if !m.End.Valid() || !m.Start.Valid() {
		return time.Hour
	}
	d := int(m.End - m.Start)
	if d <= 0 {
		d += 24 * 60
	}
	return time.Duration(d) * time.Minute
}

// Occurrence returns the start of the occurrence of m that is in progress at
// now, or else the next one, in the meeting's own zone. It returns false when
// the meeting has no day, time or valid zone. Wall-clock times that do not
// exist or repeat at a daylight-saving change are resolved as Go's time.Date
// does.
func (m *Meeting) Occurrence(now time.Time) (time.Time, bool) {
	if m.ByAppointment || !m.Start.Valid() || m.TimeZone == "" {
		return time.Time{}, false
	}
	loc, err := LoadZone(m.TimeZone)
	if err != nil {
		return time.Time{}, false
	}
	return m.OccurrenceIn(now, loc), true
}

// OccurrenceIn is Occurrence with the meeting's zone already loaded as
// loc, for callers that hold the zones of many meetings; m must have a day
// and a start time.
func (m *Meeting) OccurrenceIn(now time.Time, loc *time.Location) time.Time {
	local := now.In(loc)
	back := (int(local.Weekday()) - int(m.Day) + 7) % 7
	y, mo, d := local.Date()
	start := LocalInstant(y, mo, d-back, m.Start.Hour(), m.Start.Minute(), loc)
	if !start.After(now) && now.Before(start.Add(m.Duration())) {
		return start
	}
	if start.After(now) {
		return start
	}
	return LocalInstant(y, mo, d-back+7, m.Start.Hour(), m.Start.Minute(), loc)
}

// LocalInstant returns the instant at which the wall clock in loc reads the
// given date and time. When the clock reads it twice (the hour repeated as
// daylight-saving time ends) it returns the first, since people arrive when
// their clock first shows the meeting's time; a time skipped when
// daylight-saving time starts is read with the offset in force before the
// jump (02:30 becomes 03:30). The database function local_instant does the
// same.
func LocalInstant(year int, month time.Month, day, hour, min int, loc *time.Location) time.Time {
	t := time.Date(year, month, day, hour, min, 0, 0, loc)
	wall := time.Date(year, month, day, hour, min, 0, 0, time.UTC)
	_, prev := t.Add(-3 * time.Hour).Zone()
	c := wall.Add(-time.Duration(prev) * time.Second).In(loc)
	if c.Before(t) && sameWall(c, wall) {
		return c
	}
	if !sameWall(t, wall) { // in a gap: use the offset before the jump
		return c
	}
	return t
}

func sameWall(t, wall time.Time) bool {
	y, mo, d := t.Date()
	wy, wmo, wd := wall.Date()
	return y == wy && mo == wmo && d == wd && t.Hour() == wall.Hour() && t.Minute() == wall.Minute()
}

// Limits on text and list fields, in characters. Each is far above what
// real listings hold (the longest values in the sample feeds of Meeting
// Guide, BMLT and spreadsheet exports: a name of 67 characters, a slug of
// 151, a URL of 193, an address of 96, notes of 1,124, 12 types, 2
// regions) and low enough that a record that passes can always be stored:
// ids sit in btree indexes whose entries PostgreSQL refuses beyond 2,704
// bytes (SQLSTATE 54000), and everything goes into the text-search
// document. A record over a limit is rejected on its own; the rest of
// its import goes on.
const (
	// MaxNameLen bounds Name.
	MaxNameLen = 255
	// MaxTextLen bounds the free-text notes (Notes, Location.Notes and the
	// join notes).
	MaxTextLen = 10000
	// MaxShortLen bounds the parts of an address, Group and Online.Phone.
	MaxShortLen = 500
	// MaxIDLen bounds Source, ExternalID and GroupKey: (source,
	// external_id) is one unique index entry, 2 × 255 characters of 4
	// bytes at most, under the 2,704 bytes of a btree entry.
	MaxIDLen = 255
	// MaxURLLen bounds URL and Online.URL (2,048 is what browsers and
	// sitemaps have long taken as the practical bound).
	MaxURLLen = 2048
	// MaxZoneLen bounds TimeZone (IANA names are under 40 characters).
	MaxZoneLen = 64
	// MaxTypes bounds the number of Types (the vocabulary has fewer
	// codes), each of at most MaxTypeLen bytes.
	MaxTypes   = 64
	MaxTypeLen = 32
	// MaxRegions bounds the number of Location.Regions, each of at most
	// MaxShortLen characters.
	MaxRegions = 16
)

// CleanText returns s without NUL characters (which PostgreSQL's text
// cannot hold: SQLSTATE 22021, or 22P05 as \u0000 in jsonb) and with every
// byte sequence that is not UTF-8 replaced by U+FFFD. It returns s itself
// when there is nothing to clean.
func CleanText(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// textFields returns a pointer to every text field of m with its API name,
// for cleaning and checking them all alike.
func (m *Meeting) textFields() []struct {
	name string
	v    *string
} {
	return []struct {
		name string
		v    *string
	}{
		{"source", &m.Source}, {"external_id", &m.ExternalID}, {"group_key", &m.GroupKey}, {"name", &m.Name},
		{"timezone", &m.TimeZone}, {"notes", &m.Notes}, {"group", &m.Group}, {"url", &m.URL},
		{"location.name", &m.Location.Name}, {"location.address", &m.Location.Address}, {"location.city", &m.Location.City},
		{"location.region", &m.Location.Region}, {"location.postal_code", &m.Location.PostalCode}, {"location.country", &m.Location.Country},
		{"location.formatted_address", &m.Location.FormattedAddress}, {"location.notes", &m.Location.Notes},
		{"online.url", &m.Online.URL}, {"online.url_notes", &m.Online.URLNotes}, {"online.phone", &m.Online.Phone},
		{"online.phone_note", &m.Online.PhoneNote},
		{"maintainer.feedback_url", &m.Maintainer.FeedbackURL}, {"maintainer.entity", &m.Maintainer.Entity},
		{"maintainer.entity_email", &m.Maintainer.EntityEmail}, {"maintainer.entity_location", &m.Maintainer.EntityLocation},
		{"maintainer.entity_logo", &m.Maintainer.EntityLogo}, {"maintainer.entity_phone", &m.Maintainer.EntityPhone},
		{"maintainer.entity_url", &m.Maintainer.EntityURL},
	}
}

// Clean removes from every text field of m, and from its types and
// regions, what no store can hold (see CleanText), and returns the API
// names of the fields it changed, so that an importer can flag them. It
// changes nothing else: Validate still rejects what is too long.
func (m *Meeting) Clean() []string {
	var changed []string
	for _, f := range m.textFields() {
		if c := CleanText(*f.v); c != *f.v {
			*f.v = c
			changed = append(changed, f.name)
		}
	}
	for _, l := range []struct {
		name string
		v    []string
	}{{"types", m.Types}, {"location.regions", m.Location.Regions}, {"maintainer.feedback_emails", m.Maintainer.FeedbackEmails}} {
		dirty := false
		for i, s := range l.v {
			if c := CleanText(s); c != s {
				l.v[i], dirty = c, true
			}
		}
		if dirty {
			changed = append(changed, l.name)
		}
	}
	return changed
}

// clip returns at most the first n bytes of s, cut at a character
// boundary, for quoting a bad value in a reason.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// tooLong reports whether s has more than n characters (counting runes
// only when its bytes are over n).
func tooLong(s string, n int) bool {
	return len(s) > n && utf8.RuneCountInString(s) > n
}

// textLimit is the length limit of each text field of textFields.
var textLimit = map[string]int{
	"source": MaxIDLen, "external_id": MaxIDLen, "group_key": MaxIDLen, "name": MaxNameLen, "timezone": MaxZoneLen,
	"notes": MaxTextLen, "location.notes": MaxTextLen, "online.url_notes": MaxTextLen, "online.phone_note": MaxTextLen,
	"url": MaxURLLen, "online.url": MaxURLLen,
	"maintainer.feedback_url": MaxFeedbackURLLen, "maintainer.entity_logo": MaxURLLen, "maintainer.entity_url": MaxURLLen,
}

// Validate checks m and returns a KindInvalid *Error with a reason for each
// bad field (named as in the API: "name", "day", "location.lat", …), or nil.
func (m *Meeting) Validate() error {
	var f FieldErrors
	// Every text field: characters no store can hold, and a length limit.
	for _, fv := range m.textFields() {
		v := *fv.v
		switch limit, ok := textLimit[fv.name]; {
		case strings.IndexByte(v, 0) >= 0:
			f.Add(fv.name, "holds a NUL character (\\u0000)")
		case !utf8.ValidString(v):
			f.Add(fv.name, "holds bytes that are not UTF-8")
		case !ok && tooLong(v, MaxShortLen):
			f.Add(fv.name, fmt.Sprintf("is longer than %d characters", MaxShortLen))
		case ok && tooLong(v, limit):
			f.Add(fv.name, fmt.Sprintf("is longer than %d characters", limit))
		}
	}
	if strings.TrimSpace(m.Name) == "" {
		f.Add("name", "is required")
	}
	if !m.Program.Valid() {
		f.Add("program", fmt.Sprintf("%q is not a program (want one of %s)", m.Program, joinPrograms()))
	}
	if !m.ByAppointment {
		if m.Day < 0 || m.Day > 6 {
			f.Add("day", "must be 0 (Sunday) to 6 (Saturday)")
		}
		if !m.Start.Valid() {
			f.Add("start_time", "is required (HH:MM) unless the meeting is by appointment")
		}
	}
	if m.End != NoClock && !m.End.Valid() {
		f.Add("end_time", "is not a time of day")
	}
	if m.TimeZone != "" && f["timezone"] == "" {
		if _, err := LoadZone(m.TimeZone); err != nil {
			f.Add("timezone", fmt.Sprintf("%q is not an IANA time zone", m.TimeZone))
		}
	}
	if !m.Attendance.Valid() {
		f.Add("attendance", "must be one of in_person, hybrid, online, inactive")
	}
	if len(m.Types) > MaxTypes {
		f.Add("types", fmt.Sprintf("has %d codes, more than %d", len(m.Types), MaxTypes))
	} else {
		for _, t := range m.Types {
			if strings.TrimSpace(t) == "" || len(t) > MaxTypeLen || strings.IndexByte(t, 0) >= 0 || !utf8.ValidString(t) {
				f.Add("types", fmt.Sprintf("%q is not a type code", clip(t, MaxTypeLen)))
			}
		}
	}
	if len(m.Location.Regions) > MaxRegions {
		f.Add("location.regions", fmt.Sprintf("has %d regions, more than %d", len(m.Location.Regions), MaxRegions))
	} else {
		for _, r := range m.Location.Regions {
			switch {
			case strings.IndexByte(r, 0) >= 0:
				f.Add("location.regions", "a region holds a NUL character (\\u0000)")
			case !utf8.ValidString(r):
				f.Add("location.regions", "a region holds bytes that are not UTF-8")
			case tooLong(r, MaxShortLen):
				f.Add("location.regions", fmt.Sprintf("a region is longer than %d characters", MaxShortLen))
			}
		}
	}
	if m.Location.HasPoint {
		lat, lng := m.Location.Lat(), m.Location.Lng()
		if !(lat >= -90 && lat <= 90) {
			f.Add("location.lat", "must be between -90 and 90")
		}
		if !(lng >= -180 && lng <= 180) {
			f.Add("location.lng", "must be between -180 and 180")
		}
		if lat == 0 && lng == 0 {
			f.Add("location.lat", "0,0 is not a meeting place (null island)")
		}
	}
	if m.Attendance.HasPlace() && !m.Location.HasPoint && m.Location.FormattedAddress == "" && m.Location.Address == "" && m.Location.City == "" {
		f.Add("location", "an in-person or hybrid meeting needs an address or a point")
	}
	if (m.Attendance == AttendanceOnline || m.Attendance == AttendanceHybrid) && m.Online.URL == "" && m.Online.Phone == "" {
		f.Add("online", "an online or hybrid meeting needs a join link or a phone number")
	}
	if m.Online.URL != "" && f["online.url"] == "" {
		if reason := checkWebURL(m.Online.URL); reason != "" {
			f.Add("online.url", reason)
		}
	}
	if m.URL != "" && f["url"] == "" {
		if reason := checkWebURL(m.URL); reason != "" {
			f.Add("url", reason)
		}
	}
	m.Maintainer.validate(&f)
	if m.Source == "" {
		f.Add("source", "is required")
	}
	if m.ExternalID == "" {
		f.Add("external_id", "is required")
	}
	return f.Err("meeting.Validate", "the meeting is not valid")
}

// checkWebURL returns why s is not an absolute http or https URL, or "".
func checkWebURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "is not an absolute URL"
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "must be an http or https URL"
	}
	return ""
}

func joinPrograms() string {
	s := make([]string, len(Programs))
	for i, p := range Programs {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

var zoneCache sync.Map // IANA name → *time.Location

// LoadZone returns the IANA time zone called name, caching zones already
// loaded (time.LoadLocation reads the zone file on every call). It refuses
// "" and "Local", which are not zones a meeting can be in.
func LoadZone(name string) (*time.Location, error) {
	if v, ok := zoneCache.Load(name); ok {
		return v.(*time.Location), nil
	}
	if name == "" || name == "Local" {
		return nil, Errorf(KindInvalid, "meeting.LoadZone", "%q is not an IANA time zone", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, &Error{Kind: KindInvalid, Op: "meeting.LoadZone", Message: fmt.Sprintf("%q is not an IANA time zone", name), Err: err}
	}
	zoneCache.Store(name, loc)
	return loc, nil
}
