// Package ical encodes meetings as an iCalendar stream (RFC 5545): one
// VEVENT per meeting, repeating weekly (RRULE:FREQ=WEEKLY;BYDAY=…) at its
// local start time in its own zone (DTSTART;TZID=…), with a VTIMEZONE per
// zone built from Go's time zone database, so that calendars keep a 19:00
// meeting at 19:00 across daylight-saving changes. It is a pure encoder.
package ical

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// ProdID names this software in PRODID.
const ProdID = "-//meetingfinder//meetingfinder//EN"

// Options shape a calendar.
type Options struct {
	// Name is the calendar's display name (X-WR-CALNAME); "" for none.
	Name string
	// Host makes UIDs globally unique: "meeting-<id>@<host>".
	Host string
	// Now is the reference time: each VTIMEZONE covers the years from its
	// earliest event's first occurrence (at most Now-1) to Now+2. Zero means
	// time.Now().
	Now time.Time
}

// byDay are RFC 5545's weekday codes, Sunday first (meeting.Weekday order).
var byDay = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// Encode writes ms as one VCALENDAR. Meetings by appointment have no
// schedule and are left out. A meeting without a known zone gets floating
// local times (no TZID), which calendars read in the viewer's zone. It is
// the two passes of an Encoder over ms.
func Encode(w io.Writer, ms []meeting.Meeting, opts Options) error {
	zones := NewZones(opts.Now)
	for i := range ms {
		zones.Add(&ms[i])
	}
	enc, err := NewEncoder(w, zones, opts)
	if err != nil {
		return err
	}
	for i := range ms {
		if err := enc.Encode(&ms[i]); err != nil {
			return err
		}
	}
	return enc.Close()
}

// Zones is the first of the two passes over a calendar's meetings: the
// zones the VTIMEZONEs at the top must describe, and from which year each
// must start (the earliest first occurrence of its meetings, and at most
// the year before now). It holds one entry per zone, however many
// meetings are added.
type Zones struct {
	now       time.Time
	locs      map[string]*time.Location
	firstYear map[string]int
}

// NewZones returns an empty set for a calendar made at now (Options.Now;
// zero means time.Now()).
func NewZones(now time.Time) *Zones {
	return &Zones{now: meeting.OrNow(now), locs: map[string]*time.Location{}, firstYear: map[string]int{}}
}

// Add takes note of m's zone. Meetings by appointment and zones Go does
// not know are skipped (their events have floating times).
func (z *Zones) Add(m *meeting.Meeting) {
	tz := m.TimeZone
	if tz == "" || m.ByAppointment {
		return
	}
	if z.locs[tz] == nil {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return
		}
		z.locs[tz], z.firstYear[tz] = loc, z.now.Year()-1
	}
	if y := firstDay(m, z.locs[tz]).Year(); y < z.firstYear[tz] {
		z.firstYear[tz] = y
	}
}

// Encoder writes one VCALENDAR a meeting at a time, so that a calendar of
// any size streams: NewEncoder writes the calendar's properties and the
// VTIMEZONEs of a Zones pass over the same meetings, Encode one VEVENT,
// Close the end. Given the meetings of the Zones pass, its output is
// Encode's byte for byte.
type Encoder struct {
	w       io.Writer
	b       builder
	zones   *Zones
	written map[string]bool
	host    string
	toYear  int
}

// NewEncoder writes the start of the calendar to w, with a VTIMEZONE for
// each zone of zones (sorted by name), and returns the Encoder of its
// events, or the write error. zones should have been made with opts.Now.
func NewEncoder(w io.Writer, zones *Zones, opts Options) (*Encoder, error) {
	e := &Encoder{w: w, zones: zones, written: map[string]bool{}, host: opts.Host, toYear: meeting.OrNow(opts.Now).Year() + 2}
	e.b.line("BEGIN:VCALENDAR")
	e.b.line("VERSION:2.0")
	e.b.line("PRODID:" + ProdID)
	e.b.line("CALSCALE:GREGORIAN")
	if opts.Name != "" {
		e.b.prop("X-WR-CALNAME", opts.Name)
	}
	names := make([]string, 0, len(zones.locs))
	for n := range zones.locs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		e.timezone(n)
	}
	return e, e.flush()
}

