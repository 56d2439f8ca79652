// Package record is the importers' shared record toolkit: Record, one
// listing in the Meeting Guide field model with every value reduced to
// text, and Converter, which maps Records to meeting.Meeting values by the
// rules of the Meeting Guide specification and of TSML UI (day lists become
// one meeting per day, 12-hour times, types as codes, names or a bracketed
// string, attendance derived from the join details and the address), with a
// Problem for every record it rejects or flags. It also holds the text
// cleaning those formats need (CleanText, CleanLine, Excerpt, Slugify).
//
// importers/meetingguide (JSON feeds) and importers/csv (spreadsheets) both
// hand their records to it, so that both read days, times, types and places
// by the same rules. Like every importer it is pure: no network, no
// database.
package record

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/paulmach/orb"
)

// Record is one listing in the Meeting Guide field model with every value
// already reduced to text. It is the hand-over point between a wire format
// (the JSON feed of importers/meetingguide, spreadsheets in importers/csv) and the
// mapping to meeting.Meeting that Converter performs. Field names follow the
// Meeting Guide specification; empty means absent.
type Record struct {
	Slug string // the listing's id in its feed; see Converter.Convert when empty
	Name string
	// Days holds each day given, as a number 0–6 (0 = Sunday) or an English
	// day name or abbreviation; empty when the record has no day.
	Days []string
	// DayList is true when the day came as a list (a JSON array, a
	// comma-separated cell): then every meeting's ExternalID is
	// "<slug>-<day>", even for a list of one, so ids stay put when a day
	// is added to the listing.
	DayList bool

	Time     string // start time, 24-hour or 12-hour, see ParseTime
	EndTime  string
	Timezone string // IANA zone name

	Types []string // codes or names, in the program's vocabulary; one entry may hold a comma list
	// TypeCodes are codes of the project vocabulary already (a
	// spreadsheet mapping's type_names), read in no program's vocabulary.
	TypeCodes  []string
	Attendance string // attendance_option: in_person, hybrid, online, inactive
	Program    string // a program as the feed writes it (meeting.ParseProgram); overrides the import default

	Location         string // the location's name
	LocationNotes    string
	Address          string
	City             string
	State            string
	PostalCode       string
	Country          string
	FormattedAddress string
	Regions          []string // general to specific

	Latitude    string
	Longitude   string
	Coordinates string // "lat,lng", used when Latitude and Longitude are empty
	Approximate string // "yes"/"no"/"true"/"false"; empty = infer

	ConferenceURL        string
	ConferenceURLNotes   string
	ConferencePhone      string
	ConferencePhoneNotes string

	Notes string
	Group string
	URL   string

	// Who maintains the listing (meeting.Maintainer): feedback_emails (a
	// list, or entries holding comma lists), feedback_url and the
	// specification's entity fields.
	FeedbackEmails []string
	FeedbackURL    string
	Entity         string
	EntityEmail    string
	EntityLocation string
	EntityLogo     string
	EntityPhone    string
	EntityURL      string // entity_url, or the specification's entity_website_url

	// Unreadable maps the fields a wire format could not read as text (an
	// object where text belongs) to why. Only the maintainer's fields may
	// be left out so: the Converter flags them and keeps the record.
	Unreadable map[string]string
}

// Converter maps Records of one feed to meetings. It remembers the
// ExternalIDs it has produced, so a later record that repeats one is
// rejected as a duplicate. A Converter is not safe for concurrent use.
type Converter struct {
	opts meeting.ImportOptions
	// seen maps each ExternalID to the position of the record that used it first.
	seen map[string]int
	// bases holds the generated slugs handed out; contents maps a hash of
	// each record without a slug to its position, to spot repeated rows.
	bases    map[string]bool
	contents map[uint64]int
	// DayNames maps further lower-case day names ("lunes") to 0–6; English
	// names and abbreviations are always understood.
	DayNames map[string]int
	// RawExcerpt shortens a record's raw text for a Problem; nil means
	// Excerpt. A wire format whose raw text is JSON can compact it first.
	RawExcerpt func(raw string) string
	// Shape tallies the records converted by whether they have a schedule
	// and a place in the format's fields (see ShapeErr).
	Shape meeting.RecordShape
}

