package demo

import (
	"math"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// This file derives, once per process, the lookup tables the generator
// draws from: per-city strings and spreads, cumulative weights and the
// composite names, so that drawing a meeting builds almost no text.

// addressStyle is the order of the parts of a formatted address.
type addressStyle int

const (
	styleContinental   addressStyle = iota // "Hauptstraße 12, 10115 Berlin, Germany"
	styleNorthAmerican                     // "12 Main Street, Boston, MA 02108, USA"
	styleBritish                           // "12 High Street, London SE1 4AB, UK"
)

// cityData is a City with everything the generator derives from it.
type cityData struct {
	City
	lang          string // name tables: "en", "es", "pt", "fr" or "de"
	langType      string // type code of the local language, "" for English or none
	country       string // country name for formatted addresses
	regions       []string
	approxAddress string // "City, Region, Country", for online meetings
	smartCity     string // "SMART Recovery <City>"
	parkName      string // meeting place of outdoor activity groups
	venues        []string
	streets       []string
	numberFirst   bool
	maxNumber     int
	small         bool // a town too small for district names
	style         addressStyle
	spreadLat     float64 // degrees of latitude per unit of spread
	spreadLng     float64 // degrees of longitude per unit of spread
}

var (
	cityTable = func() []cityData {
		t := make([]cityData, len(cities))
		for i, c := range cities {
			t[i] = newCityData(c)
		}
		return t
	}()
	cityCum = func() []float64 {
		w := make([]float64, len(cities))
		for i, c := range cities {
			w[i] = c.Weight
		}
		return cumulative(w)
	}()
)

// newCityData derives the generator's per-city data from c.
func newCityData(c City) cityData {
	d := cityData{City: c, lang: "en", country: countryNames[c.Country], langType: languageTypes[c.Language]}
	switch c.Language {
	case "es", "pt", "fr", "de":
		d.lang = c.Language
	}
	d.regions = []string{c.Region, c.Name}
	if c.Region == c.Name {
		d.regions = d.regions[1:]
	}
	d.approxAddress = c.Name + ", " + c.Region + ", " + d.country
	switch {
	case c.Name == d.country: // Singapore, Hong Kong
		d.approxAddress = c.Name
	case c.Region == c.Name:
		d.approxAddress = c.Name + ", " + d.country
	}
	d.smartCity = "SMART Recovery " + c.Name
	d.parkName = c.Name + " Regional Park, Trailhead"
	d.numberFirst, d.maxNumber = true, 2999
	switch c.Language {
	case "en":
		d.venues, d.streets = append(append([]string(nil), churches...), venuesEN...), streetsEN
	case "es":
		d.venues, d.streets, d.numberFirst, d.maxNumber = append(append([]string(nil), churchesES...), venuesES...), streetsES, false, 899
		d.parkName = "Parque Metropolitano de " + c.Name
	case "pt":
		d.venues, d.streets, d.numberFirst, d.maxNumber = venuesPT, streetsPT, false, 1999
		d.parkName = "Parque Municipal de " + c.Name
	case "fr":
		d.venues, d.streets, d.maxNumber = venuesFR, streetsFR, 199
		d.parkName = "Parc de " + c.Name
	case "de":
		d.venues, d.streets, d.numberFirst, d.maxNumber = venuesDE, streetsDE, false, 149
		d.parkName = "Stadtpark " + c.Name
	default:
		d.venues, d.streets, d.maxNumber = venuesIntl, streetsEN, 399
	}
	switch c.Country {
	case "GB", "IE", "AU", "NZ", "ZA", "MT", "SG", "HK", "IN", "KE", "NG", "FJ", "WS", "KI":
		if c.Language == "en" {
			d.venues, d.streets, d.maxNumber = venuesUK, streetsUK, 299
		}
	case "AQ":
		// "Building 155": a station has numbered buildings, not streets.
		d.venues, d.streets, d.numberFirst, d.maxNumber = venuesAntarctica, streetsAntarctica, false, 199
	}
	if c.Weight < 0.5 && d.maxNumber > 150 {
		d.maxNumber = 150 // a small town has short streets
	}
	d.small = c.Weight < 0.5
	switch c.Country {
	case "US", "PR", "AS", "GU", "CA", "AU":
		d.style = styleNorthAmerican
	case "GB", "IE", "MT":
		d.style = styleBritish
	}
	spread := c.SpreadKm
	if spread == 0 {
		spread = defaultSpreadKm
	}
	d.spreadLat = spread / 110.574
	d.spreadLng = spread / (111.320 * math.Cos(c.Lat*math.Pi/180))
	return d
}

// multiDayShare is the share of listings (other than activity groups) held
// on several days.
const multiDayShare = 0.12

// programs and programCum give the program mix of listings. The mix of
// meetings is AA 55%, NA 20%, Al-Anon 8%, SMART 6%, Celebrate Recovery 5%,
// activity 4%, other 2%; activity groups meet on one day only, so their
// listings weigh more to make up for the rows other programs' multi-day
// listings add.
var (
	programs   = []meeting.Program{meeting.ProgramAA, meeting.ProgramNA, meeting.ProgramAlAnon, meeting.ProgramSMART, meeting.ProgramCelebrateRecovery, meeting.ProgramActivity, meeting.ProgramOther}
	programCum = func() []float64 {
		days, total := 0.0, 0.0
		for _, p := range dayPatterns {
			days += float64(len(p.days)) * p.weight
			total += p.weight
		}
		rows := 1 + multiDayShare*(days/total-1) // meetings per non-activity listing
		return cumulative([]float64{55, 20, 8, 6, 5, 4 * rows, 2})
	}()
)

// timed is a start time with its weight.
type timed struct {
	clock  meeting.Clock
	weight float64
}

// starts are the start times of one-day meetings, peaking at 07:00, noon
// and the evening, with a few late-night meetings.
var starts = []timed{
	{at(6, 0), 1}, {at(6, 30), 2}, {at(6, 45), 0.5}, {at(7, 0), 8}, {at(7, 30), 3},
	{at(8, 0), 3}, {at(8, 30), 1.5}, {at(9, 0), 3}, {at(9, 30), 1.5}, {at(10, 0), 3},
	{at(10, 30), 2}, {at(11, 0), 1.5}, {at(11, 30), 1}, {at(12, 0), 9}, {at(12, 15), 4},
	{at(12, 30), 3}, {at(13, 0), 1.5}, {at(14, 0), 0.5}, {at(15, 0), 0.5}, {at(16, 0), 0.5},
	{at(17, 0), 2}, {at(17, 30), 3}, {at(17, 45), 0.5}, {at(18, 0), 8}, {at(18, 15), 0.5},
	{at(18, 30), 5}, {at(19, 0), 11}, {at(19, 15), 0.5}, {at(19, 30), 8}, {at(19, 45), 0.5},
	{at(20, 0), 9}, {at(20, 15), 0.5}, {at(20, 30), 3}, {at(21, 0), 2}, {at(21, 30), 0.7},
	{at(22, 0), 0.8}, {at(22, 30), 0.3}, {at(23, 0), 0.4}, {at(23, 30), 0.3}, {at(0, 0), 0.3},
	{at(0, 30), 0.1},
}

// dailyStarts are the start times of listings held on several days, which
// are mostly before work, at lunch and after work.
var dailyStarts = []timed{
	{at(6, 30), 2}, {at(7, 0), 5}, {at(7, 30), 2}, {at(12, 0), 5}, {at(12, 15), 2},
	{at(17, 30), 2}, {at(18, 0), 2}, {at(19, 0), 1},
}

// activityStarts are the start times of activity groups.
var activityStarts = []timed{
	{at(8, 0), 2}, {at(9, 0), 3}, {at(10, 0), 3}, {at(13, 0), 1}, {at(18, 30), 2}, {at(19, 0), 2},
}

var (
	startCum         = cumulativeTimes(starts)
	dailyStartCum    = cumulativeTimes(dailyStarts)
	activityStartCum = cumulativeTimes(activityStarts)
	// activityDayCum weighs Sunday..Saturday for activity groups (weekends).
	activityDayCum = cumulative([]float64{30, 6, 6, 6, 7, 10, 35})
)

// slot is a part of the day a meeting's name ties it to ("Early Birds").
type slot int

const (
	anyTime slot = iota
	morning
	noon
	evening
	night
)

// slotStarts are the start times of meetings whose name names a time of day.
var slotStarts = [...][]meeting.Clock{
	morning: {at(6, 0), at(6, 30), at(7, 0), at(7, 0), at(7, 30)},
	noon:    {at(12, 0), at(12, 0), at(12, 15), at(12, 30)},
	evening: {at(17, 30), at(18, 0)},
	night:   {at(20, 0), at(20, 30), at(21, 0)},
}

// nameSlots ties the names that say so to a time of day.
var nameSlots = map[string]slot{
	"Early Birds": morning, "Sunrise Serenity": morning, "Grupo Amanecer": morning,
	"Lunch Bunch": noon, "Happy Hour Group": evening, "Candlelight Meeting": night,
}

// dayPattern is the set of days of a multi-day listing.
type dayPattern struct {
	days   []meeting.Weekday
	weight float64
}

var (
	dayPatterns = []dayPattern{
		{[]meeting.Weekday{1, 2, 3, 4, 5}, 40},
		{[]meeting.Weekday{0, 1, 2, 3, 4, 5, 6}, 25},
		{[]meeting.Weekday{1, 3, 5}, 15},
		{[]meeting.Weekday{2, 4}, 10},
		{[]meeting.Weekday{0, 6}, 10},
	}
	dayPatternCum = func() []float64 {
		w := make([]float64, len(dayPatterns))
		for i, p := range dayPatterns {
			w[i] = p.weight
		}
		return cumulative(w)
	}()
)

// demographics are the "who it is for" types added to some AA meetings.
var demographics = []string{"W", "M", "Y", "LGBTQ", "SEN", "POC", "BE"}

// inPersonOnly holds the type codes that need a room (meeting.Types).
var inPersonOnly = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range meeting.Types {
		if t.InPersonOnly {
			m[t.Code] = true
		}
	}
	return m
}()

