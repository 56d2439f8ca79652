package ingest

import (
	"strings"
	"sync"
	"time"

	"github.com/ringsaturn/tzf"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// ZoneFinder names the IANA time zone at a point ([lon, lat]); "" when it
// does not know one. Implementations must be safe for concurrent use.
type ZoneFinder interface {
	Zone(lng, lat float64) string
}

// tzfFinder is ZoneFinder on github.com/ringsaturn/tzf's default (lite,
// offline) boundary data, built on first use: building it takes a moment
// and some memory, so imports that never need it never pay for it.
type tzfFinder struct {
	once sync.Once
	f    tzf.F
	err  error
}

// defaultZones is shared by every Importer that does not bring its own.
var defaultZones = &tzfFinder{}

// Zone implements ZoneFinder. Zones of the ocean ("Etc/GMT+5") are not
// meeting places and yield "".
func (t *tzfFinder) Zone(lng, lat float64) string {
	t.once.Do(func() { t.f, t.err = tzf.NewDefaultFinder() })
	if t.err != nil {
		return ""
	}
	z := t.f.GetTimezoneName(lng, lat)
	if strings.HasPrefix(z, "Etc/") {
		return ""
	}
	return z
}

// ZoneRule names the rule that gave a meeting its zone, in the order the
// rules are tried (see decideZones).
type ZoneRule int

// The zone rules, first tried first.
const (
	// ZoneNone: no rule applied; the meeting has no zone (and is flagged).
	ZoneNone ZoneRule = iota
	// ZoneFromRecord: the record named its zone.
	ZoneFromRecord
	// ZoneFromText: the record's text named one ("8pm Eastern").
	ZoneFromText
	// ZoneFromSource: the source's default (its online default for an
	// online meeting).
	ZoneFromSource
	// ZoneFromPoint: the zone at the point of a meeting held at a place.
	ZoneFromPoint
)

// String names the rule as reports and the API do.
func (r ZoneRule) String() string {
	switch r {
	case ZoneFromRecord:
		return "record"
	case ZoneFromText:
		return "text"
	case ZoneFromSource:
		return "source"
	case ZoneFromPoint:
		return "point"
	}
	return "none"
}

// zoneDecider gives meetings their zones; it remembers which zone names
// load and which pairs of zones keep the same clock.
type zoneDecider struct {
	src   meeting.Source
	zones ZoneFinder
	now   time.Time
	valid map[string]bool
	same  map[[2]string]bool
}

// newZoneDecider returns the decider of one run of src; now picks the
// year over which two zones are compared.
func newZoneDecider(src meeting.Source, zones ZoneFinder, now time.Time) *zoneDecider {
	return &zoneDecider{src: src, zones: zones, now: now, valid: map[string]bool{}, same: map[[2]string]bool{}}
}

// loads reports whether z is a zone time.LoadLocation accepts.
func (d *zoneDecider) loads(z string) bool {
	ok, seen := d.valid[z]
	if !seen {
		_, err := meeting.LoadZone(z)
		ok = err == nil
		d.valid[z] = ok
	}
	return ok
}

// sameClock reports whether zones a and b show the same time all year
// (America/New_York and America/Toronto do; America/Denver and
// America/Phoenix do not): their offsets agree on the 1st and the 15th
// of each month of the coming year.
func (d *zoneDecider) sameClock(a, b string) bool {
	if a == b {
		return true
	}
	key := [2]string{min(a, b), max(a, b)}
	if v, ok := d.same[key]; ok {
		return v
	}
	la, errA := meeting.LoadZone(a)
	lb, errB := meeting.LoadZone(b)
	same := errA == nil && errB == nil
	for i := 0; same && i < 24; i++ {
		t := time.Date(d.now.Year(), d.now.Month()+time.Month(i/2), 1+14*(i%2), 12, 0, 0, 0, time.UTC)
		_, oa := t.In(la).Zone()
		_, ob := t.In(lb).Zone()
		same = oa == ob
	}
	d.same[key] = same
	return same
}

// pointTells reports whether a meeting's point is evidence of its zone:
// only the point of a place people go to is. An online meeting's point
// (a city centroid, a service body's office, the middle of the country)
// and an approximate point are not.
func pointTells(m *meeting.Meeting) bool {
	if !m.Location.HasPoint || m.Location.Approximate {
		return false
	}
	return m.Attendance != meeting.AttendanceOnline
}

// zonesDisagree opens the reason of a meeting flagged because its text or
// its point disagrees with the zone chosen.
const zonesDisagree = "zones disagree"

// zoneCandidate is what one rule says.
type zoneCandidate struct {
	rule ZoneRule
	zone string
	said string // for the text rule, the words
}

// describe names the candidate for a report: "America/New_York (from the
// record)".
func (c zoneCandidate) describe() string {
	switch c.rule {
	case ZoneFromRecord:
		return c.zone + " (the record's)"
	case ZoneFromText:
		return c.zone + " (the text says \"" + c.said + "\")"
	case ZoneFromSource:
		return c.zone + " (the source's default)"
	case ZoneFromPoint:
		return c.zone + " (at its point)"
	}
	return c.zone
}

// decide gives m its zone by the first rule that applies: the record's
// zone; a zone named in its text; the source's default (OnlineTimeZone
// for an online meeting when set, else TimeZone); the zone at its point,
// when the point is a place (pointTells). It returns the rule used and
// the problems to report: a flag when the text or the point disagrees
// with the zone chosen (naming both), and a flag when no rule applies (an
// online meeting then keeps no zone rather than a guessed one: a wrong
// clock is worse than none).
func (d *zoneDecider) decide(m *meeting.Meeting) (ZoneRule, []meeting.Problem) {
	var probs []meeting.Problem
	flag := func(reason string) {
		probs = append(probs, meeting.Problem{ExternalID: m.ExternalID, Name: m.Name, Severity: meeting.Flagged, Field: "timezone", Reason: reason})
	}
	var cands []zoneCandidate
	if m.TimeZone != "" {
		cands = append(cands, zoneCandidate{rule: ZoneFromRecord, zone: m.TimeZone})
	}
	tz, said, note := textZone(m)
	if tz != "" && d.loads(tz) {
		cands = append(cands, zoneCandidate{rule: ZoneFromText, zone: tz, said: said})
	}
	def := d.src.TimeZone
	if m.Attendance == meeting.AttendanceOnline && d.src.OnlineTimeZone != "" {
		def = d.src.OnlineTimeZone
	}
	if def != "" {
		cands = append(cands, zoneCandidate{rule: ZoneFromSource, zone: def})
	}
	if pointTells(m) && d.zones != nil {
		if z := d.zones.Zone(m.Location.Lng(), m.Location.Lat()); z != "" && d.loads(z) {
			cands = append(cands, zoneCandidate{rule: ZoneFromPoint, zone: z})
		}
	}
	if len(cands) == 0 {
		reason := "no time zone: the record gives none and it has no point to infer one from; give the source a default with --timezone"
		switch {
		case m.Attendance == meeting.AttendanceOnline:
			reason = "no time zone: an online meeting whose record, text and source give none (its point, if any, says nothing about its clock); left empty; give the source --online-timezone"
		case m.Location.HasPoint && m.Location.Approximate:
			reason = "no time zone: the record gives none and its point is only approximate; left empty; give the source a default with --timezone"
		}
		if note != "" {
			reason += "; " + note
		}
		flag(reason)
		return ZoneNone, probs
	}
	chosen := cands[0]
	m.TimeZone = chosen.zone
	// The text and the point are evidence about this meeting; the
	// source's default is only a fallback, so it is never the one that
	// disagrees.
	var against []string
	for _, c := range cands[1:] {
		if c.rule == ZoneFromSource || d.sameClock(c.zone, chosen.zone) {
			continue
		}
		against = append(against, c.describe())
	}
	if len(against) > 0 {
		flag(zonesDisagree + ": kept " + chosen.describe() + "; but " + strings.Join(against, ", "))
	}
	return chosen.rule, probs
}

// fillZones gives every meeting of src its zone (zoneDecider.decide) and
// returns the problems added and the meetings counted by rule. Problems
// carry Record 0: the importers do not say which record a meeting came
// from.
func fillZones(ms []meeting.Meeting, src meeting.Source, zones ZoneFinder, now time.Time) ([]meeting.Problem, meeting.ZoneCounts) {
	var probs []meeting.Problem
	var counts meeting.ZoneCounts
	d := newZoneDecider(src, zones, now)
	for i := range ms {
		rule, ps := d.decide(&ms[i])
		switch rule {
		case ZoneFromRecord:
			counts.Record++
		case ZoneFromText:
			counts.Text++
		case ZoneFromSource:
			counts.Source++
		case ZoneFromPoint:
			counts.Point++
		default:
			counts.None++
		}
		for _, p := range ps {
			if strings.HasPrefix(p.Reason, zonesDisagree) {
				counts.Conflicts++
				break
			}
		}
		probs = append(probs, ps...)
	}
	return probs, counts
}