// ScheduleFields and PlaceFields name the Meeting Guide fields that give a
// record its schedule and its place, for messages.
const (
	ScheduleFields = "day, time"
	PlaceFields    = "address, city, state, postal_code, formatted_address, latitude/longitude, coordinates, conference_url, conference_phone"
)

// ShapeErr returns the error of an input most of whose records lack a
// schedule and a place (meeting.RecordShape.Err), or nil; what names the
// input ("a Meeting Guide feed").
func (c *Converter) ShapeErr(op, what string) error {
	return c.Shape.Err(op, what, ScheduleFields, PlaceFields)
}

// tally counts r, cleaned, in c.Shape.
func (c *Converter) tally(r *Record) {
	schedule := len(r.Days) > 0 || r.Time != ""
	place := r.Address != "" || r.City != "" || r.State != "" || r.PostalCode != "" || r.FormattedAddress != "" ||
		r.Latitude != "" || r.Longitude != "" || r.Coordinates != "" || r.ConferenceURL != "" || r.ConferencePhone != ""
	c.Shape.Add(schedule, place)
}

// NewConverter returns a Converter that stamps meetings with opts.Source
// and gives them opts.Program unless a record names its own program. An
// empty opts.Program means meeting.ProgramOther.
func NewConverter(opts meeting.ImportOptions) *Converter {
	if opts.Program == "" {
		opts.Program = meeting.ProgramOther
	}
	return &Converter{opts: opts, seen: map[string]int{}, bases: map[string]bool{}, contents: map[uint64]int{}}
}

// Reserve makes room for about n records, so that a large input does not
// grow the Converter's maps step by step.
func (c *Converter) Reserve(n int) {
	if len(c.seen) == 0 && n > 0 {
		c.seen = make(map[string]int, n)
	}
}

// MaxExcerpt is the longest excerpt of a record kept in a Problem.
const MaxExcerpt = 200

