package ingest

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// northAmerican reads the city, state and postal code at the end of a
// North American formatted address ("337 Spring St, West Pittston, PA
// 18643, USA"), as the places view does (migrations/0005_places.sql).
var northAmerican = regexp.MustCompile(`, ([^,]+), ([A-Z]{2}) ([0-9]{5}(?:-[0-9]{4})?|[A-Z][0-9][A-Z] ?[0-9][A-Z][0-9])(?:, ([^,]+))?$`)

// placeParts are what a meeting's address says about where it is, as the
// places are keyed: the postal code (upper case), the city (folded), the
// region (upper case) and the country's code ("" when unknown).
type placeParts struct {
	postal, city, region, country string
}

// partsOf reads loc's parts, from its fields or else its formatted address.
func partsOf(loc *meeting.Location) placeParts {
	p := placeParts{postal: strings.ToUpper(strings.TrimSpace(loc.PostalCode)), city: meeting.Fold(strings.TrimSpace(loc.City)),
		region: strings.ToUpper(strings.TrimSpace(loc.Region)), country: countryCode(loc.Country)}
	if p.country == "" && loc.Country == "" {
		p.country = countryByRegionName(loc.Region)
	}
	if (p.postal == "" || p.city == "") && loc.FormattedAddress != "" {
		if a := northAmerican.FindStringSubmatch(strings.TrimSpace(loc.FormattedAddress)); a != nil {
			if p.city == "" {
				p.city = meeting.Fold(strings.TrimSpace(a[1]))
			}
			if p.region == "" {
				p.region = a[2]
			}
			if p.postal == "" {
				p.postal = a[3]
			}
			if p.country == "" {
				if p.country = countryCode(a[4]); p.country == "" {
					p.country = "CA"
					if a[3][0] >= '0' && a[3][0] <= '9' {
						p.country = "US"
					}
				}
			}
		}
	}
	return p
}

// centreTally sums the points of one place of the run's own meetings.
type centreTally struct {
	region, country string
	lng, lat        float64
	n               int
}

// centroidPlacer places meetings that have an address but no point at the
// centre of the listed meetings of their postal code, else of their city
// and region: first the run's own meetings with exact points, then the
// places of every source (CentreFinder, when there is one).
type centroidPlacer struct {
	own   map[[2]string][]*centreTally // {kind, key} → tallies by region and country
	db    []meeting.PlaceCentre
	zones ZoneFinder
}

// candidate is one place a meeting could be placed at.
type candidate struct {
	kind, key       string
	region, country string
	at              orb.Point
	n               int
}

// matches keeps the candidates whose region and country do not contradict
// p's (an unknown one matches anything).
func (p placeParts) matches(c candidate) bool {
	if p.country != "" && c.country != "" && countryCode(c.country) != p.country {
		return false
	}
	return c.kind != meeting.PlaceCity || p.region == "" || c.region == "" || strings.EqualFold(c.region, p.region)
}

// pick returns the one place among cs that p fits, or false when none or
// several (a "Springfield" without a state is not guessed).
func (p placeParts) pick(cs []candidate) (candidate, bool) {
	var got []candidate
	for _, c := range cs {
		if p.matches(c) {
			got = append(got, c)
		}
	}
	if len(got) != 1 {
		return candidate{}, false
	}
	return got[0], true
}

// wantsCentre reports whether m should be placed: held at a place, with
// no point, and an address that names a postal code or a city.
func wantsCentre(m *meeting.Meeting) bool {
	return !m.Location.HasPoint && m.Attendance.HasPlace()
}