// Name tables by the language a meeting is held in; languages without their
// own table fall back to English.
var (
	aaTables     = map[string][]named{"en": aaNames, "es": aaNamesES, "pt": aaNamesPT, "fr": aaNamesFR, "de": aaNamesDE}
	naTables     = map[string][]named{"en": naNames, "es": naNamesES, "pt": naNames, "fr": naNames, "de": naNames}
	alAnonTables = map[string][]named{"en": alAnonNames, "es": alAnonNamesES, "pt": alAnonNames, "fr": alAnonNames, "de": alAnonNames}
)

// Composite names, built once.
var (
	smartEN    = prefixed("SMART Recovery ", neighborhoods)
	smartES    = prefixed("SMART Recovery ", neighborhoodsES)
	crEN       = prefixed("Celebrate Recovery at ", churches)
	crES       = prefixed("Celebremos la Recuperación en ", churchesES)
	groupNames = func() []string {
		var s []string
		for _, n := range neighborhoods {
			for _, suf := range groupSuffixes {
				s = append(s, n+suf)
			}
		}
		return s
	}()
)

// activityIndoor are the activity groups that could meet online.
var activityIndoor = func() []named {
	var ns []named
	for _, n := range activityNames {
		if !hasAny(n.types, []string{"OUT"}) {
			ns = append(ns, n)
		}
	}
	return ns
}()

// prefixed returns p+s for each s in ss.
func prefixed(p string, ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = p + s
	}
	return out
}

// at returns the Clock for h:m.
func at(h, m int) meeting.Clock { return meeting.NewClock(h, m) }

// cumulative returns the running sums of w.
func cumulative(w []float64) []float64 {
	c := make([]float64, len(w))
	sum := 0.0
	for i, x := range w {
		sum += x
		c[i] = sum
	}
	return c
}

// cumulativeTimes returns the running sums of the weights of ts.
func cumulativeTimes(ts []timed) []float64 {
	w := make([]float64, len(ts))
	for i, t := range ts {
		w[i] = t.weight
	}
	return cumulative(w)
}