// Encode writes m's VEVENT (nothing for a meeting by appointment or
// without a start) and returns the write error. A meeting in a zone the
// Zones pass did not see (one written in between) gets the VTIMEZONE
// written just before its event: RFC 5545 does not order a calendar's
// components.
func (e *Encoder) Encode(m *meeting.Meeting) error {
	if m.ByAppointment || !m.Start.Valid() {
		return nil
	}
	if tz := m.TimeZone; tz != "" && !e.written[tz] {
		e.zones.Add(m)
		if e.zones.locs[tz] != nil {
			e.timezone(tz)
		}
	}
	writeEvent(&e.b, m, e.zones.locs[m.TimeZone], e.host)
	return e.flush()
}

// Close writes the end of the calendar and returns the write error. It
// does not close the underlying writer.
func (e *Encoder) Close() error {
	e.b.line("END:VCALENDAR")
	return e.flush()
}

// timezone adds the VTIMEZONE of zone name to the lines to write.
func (e *Encoder) timezone(name string) {
	writeTimezone(&e.b, name, e.zones.locs[name], e.zones.firstYear[name], e.toYear)
	e.written[name] = true
}

// flush writes the lines built so far to w.
func (e *Encoder) flush() error {
	_, err := io.WriteString(e.w, e.b.String())
	e.b.Reset()
	return err
}

// writeEvent writes one meeting's VEVENT. loc is nil when the zone is unknown.
func writeEvent(b *builder, m *meeting.Meeting, loc *time.Location, host string) {
	day0 := firstDay(m, loc)
	start := fmt.Sprintf("%04d%02d%02dT%02d%02d00", day0.Year(), day0.Month(), day0.Day(), m.Start.Hour(), m.Start.Minute())

	b.line("BEGIN:VEVENT")
	if host == "" {
		host = "meetingfinder"
	}
	b.line("UID:meeting-" + strconv.FormatInt(m.ID, 10) + "@" + host)
	b.line("DTSTAMP:" + utc(m.UpdatedAt))
	if loc != nil {
		b.line("DTSTART;TZID=" + paramValue(m.TimeZone) + ":" + start)
	} else {
		b.line("DTSTART:" + start)
	}
	b.line("DURATION:" + duration(m.Duration()))
	b.line("RRULE:FREQ=WEEKLY;BYDAY=" + byDay[m.Day])
	b.prop("SUMMARY", m.Name)
	place := m.Location.FormattedAddress
	if m.Location.Name != "" && place != "" {
		place = m.Location.Name + ", " + place
	} else if place == "" {
		place = m.Location.Name
	}
	switch {
	case m.Attendance == meeting.AttendanceOnline && m.Online.URL != "":
		b.prop("LOCATION", m.Online.URL)
	case m.Attendance == meeting.AttendanceOnline && m.Online.Phone != "":
		b.prop("LOCATION", "Phone: "+m.Online.Phone)
	case place != "":
		b.prop("LOCATION", place)
	}
	if m.Location.HasPoint && !m.Location.Approximate {
		b.line(fmt.Sprintf("GEO:%s;%s", strconv.FormatFloat(m.Location.Lat(), 'f', 6, 64), strconv.FormatFloat(m.Location.Lng(), 'f', 6, 64)))
	}
	if u := m.Online.URL; u != "" {
		b.line("URL:" + u) // URIs are not TEXT: no escaping
	} else if m.URL != "" {
		b.line("URL:" + m.URL)
	}
	b.prop("DESCRIPTION", description(m))
	var cats []string
	for _, t := range m.Types {
		cats = append(cats, escape(meeting.TypeName(t, "en")))
	}
	if len(cats) > 0 {
		b.line("CATEGORIES:" + strings.Join(cats, ","))
	}
	b.line("LAST-MODIFIED:" + utc(m.UpdatedAt))
	b.line("END:VEVENT")
}

// firstDay returns the date (at noon UTC) of the meeting's first
// occurrence: its weekday on or after the day the listing was created, in
// its zone (UTC when loc is nil). It is stable, so the calendar does not
// change from day to day.
func firstDay(m *meeting.Meeting, loc *time.Location) time.Time {
	created := m.CreatedAt
	if created.IsZero() {
		created = m.UpdatedAt
	}
	if loc == nil {
		loc = time.UTC
	}
	y, mo, d := created.In(loc).Date()
	day0 := time.Date(y, mo, d, 12, 0, 0, 0, time.UTC)
	return day0.AddDate(0, 0, (int(m.Day)-int(day0.Weekday())+7)%7)
}