// Excerpt shortens s to at most 200 bytes (on a rune boundary) for
// meeting.Problem.Raw.
func Excerpt(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= MaxExcerpt {
		return s
	}
	cut := MaxExcerpt
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// Convert maps rec, the record at 1-based position pos of its input, to
// one meeting per day, with the problems found on the way. raw is an
// excerpt of the record for the problem report. When the record is
// rejected it returns no meetings and at least one Rejected problem; kept
// meetings may come with Flagged problems.
//
// A record with no Slug gets a stable generated ExternalID: the slugified
// name and a hash of its day, time and place, so that re-importing the same
// spreadsheet yields the same ids. A later record with the same name, day,
// time and place gets "-2", "-3", … appended (concurrent meetings of one
// group); a record equal in every field to an earlier one is rejected.
func (c *Converter) Convert(rec Record, pos int, raw string) ([]meeting.Meeting, []meeting.Problem) {
	var out []meeting.Meeting
	var probs []meeting.Problem
	c.ConvertInto(&rec, pos, raw, &out, &probs)
	return out, probs
}

// ConvertInto is Convert appending to *out and *probs, for wire formats
// that convert many records in one pass; it cleans *r in place. raw is
// shortened for a problem by c.RawExcerpt (Excerpt when nil), and only when
// there is a problem.
func (c *Converter) ConvertInto(r *Record, pos int, raw string, out *[]meeting.Meeting, probs *[]meeting.Problem) {
	c.clean(r)
	c.tally(r)
	v := conversion{c: c, name: r.Name, pos: pos, raw: raw, probs: probs}
	if !v.identify(r) {
		return
	}
	s, ok := v.schedule(r)
	if !ok {
		return
	}
	program, tz, types := v.programZoneTypes(r)
	loc := v.place(r)
	on, pageURL, online := v.online(r)
	maint := v.maintainer(r)
	attendance := v.attendance(r, types, loc, online)
	if attendance == meeting.AttendanceOnline {
		// An online meeting's place is only ever a locality (its group's
		// city or home), never a door to walk to.
		loc.Approximate = true
	}
	base := meeting.Meeting{
		Source: c.opts.Source, GroupKey: v.slug, Name: r.Name, Program: program,
		Start: s.start, End: s.end, ByAppointment: s.byAppointment, TimeZone: tz,
		Types: types, Attendance: attendance, Location: loc, Online: on,
		Notes: r.Notes, Group: r.Group, URL: pageURL, Maintainer: maint, Status: meeting.StatusPublished,
	}
	v.emit(r, base, s, out)
}

// maintainer reads who maintains the listing, leaving out (and flagging,
// without quoting: these are people's addresses) what cannot be kept
// (meeting.Maintainer.Tidy) and what the wire format could not read.
func (v *conversion) maintainer(r *Record) meeting.Maintainer {
	x := meeting.Maintainer{FeedbackEmails: r.FeedbackEmails, FeedbackURL: r.FeedbackURL, Entity: r.Entity, EntityEmail: r.EntityEmail,
		EntityLocation: r.EntityLocation, EntityLogo: r.EntityLogo, EntityPhone: r.EntityPhone, EntityURL: r.EntityURL}
	for _, f := range sortedKeys(r.Unreadable) {
		v.flag(f, "%s; left out", r.Unreadable[f])
	}
	if x.Empty() {
		return x
	}
	dropped := x.Tidy()
	for _, f := range sortedKeys(dropped) {
		v.flag(f, "%s; left out", dropped[f])
	}
	return x
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// conversion is the state of converting one record: the record, where it
// was, and the problems found so far.
type conversion struct {
	c     *Converter
	name  string // the record's name, for its problems
	pos   int
	raw   string
	probs *[]meeting.Problem
	// slug is the record's id, given or generated; generated says which.
	slug      string
	generated bool
	excerpt   string
	cut       bool
	// dayBuf holds schedule.days, so that reading them allocates nothing.
	dayBuf [7]meeting.Weekday
}

// schedule is when a record meets: its days (one meeting each), start and
// end, or by appointment.
type schedule struct {
	days          []meeting.Weekday
	start, end    meeting.Clock
	byAppointment bool
}

// rawExcerpt shortens the record's raw text once, on the first problem.
func (v *conversion) rawExcerpt() string {
	if !v.cut {
		v.cut = true
		if v.c.RawExcerpt != nil {
			v.excerpt = v.c.RawExcerpt(v.raw)
		} else {
			v.excerpt = Excerpt(v.raw)
		}
	}
	return v.excerpt
}

// problem records a problem of the record for the meeting id.
func (v *conversion) problem(sev meeting.Severity, id, field, reason string) {
	*v.probs = append(*v.probs, meeting.Problem{Record: v.pos, ExternalID: id, Name: v.name, Severity: sev, Field: field, Reason: reason, Raw: v.rawExcerpt()})
}

// flag records a caveat of a meeting that is kept.
func (v *conversion) flag(field, format string, args ...any) {
	v.problem(meeting.Flagged, v.slug, field, fmt.Sprintf(format, args...))
}

// reject records why the record is not kept.
func (v *conversion) reject(id, field, format string, args ...any) {
	v.problem(meeting.Rejected, id, field, fmt.Sprintf(format, args...))
}

// identify settles the record's id (generating one when the record has no
// slug) and requires a name; false means the record is rejected.
func (v *conversion) identify(r *Record) bool {
	c := v.c
	v.slug = r.Slug
	v.generated = v.slug == ""
	if v.generated && r.Name != "" {
		h := contentHash(*r)
		if first, dup := c.contents[h]; dup {
			v.reject("", "", "the same meeting as record %d (every field equal)", first)
			return false
		}
		c.contents[h] = v.pos
		v.slug = generateSlug(*r)
		for n := 2; c.bases[v.slug]; n++ {
			v.slug = fmt.Sprintf("%s-%d", generateSlug(*r), n)
		}
		c.bases[v.slug] = true
	}
	if r.Name == "" {
		v.reject(v.slug, "name", "name is required")
		return false
	}
	return true
}

// schedule reads days, start and end time; false means the record is
// rejected. No day and no time is a meeting by appointment.
func (v *conversion) schedule(r *Record) (schedule, bool) {
	s := schedule{start: meeting.NoClock, end: meeting.NoClock, days: v.dayBuf[:0]}
	for _, d := range r.Days {
		wd, ok := v.c.parseDay(d)
		if !ok {
			v.reject(v.slug, "day", "%q is not a day (want 0 to 6, 0 = Sunday, or a day name)", d)
			return s, false
		}
		if !slices.Contains(s.days, wd) {
			s.days = append(s.days, wd)
		}
	}
	if r.Time != "" {
		t, err := ParseTime(r.Time)
		if err != nil {
			v.reject(v.slug, "start_time", "time %q is not a time of day", r.Time)
			return s, false
		}
		s.start = t
	}
	if r.EndTime != "" {
		t, err := ParseTime(r.EndTime)
		if err != nil {
			v.reject(v.slug, "end_time", "end_time %q is not a time of day", r.EndTime)
			return s, false
		}
		s.end = t
	}
	switch {
	case len(s.days) == 0 && s.start == meeting.NoClock:
		s.byAppointment = true
		s.end = meeting.NoClock
	case len(s.days) == 0:
		v.reject(v.slug, "day", "a time is given but no day")
		return s, false
	case s.start == meeting.NoClock:
		v.reject(v.slug, "start_time", "a day is given but no time")
		return s, false
	}
	return s, true
}

// programZoneTypes reads the program (the record's own when valid, else
// the import's), the time zone (left empty when not IANA) and the type
// codes, flagging what it cannot use.
func (v *conversion) programZoneTypes(r *Record) (meeting.Program, string, []string) {
	program := v.c.opts.Program
	if r.Program != "" {
		if p, ok := meeting.ParseProgram(r.Program); ok {
			program = p
		} else {
			v.flag("program", "%q is not a program; using %q", r.Program, program)
		}
	}
	tz := ""
	if r.Timezone != "" {
		if _, err := meeting.LoadZone(r.Timezone); err != nil {
			v.flag("timezone", "%q is not an IANA time zone; left empty", r.Timezone)
		} else {
			tz = r.Timezone
		}
	}
	types, unknown := normalizeTypes(program, r.Types, r.TypeCodes)
	if len(unknown) > 0 {
		v.flag("types", "unknown type codes kept as given: %s", strings.Join(unknown, ", "))
	}
	return program, tz, types
}

// place builds the meeting's location: its address (built from the parts
// when the record has no formatted_address, split into them by
// SplitAddress when it has nothing else), point and whether it is
// approximate.
func (v *conversion) place(r *Record) meeting.Location {
	loc := meeting.Location{
		Name: r.Location, Address: r.Address, City: r.City, Region: r.State,
		PostalCode: r.PostalCode, Country: r.Country, FormattedAddress: r.FormattedAddress,
		Regions: r.Regions, Notes: r.LocationNotes,
	}
	builtAddress := loc.FormattedAddress == ""
	if builtAddress {
		loc.FormattedAddress = loc.JoinAddress()
	} else if loc.Address == "" && loc.City == "" && loc.Region == "" && loc.PostalCode == "" && loc.Country == "" {
		// Only formatted_address (most TSML feeds): its parts, where its
		// shape tells them, so that every output (BMLT's location_*
		// fields, the feeds' address and city) has them.
		a := SplitAddress(loc.FormattedAddress)
		loc.Address, loc.City, loc.Region, loc.PostalCode, loc.Country = a.Street, a.City, a.Region, a.PostalCode, countryCode(a.Country)
	}
	if builtAddress && loc.City == "" && loc.Region == "" && loc.PostalCode == "" && loc.Country == "" && strings.Count(loc.Address, ",") >= 2 {
		// The whole address in address, nothing else ("8406 118 Avenue
		// NW, Edmonton, Alberta, T5B 0S5, Canada"): split it the same
		// way, when its shape gives the town.
		if a := SplitAddress(loc.Address); a.City != "" {
			loc.Address, loc.City, loc.Region, loc.PostalCode, loc.Country = a.Street, a.City, a.Region, a.PostalCode, countryCode(a.Country)
		}
	}
	if p, field, reason := parsePoint(*r); reason != "" {
		v.flag(field, "%s; not stored as a point", reason)
	} else if field != "" {
		loc.Point, loc.HasPoint = p, true
	}
	switch strings.ToLower(r.Approximate) {
	case "yes", "true", "1":
		loc.Approximate = true
	case "no", "false", "0":
		loc.Approximate = false
	default:
		if r.Approximate != "" {
			v.flag("location.approximate", "%q is not yes or no; inferred from the address", r.Approximate)
		}
		// TSML UI's rule for a geocoded address ("street, city, state
		// zip, country"): fewer than four parts is a locality. An address
		// built from parts is approximate when it has no street, or when
		// the "street" is a short comma list without a house number
		// (feeds that put "Edmonton, Alberta, Canada" in address).
		if builtAddress {
			first, _, list := strings.Cut(r.Address, ",")
			loc.Approximate = !loc.HasPoint && (r.Address == "" ||
				list && !strings.ContainsAny(first, "0123456789") && strings.Count(loc.FormattedAddress, ",") < 3)
		} else {
			loc.Approximate = !loc.HasPoint && strings.Count(loc.FormattedAddress, ",") < 3
		}
		// A point does not make a town a door. Online meetings of TSML
		// sites are listed at "San Jose, CA, USA" geocoded to the city's
		// centre ("Online Meeting", "Virtual Only"): without this they
		// read as hybrid meetings with a door at the town hall.
		if loc.HasPoint && !loc.Approximate && localityOnly(r.Address, loc.FormattedAddress) && (joinable(r) || namesOnline(r.Location)) {
			loc.Approximate = true
		}
	}
	return loc
}

// localityOnly reports whether an address names a town, not a street:
// no street part, or a first part without a number in an address of
// fewer than four parts ("Philadelphia, PA, USA", "Milpitas, CA 95035").
func localityOnly(street, formatted string) bool {
	if strings.ContainsAny(street, "0123456789") {
		return false
	}
	first, _, _ := strings.Cut(formatted, ",")
	return !strings.ContainsAny(first, "0123456789") && strings.Count(formatted, ",") < 3
}

// joinable reports whether r gives a way to join from afar (before the
// link and phone are checked).
func joinable(r *Record) bool {
	return r.ConferenceURL != "" || phoneDigits(r.ConferencePhone) >= MinPhoneDigits
}

// MinPhoneDigits is how many digits a dial-in number needs, before any
// extension or access code, to count as a way to join: a local or
// national number (7 in the US without the area code, 8 or 9 in much of
// Europe) is one; "ext. 12" alone is not. TSML UI asks for 10 characters,
// which turned phone-only meetings with such numbers inactive.
const MinPhoneDigits = 7

// phoneDigits counts the digits of a phone number before its extension
// ("x12", "ext. 12") or the pauses and codes dialled after it (",,123#",
// ";", "#").
func phoneDigits(s string) int {
	l := strings.ToLower(s)
	if i := strings.IndexAny(l, ",;#x"); i >= 0 {
		l = l[:i]
	}
	if i := strings.Index(l, "ext"); i >= 0 {
		l = l[:i]
	}
	return countDigits(l)
}

// namesOnline reports whether a location's name says there is no room
// ("Online Meeting", "Virtual Only", "Zoom").
func namesOnline(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "online") || strings.Contains(n, "virtual") || strings.Contains(n, "zoom")
}

// online reads the ways to join from afar and the meeting's web page,
// dropping what is not usable; online says whether one way to join is left.
func (v *conversion) online(r *Record) (on meeting.Online, pageURL string, online bool) {
	on = meeting.Online{URLNotes: r.ConferenceURLNotes, Phone: r.ConferencePhone, PhoneNote: r.ConferencePhoneNotes}
	if r.ConferenceURL != "" {
		if reason := webURLProblem(r.ConferenceURL); reason != "" {
			v.flag("online.url", "conference_url %q %s; dropped", r.ConferenceURL, reason)
		} else {
			on.URL = r.ConferenceURL
		}
	}
	n := phoneDigits(on.Phone)
	phoneOK := n >= MinPhoneDigits
	switch {
	case on.Phone != "" && !phoneOK:
		v.flag("online.phone", "conference_phone has %d digits before any extension or code, fewer than %d; not counted as a way to join", n, MinPhoneDigits)
	case phoneOK && n < 10:
		v.flag("online.phone", "conference_phone has only %d digits before any extension or code (a local or national number); kept as a way to join", n)
	}
	if r.URL != "" {
		if reason := webURLProblem(r.URL); reason != "" {
			v.flag("url", "url %q %s; dropped", r.URL, reason)
		} else {
			pageURL = r.URL
		}
	}
	return on, pageURL, on.URL != "" || phoneOK
}

// attendance is the record's own attendance option when valid, else the
// one derived as the Meeting Guide spec describes.
func (v *conversion) attendance(r *Record, types []string, loc meeting.Location, online bool) meeting.Attendance {
	inPerson := !slices.Contains(types, "TC") && !loc.Approximate
	attendance := deriveAttendance(inPerson, online)
	if r.Attendance == "" {
		return attendance
	}
	a := meeting.Attendance(strings.ToLower(strings.ReplaceAll(r.Attendance, " ", "_")))
	switch {
	case !a.Valid():
		v.flag("attendance", "attendance_option %q is not one of in_person, hybrid, online, inactive; derived %s", r.Attendance, attendance)
	case (a == meeting.AttendanceOnline || a == meeting.AttendanceHybrid) && !online:
		// Keep what can be kept: the join details were missing or dropped.
		fallback := meeting.AttendanceInactive
		if a == meeting.AttendanceHybrid {
			fallback = meeting.AttendanceInPerson
		}
		v.flag("attendance", "attendance_option %q but no usable conference_url or conference_phone; using %s", r.Attendance, fallback)
		attendance = fallback
	default:
		attendance = a
	}
	return attendance
}

// emit appends one meeting per day of s to *out, rejecting ids already
// seen in this input and meetings that fail validation.
func (v *conversion) emit(r *Record, base meeting.Meeting, s schedule, out *[]meeting.Meeting) {
	c := v.c
	days := s.days
	if s.byAppointment {
		days = []meeting.Weekday{0}
	}
	// What no store can hold (a NUL, bytes that are not UTF-8) is removed
	// here, record by record, so that one such record neither fails the
	// whole import nor is lost; Validate rejects whatever is left over.
	if clean := meeting.CleanText(v.slug); clean != v.slug {
		v.slug = clean
		v.flag("slug", "held NUL characters or bytes that are not UTF-8; they were removed")
	}
	for _, f := range base.Clean() {
		v.flag(f, "held NUL characters or bytes that are not UTF-8; they were removed")
	}
	for i, d := range days {
		m := base
		if i < len(days)-1 {
			m.Types = slices.Clone(base.Types) // the last meeting takes base.Types
		}
		m.Location.Regions = slices.Clone(base.Location.Regions)
		m.Day = d
		m.ExternalID = v.slug
		if r.DayList && !s.byAppointment {
			m.ExternalID = v.slug + "-" + strconv.Itoa(int(d))
		}
		if first, dup := c.seen[m.ExternalID]; dup {
			what := "slug"
			if v.generated {
				what = "generated id"
			}
			v.problem(meeting.Rejected, m.ExternalID, "slug", fmt.Sprintf("duplicate %s %s, first seen at record %d", what, m.ExternalID, first))
			continue
		}
		if err := m.Validate(); err != nil {
			field, reason := describe(err)
			v.problem(meeting.Rejected, m.ExternalID, field, reason)
			continue
		}
		c.seen[m.ExternalID] = v.pos
		*out = append(*out, m)
	}
}

// deriveAttendance combines the two ways of taking part.
func deriveAttendance(inPerson, online bool) meeting.Attendance {
	switch {
	case inPerson && online:
		return meeting.AttendanceHybrid
	case inPerson:
		return meeting.AttendanceInPerson
	case online:
		return meeting.AttendanceOnline
	}
	return meeting.AttendanceInactive
}

// describe turns a validation error into a Problem's field and reason: the
// first field (sorted) and every field's reason.
func describe(err error) (field, reason string) {
	var e *meeting.Error
	if !asError(err, &e) || len(e.Fields) == 0 {
		return "", err.Error()
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + e.Fields[k]
	}
	return keys[0], strings.Join(parts, "; ")
}

// clean removes HTML from every text value of *rec and trims spaces. It
// replaces the lists rather than changing their values.
func (c *Converter) clean(rec *Record) {
	line := func(p *string) { *p = CleanLine(*p) }
	for _, p := range []*string{&rec.Slug, &rec.Name, &rec.Time, &rec.EndTime, &rec.Timezone, &rec.Attendance, &rec.Program,
		&rec.Location, &rec.Address, &rec.City, &rec.State, &rec.PostalCode, &rec.Country, &rec.FormattedAddress,
		&rec.Latitude, &rec.Longitude, &rec.Coordinates, &rec.Approximate, &rec.ConferenceURL, &rec.ConferencePhone,
		&rec.Group, &rec.URL, &rec.FeedbackURL, &rec.Entity, &rec.EntityEmail, &rec.EntityLocation, &rec.EntityLogo,
		&rec.EntityPhone, &rec.EntityURL} {
		line(p)
	}
	for _, p := range []*string{&rec.LocationNotes, &rec.ConferenceURLNotes, &rec.ConferencePhoneNotes, &rec.Notes} {
		*p = CleanText(*p)
	}
	rec.Days = cleanList(rec.Days)
	rec.Regions = cleanList(rec.Regions)
	rec.FeedbackEmails = cleanList(rec.FeedbackEmails)
	if slices.ContainsFunc(rec.Types, func(s string) bool { return !isClean(s) }) {
		rec.Types = slices.Clone(rec.Types)
		for i := range rec.Types {
			rec.Types[i] = CleanText(rec.Types[i])
		}
	}
}

// cleanList cleans each value and drops empty ones.
func cleanList(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	if !slices.ContainsFunc(in, func(s string) bool { return s == "" || !isClean(s) }) {
		return in // the caller does not change the values
	}
	var out []string
	for _, s := range in {
		if s = CleanLine(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// generateSlug makes a stable id for a record without a slug.
func generateSlug(r Record) string {
	h := fnv.New32a()
	for _, s := range []string{strings.Join(r.Days, ","), r.Time, r.Location, r.Address, r.City, r.PostalCode, r.FormattedAddress, r.ConferenceURL} {
		h.Write([]byte(strings.ToLower(s)))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%s-%08x", Slugify(r.Name), h.Sum32())
}

// contentHash hashes every field of a record.
func contentHash(r Record) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%#v", r)
	return h.Sum64()
}

// Slugify lower-cases s and turns every run of characters other than
// ASCII letters and digits into one "-" ("Full Address" → "full-address").
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		} else {
			dash = true
		}
	}
	return b.String()
}

// parsePoint reads the record's coordinates. It returns field == "" when
// there are none; a non-empty reason when they are present but unusable.
func parsePoint(r Record) (p orb.Point, field, reason string) {
	lat, lng := r.Latitude, r.Longitude
	if lat == "" && lng == "" {
		if r.Coordinates == "" {
			return p, "", ""
		}
		a, b, ok := strings.Cut(r.Coordinates, ",")
		if !ok {
			return p, "location.lat", fmt.Sprintf("coordinates %q are not \"lat,lng\"", r.Coordinates)
		}
		lat, lng = strings.TrimSpace(a), strings.TrimSpace(b)
	}
	if lat == "" || lng == "" {
		return p, "location.lat", fmt.Sprintf("only one of latitude %q and longitude %q is given", lat, lng)
	}
	y, err := strconv.ParseFloat(lat, 64)
	if err != nil {
		return p, "location.lat", fmt.Sprintf("latitude %q is not a number", lat)
	}
	x, err := strconv.ParseFloat(lng, 64)
	if err != nil {
		return p, "location.lng", fmt.Sprintf("longitude %q is not a number", lng)
	}
	switch {
	case y == 0 && x == 0:
		return p, "location.lat", "coordinates 0,0 are not a meeting place"
	case !(y >= -90 && y <= 90):
		return p, "location.lat", fmt.Sprintf("latitude %s is out of range", lat)
	case !(x >= -180 && x <= 180):
		return p, "location.lng", fmt.Sprintf("longitude %s is out of range", lng)
	}
	return orb.Point{x, y}, "location", ""
}

// webURLProblem says why s is not an absolute http(s) URL, or "".
func webURLProblem(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "is not an absolute URL"
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "is not an http or https URL"
	}
	return ""
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}
