// Package demo generates a synthetic but realistic set of meetings,
// deterministically from a seed, so that a fresh install answers queries
// with real-looking results at once and benchmarks can scale to a million
// meetings.
//
// Meetings are scattered around about 120 real cities (see Cities) on every
// continent and on both sides of UTC and of the antimeridian, each with its
// city's IANA zone. Names, types, schedules, attendance and addresses follow
// the shapes of real listings: about 55% AA, 20% NA, 8% Al-Anon, 6% SMART,
// 5% Celebrate Recovery, 4% sober activity groups and 2% other
// fellowships; 70% in person, 15% hybrid, 13% online and 2% inactive
// (temporarily closed, type TC). Everything is made up: street addresses
// are plausible rather than real, join links do not lead to real meetings
// and dial-in numbers are in the +1-212-555-01xx range (555-0100 to 0199 are kept for fiction). Every
// meeting passes (*meeting.Meeting).Validate.
//
// Online-only meetings carry an approximate location: a point in the area
// the group serves (scattered like the city's other meetings, so thousands
// of them do not tie at one point) with Approximate set, HasPoint true, and
// only city, region and country filled in, so a "near me" query around the
// city still finds them.
//
// The package only generates; it does no I/O and reads no time-zone data.
package demo

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/paulmach/orb"
)

// Source is the meeting.Meeting Source of every generated meeting.
const Source = "demo"

// Generator yields synthetic meetings deterministically from a seed: two
// generators made with the same seed yield the same meetings in the same
// order (for a given version of this package and of Go's math/rand/v2).
// A Generator is not safe for concurrent use.
//
// A listing held on several days comes out as consecutive meetings, one per
// day, sharing GroupKey "demo-<n>" with ExternalIDs "demo-<n>-<day>"; a
// one-day listing has ExternalID "demo-<n>" and no GroupKey. Listings are
// numbered from 1.
type Generator struct {
	pcg *rand.PCG
	rnd *rand.Rand

	listing int64 // number of the current listing

	cur     meeting.Meeting // the current listing, Day and ExternalID aside
	days    [7]meeting.Weekday
	extIDs  [7]string
	ndays   int
	nextDay int

	buf   []byte   // scratch for building the current listing's text
	slab  []string // backing store for Types and Regions slices
	types [16]string
}

// New returns a Generator seeded with seed.
func New(seed int64) *Generator {
	pcg := rand.NewPCG(uint64(seed), 0x6d656574696e6773) // "meetings"
	return &Generator{pcg: pcg, rnd: rand.New(pcg), buf: make([]byte, 0, 256)}
}

// Generate returns the first n meetings of New(seed) (none when n <= 0).
// The last listing may be cut short when n falls in the middle of a
// multi-day listing.
func Generate(seed int64, n int) []meeting.Meeting {
	n = max(n, 0)
	g := New(seed)
	ms := make([]meeting.Meeting, n)
	for i := range ms {
		ms[i] = g.Next()
	}
	return ms
}

// Next returns the next meeting: Source "demo", Status published, no ID
// and zero timestamps (the store sets those).
func (g *Generator) Next() meeting.Meeting {
	if g.nextDay >= g.ndays {
		g.newListing()
	}
	m := g.cur
	i := g.nextDay
	g.nextDay++
	m.Day = g.days[i]
	m.ExternalID = g.extIDs[i]
	if i > 0 {
		// Each row gets its own slices so that changing one row's types or
		// regions cannot change another's.
		m.Types = g.strings(m.Types...)
		m.Location.Regions = g.strings(m.Location.Regions...)
	}
	return m
}

// strings copies ss into the slab and returns the copy with cap == len.
func (g *Generator) strings(ss ...string) []string {
	if len(ss) == 0 {
		return nil
	}
	if len(g.slab) < len(ss) {
		g.slab = make([]string, 4096)
	}
	s := g.slab[:len(ss):len(ss)]
	g.slab = g.slab[len(ss):]
	copy(s, ss)
	return s
}

// intn returns a uniform random number in [0, n).
func (g *Generator) intn(n int) int {
	hi, _ := mulHi(g.pcg.Uint64(), uint64(n))
	return int(hi)
}