// placeAtCentroids places the meetings of ms that want a centre
// (wantsCentre): at the centre of their postal code, else of their city
// and region, from the run's own meetings first, then from places (nil:
// the run's own only). A centre that contradicts the meeting's address
// (pointContradiction) is not used. A placed meeting's point is
// Approximate: it gets no walking distance and gives no zone. It returns
// a Flagged problem for each placed meeting and how many there are; a
// failing CentreFinder fails the run.
func placeAtCentroids(ctx context.Context, ms []meeting.Meeting, places meeting.CentreFinder, zones ZoneFinder) ([]meeting.Problem, int, error) {
	cp := centroidPlacer{own: map[[2]string][]*centreTally{}, zones: zones}
	var want []int
	postals, cities := map[string]bool{}, map[string]bool{}
	for i := range ms {
		m := &ms[i]
		if m.Location.HasPoint && !m.Location.Approximate {
			cp.add(partsOf(&m.Location), m.Location.Point)
			continue
		}
		if wantsCentre(m) {
			p := partsOf(&m.Location)
			if p.postal == "" && p.city == "" {
				continue
			}
			want = append(want, i)
			if p.postal != "" {
				postals[p.postal] = true
			}
			if p.city != "" {
				cities[p.city] = true
			}
		}
	}
	if len(want) == 0 {
		return nil, 0, nil
	}
	if places != nil {
		db, err := places.Centres(ctx, keys(postals), keys(cities))
		if err != nil {
			return nil, 0, err
		}
		cp.db = db
	}
	var probs []meeting.Problem
	for _, i := range want {
		m := &ms[i]
		c, ok := cp.find(m)
		if !ok {
			continue
		}
		m.Location.Point, m.Location.HasPoint, m.Location.Approximate = c.at, true, true
		what := "postal code " + c.key
		if c.kind == meeting.PlaceCity {
			what = "city " + c.key
			if c.region != "" {
				what += ", " + c.region
			}
		}
		probs = append(probs, meeting.Problem{ExternalID: m.ExternalID, Name: m.Name, Severity: meeting.Flagged, Field: "location",
			Reason: fmt.Sprintf("no point: placed at the centre of the %d listed meetings of %s (approximate: no walking distance, no directions)", c.n, what)})
	}
	return probs, len(probs), nil
}

// add counts a meeting of the run at point at under its postal code and
// its city.
func (cp *centroidPlacer) add(p placeParts, at orb.Point) {
	tally := func(kind, key, region string) {
		if key == "" {
			return
		}
		k := [2]string{kind, key}
		for _, t := range cp.own[k] {
			if t.region == region && t.country == p.country {
				t.lng, t.lat, t.n = t.lng+at.Lon(), t.lat+at.Lat(), t.n+1
				return
			}
		}
		cp.own[k] = append(cp.own[k], &centreTally{region: region, country: p.country, lng: at.Lon(), lat: at.Lat(), n: 1})
	}
	tally(meeting.PlacePostalCode, p.postal, "")
	tally(meeting.PlaceCity, p.city, p.region)
}

// find returns the place m goes at: its postal code, else its city, each
// from the run's own meetings first; a centre that contradicts m's
// address is passed over.
func (cp *centroidPlacer) find(m *meeting.Meeting) (candidate, bool) {
	p := partsOf(&m.Location)
	for _, kk := range [...]struct{ kind, key string }{{meeting.PlacePostalCode, p.postal}, {meeting.PlaceCity, p.city}} {
		if kk.key == "" {
			continue
		}
		var own []candidate
		for _, t := range cp.own[[2]string{kk.kind, kk.key}] {
			own = append(own, candidate{kind: kk.kind, key: kk.key, region: t.region, country: t.country,
				at: orb.Point{t.lng / float64(t.n), t.lat / float64(t.n)}, n: t.n})
		}
		var db []candidate
		for _, c := range cp.db {
			if c.Kind == kk.kind && (c.Kind == meeting.PlacePostalCode && strings.EqualFold(c.Key, kk.key) || c.Kind == meeting.PlaceCity && meeting.Fold(c.Key) == kk.key) {
				db = append(db, candidate{kind: c.Kind, key: c.Key, region: c.Region, country: c.Country, at: c.Point, n: c.Meetings})
			}
		}
		for _, cs := range [][]candidate{own, db} {
			c, ok := p.pick(cs)
			if !ok {
				continue
			}
			try := *m
			try.Location.Point, try.Location.HasPoint = c.at, true
			if pointContradiction(&try, cp.zones) != "" {
				continue
			}
			return c, true
		}
	}
	return candidate{}, false
}

// keys returns the keys of set.
func keys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out
}