// description says how to take part: join details, notes, types.
func description(m *meeting.Meeting) string {
	var parts []string
	add := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			parts = append(parts, label+v)
		}
	}
	add("Join: ", m.Online.URL)
	add("", m.Online.URLNotes)
	add("Phone: ", m.Online.Phone)
	add("", m.Online.PhoneNote)
	if m.Attendance != meeting.AttendanceOnline {
		add("Location notes: ", m.Location.Notes)
	}
	add("", m.Notes)
	if len(m.Types) > 0 {
		names := make([]string, len(m.Types))
		for i, t := range m.Types {
			names[i] = meeting.TypeName(t, "en")
		}
		add("Types: ", strings.Join(names, ", "))
	}
	add("Listing: ", m.URL)
	return strings.Join(parts, "\n")
}

// writeTimezone writes a VTIMEZONE for loc covering the years fromYear to
// toYear: one STANDARD or DAYLIGHT observance per transition in Go's
// zone data (explicit DTSTART, no RRULE), plus one for the offset in force
// at the start of the range.
func writeTimezone(b *builder, name string, loc *time.Location, fromYear, toYear int) {
	from := time.Date(fromYear, 1, 1, 0, 0, 0, 0, loc)
	to := time.Date(toYear+1, 1, 1, 0, 0, 0, 0, loc)
	b.line("BEGIN:VTIMEZONE")
	b.line("TZID:" + name)
	abbr, off := from.Zone()
	observance(b, from.IsDST(), wall(from), off, off, abbr)
	for t := from; t.Before(to); {
		next, ok := nextTransition(t, to)
		if !ok {
			break
		}
		_, before := next.Add(-time.Second).Zone()
		abbr, after := next.Zone()
		observance(b, next.IsDST(), wall(next.In(time.FixedZone("", before))), before, after, abbr)
		t = next
	}
	b.line("END:VTIMEZONE")
}

// nextTransition finds the first instant after t (and before limit) at
// which loc's offset or abbreviation changes, to the second.
func nextTransition(t, limit time.Time) (time.Time, bool) {
	name0, off0 := t.Zone()
	changed := func(x time.Time) bool { n, o := x.Zone(); return n != name0 || o != off0 }
	lo := t
	hi := t
	for {
		hi = lo.Add(7 * 24 * time.Hour)
		if hi.After(limit) {
			hi = limit
		}
		if changed(hi) {
			break
		}
		if !hi.Before(limit) {
			return time.Time{}, false
		}
		lo = hi
	}
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
		if mid.Equal(lo) {
			break
		}
		if changed(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, true
}

// observance writes one STANDARD or DAYLIGHT component.
func observance(b *builder, dst bool, start string, from, to int, abbr string) {
	kind := "STANDARD"
	if dst {
		kind = "DAYLIGHT"
	}
	b.line("BEGIN:" + kind)
	b.line("DTSTART:" + start)
	b.line("TZOFFSETFROM:" + offset(from))
	b.line("TZOFFSETTO:" + offset(to))
	if abbr != "" && !strings.HasPrefix(abbr, "+") && !strings.HasPrefix(abbr, "-") {
		b.prop("TZNAME", abbr)
	}
	b.line("END:" + kind)
}

// wall formats t's wall clock as a local DATE-TIME (no zone).
func wall(t time.Time) string { return t.Format("20060102T150405") }

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// offset formats seconds east of UTC as ±HHMM (±HHMMSS when needed).
func offset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec%3600/60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}

// duration formats d as an RFC 5545 DURATION (PT1H30M).
func duration(d time.Duration) string {
	min := int(d.Minutes())
	s := "PT"
	if h := min / 60; h > 0 {
		s += strconv.Itoa(h) + "H"
	}
	if m := min % 60; m > 0 || min == 0 {
		s += strconv.Itoa(m) + "M"
	}
	return s
}

// escape escapes a TEXT value (RFC 5545 §3.3.11).
func escape(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// paramValue quotes a parameter value when it holds characters that need it.
func paramValue(s string) string {
	if strings.ContainsAny(s, ":;,") {
		return `"` + strings.ReplaceAll(s, `"`, "") + `"`
	}
	return s
}

// builder collects content lines, folded at 75 octets and ended by CRLF.
type builder struct{ strings.Builder }

// prop writes NAME:value with value escaped as TEXT.
func (b *builder) prop(name, value string) { b.line(name + ":" + escape(value)) }

func (b *builder) line(s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // continuation lines start with a space
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