// mulHi returns the high and low words of a*b.
func mulHi(a, b uint64) (uint64, uint64) {
	const mask32 = 1<<32 - 1
	a0, a1 := a&mask32, a>>32
	b0, b1 := b&mask32, b>>32
	w0 := a0 * b0
	t := a1*b0 + w0>>32
	w1 := t&mask32 + a0*b1
	return a1*b1 + t>>32 + w1>>32, a * b
}

// chance reports true with probability p.
func (g *Generator) chance(p float64) bool {
	return float64(g.pcg.Uint64()>>11)*(1.0/(1<<53)) < p
}

// pick returns a random element of ss.
func (g *Generator) pick(ss []string) string { return ss[g.intn(len(ss))] }

// newListing draws the next listing into g.cur and its days. The steps
// draw from g's random source in a fixed order (city, program, language,
// attendance, name and types, schedule, address, join details, place,
// notes), so a seed always yields the same listings.
func (g *Generator) newListing() {
	g.listing++
	c := &cityTable[weighted(g, cityCum)]
	prog := programs[weighted(g, programCum)]
	lang, langType, english := g.drawLanguage(c)
	att := g.drawAttendance()
	g.cur = meeting.Meeting{
		Source:     Source,
		Program:    prog,
		TimeZone:   c.City.Zone,
		Attendance: att,
		Status:     meeting.StatusPublished,
		End:        meeting.NoClock,
	}
	church := g.drawNameAndTypes(c, prog, lang, langType, att)
	g.schedule(prog, nameSlots[g.cur.Name])
	t := g.buildText(c, att)
	g.setExternalIDs(t)
	g.locate(c, prog, church, t)
	g.setJoinDetails(t)
	g.drawNotes(c, prog, lang, english)
}

// drawLanguage draws the language the meeting is held in (and so the name
// tables to use): the city's, or Spanish for 8% of meetings in English-
// speaking US and Canadian cities, or English for a quarter of meetings
// elsewhere (english true). langType is the language's type code.
func (g *Generator) drawLanguage(c *cityData) (lang, langType string, english bool) {
	lang, langType = c.lang, c.langType
	switch {
	case c.City.Language == "en":
		if (c.City.Country == "US" || c.City.Country == "CA") && g.chance(0.08) {
			lang, langType = "es", "S"
		}
	case g.chance(0.25):
		lang, langType, english = "en", "EN", true
	}
	return lang, langType, english
}

// drawAttendance draws how the meeting is attended: 70% in person, 15%
// hybrid, 13% online and 2% inactive.
func (g *Generator) drawAttendance() meeting.Attendance {
	switch r := g.intn(100); {
	case r < 70:
		return meeting.AttendanceInPerson
	case r < 85:
		return meeting.AttendanceHybrid
	case r < 98:
		return meeting.AttendanceOnline
	default:
		return meeting.AttendanceInactive
	}
}

// drawNameAndTypes draws the current listing's name in lang and sets its
// types: those the name and program imply, then addTypes'. It returns the
// church that hosts a Celebrate Recovery meeting, "" for other programs.
func (g *Generator) drawNameAndTypes(c *cityData, prog meeting.Program, lang, langType string, att meeting.Attendance) (church string) {
	m := &g.cur
	online := att == meeting.AttendanceOnline
	nt := g.types[:0]
	switch prog {
	case meeting.ProgramAA:
		e := g.pickNamed(aaTables[lang])
		nt = append(nt, g.either(0.55, "O", "C"))
		nt = g.useName(nt, e)
		if !hasAny(e.types, demographics) && g.chance(0.12) {
			nt = append(nt, g.pick(demographics))
		}
	case meeting.ProgramNA:
		e := g.pickNamed(naTables[lang])
		nt = append(nt, g.either(0.6, "O", "C"))
		nt = g.useName(nt, e)
		if g.chance(0.08) {
			nt = append(nt, g.pick([]string{"W", "M", "Y", "LGBTQ"}))
		}
	case meeting.ProgramAlAnon:
		e := g.pickNamed(alAnonTables[lang])
		nt = append(nt, g.either(0.7, "C", "O"))
		nt = g.useName(nt, e)
	case meeting.ProgramSMART:
		if lang == "es" {
			m.Name = g.pick(smartES)
		} else if c.small || g.chance(0.3) {
			m.Name = c.smartCity
		} else {
			m.Name = g.pick(smartEN)
		}
	case meeting.ProgramCelebrateRecovery:
		if lang == "es" {
			i := g.intn(len(churchesES))
			m.Name, church = crES[i], churchesES[i]
		} else {
			i := g.intn(len(churches))
			m.Name, church = crEN[i], churches[i]
		}
		if !online && g.chance(0.3) {
			nt = append(nt, "BA")
		}
	case meeting.ProgramActivity:
		ns := activityNames
		if online {
			ns = activityIndoor // no online running clubs
		}
		nt = g.useName(nt, g.pickNamed(ns))
	default:
		nt = g.useName(nt, g.pickNamed(otherNames))
	}
	m.Types = g.strings(g.addTypes(nt, langType, att)...)
	return church
}

// useName makes e the current listing's name and appends its types to nt.
func (g *Generator) useName(nt []string, e named) []string {
	g.cur.Name = e.name
	return append(nt, e.types...)
}

// either returns a with probability p, else b.
func (g *Generator) either(p float64, a, b string) string {
	if g.chance(p) {
		return a
	}
	return b
}

// addTypes appends to nt the language's type code, wheelchair access (X,
// sometimes with XB) for 30% of meetings with a room, and TC for inactive
// ones, then drops from an online meeting's types those that need a room.
func (g *Generator) addTypes(nt []string, langType string, att meeting.Attendance) []string {
	if langType != "" {
		nt = append(nt, langType)
	}
	if att.HasPlace() && g.chance(0.3) {
		nt = append(nt, "X")
		if g.chance(0.3) {
			nt = append(nt, "XB")
		}
	}
	if att == meeting.AttendanceInactive {
		nt = append(nt, "TC")
	}
	if att == meeting.AttendanceOnline {
		// Outdoor, candlelight, babysitting and the like need a room.
		k := 0
		for _, t := range nt {
			if !inPersonOnly[t] {
				nt[k] = t
				k++
			}
		}
		nt = nt[:k]
	}
	return nt
}

// listingText is the current listing's text in one string, which its
// fields slice, and where each part ends; a part that is absent is empty.
type listingText struct {
	s      string
	idEnds [7]int // the external id of day i is s[idEnds[i-1]:idEnds[i]] (from 0 for i == 0)
	// the street address, the postal code within it and the formatted
	// address that begins with it
	addrStart, addrEnd, pcStart, pcEnd, fmtEnd int
	// the join URL, then the dial-in phone and its note
	urlStart, urlEnd, phoneEnd, noteEnd int
}

// buildText writes the current listing's external ids, street address
// (unless online) and join details (online and hybrid) into g.buf and
// returns them as one string with their bounds.
func (g *Generator) buildText(c *cityData, att meeting.Attendance) listingText {
	var t listingText
	b := g.buf[:0]
	for i := 0; i < g.ndays; i++ {
		b = append(b, "demo-"...)
		b = strconv.AppendInt(b, g.listing, 10)
		if g.ndays > 1 {
			b = append(b, '-', byte('0'+g.days[i]))
		}
		t.idEnds[i] = len(b)
	}
	if att != meeting.AttendanceOnline {
		t.addrStart = len(b)
		b, t.addrEnd, t.pcStart, t.pcEnd = g.appendAddress(b, c)
		t.fmtEnd = len(b)
	}
	if att == meeting.AttendanceOnline || att == meeting.AttendanceHybrid {
		b = g.appendJoinDetails(b, &t)
	}
	g.buf = b
	t.s = string(b)
	return t
}

// appendJoinDetails appends a Zoom URL to b and, for 35% of meetings, a
// dial-in number and the note that repeats the meeting id, recording their
// bounds in t.
func (g *Generator) appendJoinDetails(b []byte, t *listingText) []byte {
	t.urlStart = len(b)
	b = append(b, "https://zoom.us/j/"...)
	idStart := len(b)
	b = append(b, byte('1'+g.intn(9)))
	for range 9 {
		b = append(b, byte('0'+g.intn(10)))
	}
	t.urlEnd = len(b)
	t.phoneEnd, t.noteEnd = t.urlEnd, t.urlEnd
	if g.chance(0.35) {
		b = append(b, "+1-212-555-01"...)
		b = append(b, byte('0'+g.intn(10)), byte('0'+g.intn(10)))
		t.phoneEnd = len(b)
		b = append(b, "Meeting ID "...)
		b = append(b, b[idStart:idStart+3]...)
		b = append(b, ' ')
		b = append(b, b[idStart+3:idStart+6]...)
		b = append(b, ' ')
		b = append(b, b[idStart+6:idStart+10]...)
		t.noteEnd = len(b)
	}
	return b
}

// setExternalIDs gives each day of the current listing its external id,
// and a listing of several days its group key.
func (g *Generator) setExternalIDs(t listingText) {
	start := 0
	for i := 0; i < g.ndays; i++ {
		g.extIDs[i] = t.s[start:t.idEnds[i]]
		start = t.idEnds[i]
	}
	g.nextDay = 0
	if g.ndays > 1 {
		id := g.extIDs[0]
		g.cur.GroupKey = id[:len(id)-2]
	}
}

// locate sets the current listing's location: for an online meeting an
// approximate point in the city and only city, region and country; else
// the address of t, a venue (the church of a Celebrate Recovery meeting,
// the park of an outdoor activity group), a point and sometimes notes.
func (g *Generator) locate(c *cityData, prog meeting.Program, church string, t listingText) {
	m := &g.cur
	loc := &m.Location
	loc.City = c.City.Name
	loc.Region = c.City.Region
	loc.Country = c.City.Country
	loc.Regions = g.strings(c.regions...)
	if m.Attendance == meeting.AttendanceOnline {
		loc.FormattedAddress = c.approxAddress
		loc.Point = g.scatter(c)
		loc.HasPoint = true
		loc.Approximate = true
		return
	}
	loc.Address = t.s[t.addrStart:t.addrEnd]
	loc.PostalCode = t.s[t.pcStart:t.pcEnd]
	loc.FormattedAddress = t.s[t.addrStart:t.fmtEnd]
	switch {
	case church != "":
		loc.Name = church
	case prog == meeting.ProgramActivity && hasAny(m.Types, []string{"OUT"}):
		loc.Name = c.parkName
	default:
		loc.Name = g.pick(c.venues)
	}
	loc.Point = g.scatter(c)
	loc.HasPoint = true
	if g.chance(0.2) {
		loc.Notes = g.pick(locationNotes)
	}
}

// setJoinDetails sets the current listing's join URL (with notes for a
// quarter of them) and dial-in phone from t, when it has them.
func (g *Generator) setJoinDetails(t listingText) {
	if t.urlEnd == 0 {
		return
	}
	m := &g.cur
	m.Online.URL = t.s[t.urlStart:t.urlEnd]
	if g.chance(0.25) {
		m.Online.URLNotes = g.pick(urlNotes)
	}
	if t.phoneEnd > t.urlEnd {
		m.Online.Phone = t.s[t.urlEnd:t.phoneEnd]
		m.Online.PhoneNote = t.s[t.phoneEnd:t.noteEnd]
	}
}

// drawNotes gives 15% of listings notes, and a quarter of English-language
// AA, NA and Al-Anon meetings in cities with district names (and not
// English for being the second language there) a group name.
func (g *Generator) drawNotes(c *cityData, prog meeting.Program, lang string, english bool) {
	m := &g.cur
	if g.chance(0.15) {
		m.Notes = g.pick(meetingNotes)
	}
	if lang == "en" && !english && !c.small && (prog == meeting.ProgramAA || prog == meeting.ProgramNA || prog == meeting.ProgramAlAnon) && g.chance(0.25) {
		m.Group = g.pick(groupNames)
	}
}

// pickNamed returns a random entry of ns.
func (g *Generator) pickNamed(ns []named) named { return ns[g.intn(len(ns))] }

// schedule draws the days, start and end of the current listing; a name
// tied to a time of day (sl) fixes the start to that part of the day.
func (g *Generator) schedule(prog meeting.Program, sl slot) {
	m := &g.cur
	var start meeting.Clock
	switch {
	case prog == meeting.ProgramActivity:
		g.ndays = 1
		g.days[0] = meeting.Weekday(weighted(g, activityDayCum))
		start = activityStarts[weighted(g, activityStartCum)].clock
	case g.chance(multiDayShare):
		p := dayPatterns[weighted(g, dayPatternCum)]
		g.ndays = copy(g.days[:], p.days)
		start = dailyStarts[weighted(g, dailyStartCum)].clock
	default:
		g.ndays = 1
		g.days[0] = meeting.Weekday(g.intn(7))
		start = starts[weighted(g, startCum)].clock
	}
	if sl != anyTime {
		ss := slotStarts[sl]
		start = ss[g.intn(len(ss))]
	}
	dur := 60
	switch {
	case prog == meeting.ProgramActivity:
		dur = 90
	case start >= meeting.NewClock(22, 0) || start < meeting.NewClock(5, 0):
		// Late-night meetings are an hour.
	case g.chance(0.3):
		dur = 90
	}
	m.Start = start
	m.End = meeting.Clock((int(start) + dur) % (24 * 60))
}

// appendAddress appends a street address and the formatted address that
// begins with it to b, and returns b with the end of the street address and
// the bounds of the postal code within it.
func (g *Generator) appendAddress(b []byte, c *cityData) (_ []byte, addrEnd, pcStart, pcEnd int) {
	street := g.pick(c.streets)
	if c.numberFirst {
		b = strconv.AppendInt(b, int64(1+g.intn(c.maxNumber)), 10)
		b = append(b, ' ')
		b = append(b, street...)
	} else {
		b = append(b, street...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(1+g.intn(c.maxNumber)), 10)
	}
	addrEnd = len(b)
	b = append(b, ", "...)
	switch c.style {
	case styleNorthAmerican: // 12 Main Street, Boston, MA 02108, USA
		b = append(b, c.City.Name...)
		b = append(b, ", "...)
		b = append(b, c.City.Region...)
		pcStart = len(b) + 1
		if c.City.Postal != "" {
			b = append(b, ' ')
			b = g.appendPostal(b, c.City.Postal)
		}
		pcEnd = len(b)
	case styleBritish: // 12 High Street, London SE1 4AB, UK
		b = append(b, c.City.Name...)
		pcStart = len(b) + 1
		if c.City.Postal != "" {
			b = append(b, ' ')
			b = g.appendPostal(b, c.City.Postal)
		}
		pcEnd = len(b)
	default: // Hauptstraße 12, 10115 Berlin, Germany
		if c.City.Postal != "" {
			pcStart = len(b)
			b = g.appendPostal(b, c.City.Postal)
			pcEnd = len(b)
			b = append(b, ' ')
		} else {
			pcStart, pcEnd = len(b), len(b)
		}
		b = append(b, c.City.Name...)
	}
	if pcStart > pcEnd {
		pcStart = pcEnd
	}
	if c.country != c.City.Name { // not "Singapore, Singapore"
		b = append(b, ", "...)
		b = append(b, c.country...)
	}
	return b, addrEnd, pcStart, pcEnd
}

// appendPostal appends a postal code following pattern ('#' digit, '@'
// capital letter, anything else literal).
func (g *Generator) appendPostal(b []byte, pattern string) []byte {
	for i := 0; i < len(pattern); i++ {
		switch ch := pattern[i]; ch {
		case '#':
			b = append(b, byte('0'+g.intn(10)))
		case '@':
			b = append(b, postalLetters[g.intn(len(postalLetters))])
		default:
			b = append(b, ch)
		}
	}
	return b
}

// postalLetters are the letters used in generated postal codes (no I, O,
// Q, which several countries avoid).
const postalLetters = "ABCDEFGHJKLMNPRSTUVWXYZ"

// scatter returns a point near the city centre: each axis normally
// distributed with the city's spread, cut off at three spreads, latitude
// clamped to [-90, 90] and longitude wrapped into [-180, 180].
func (g *Generator) scatter(c *cityData) orb.Point {
	var dx, dy float64
	for {
		dx, dy = g.rnd.NormFloat64(), g.rnd.NormFloat64()
		if dx*dx+dy*dy <= 9 {
			break
		}
	}
	lat := c.City.Lat + dy*c.spreadLat
	lng := c.City.Lng + dx*c.spreadLng
	return orb.Point{wrapLng(lng), clampLat(lat)}
}

// clampLat limits lat to [-90, 90].
func clampLat(lat float64) float64 { return math.Max(-90, math.Min(90, lat)) }

// wrapLng brings lng into [-180, 180].
func wrapLng(lng float64) float64 {
	for lng > 180 {
		lng -= 360
	}
	for lng < -180 {
		lng += 360
	}
	return lng
}

// hasAny reports whether any of want is in have.
func hasAny(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}

// weighted returns an index drawn with the probabilities of the cumulative
// weights cum (ascending, last element the total).
func weighted(g *Generator, cum []float64) int {
	x := float64(g.pcg.Uint64()>>11) * (1.0 / (1 << 53)) * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if cum[mid] <= x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}
