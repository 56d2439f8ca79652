package ingest

//go:generate go run gen_zonecountry.go

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// cachedZones is a ZoneFinder that remembers the zone of each point it
// was asked about, for one run: the rows of a listing held on several
// days share a point, and the point check and the zone rules ask about
// the same points.
type cachedZones struct {
	f    ZoneFinder
	seen map[orb.Point]string
}

// newCachedZones wraps f (nil stays nil).
func newCachedZones(f ZoneFinder) ZoneFinder {
	if f == nil {
		return nil
	}
	return &cachedZones{f: f, seen: map[orb.Point]string{}}
}

// Zone implements ZoneFinder.
func (c *cachedZones) Zone(lng, lat float64) string {
	p := orb.Point{lng, lat}
	if z, ok := c.seen[p]; ok {
		return z
	}
	z := c.f.Zone(lng, lat)
	c.seen[p] = z
	return z
}

// countryAliases are names and codes of countries that the tz
// database's names (countryNames) do not spell, lower case, without
// dots. The four countries of the United Kingdom are GB.
var countryAliases = map[string]string{
	"usa": "US", "us": "US", "united states of america": "US", "united states": "US", "u s a": "US", "america": "US",
	"uk": "GB", "united kingdom": "GB", "great britain": "GB", "britain": "GB", "gbr": "GB",
	"england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB", "cymru": "GB",
	"can": "CA", "aus": "AU", "nzl": "NZ", "irl": "IE", "eire": "IE", "éire": "IE", "republic of ireland": "IE",
	"mex": "MX", "méxico": "MX", "deu": "DE", "deutschland": "DE", "fra": "FR", "esp": "ES", "españa": "ES", "espana": "ES",
	"ita": "IT", "italia": "IT", "zaf": "ZA", "rsa": "ZA", "brasil": "BR", "bra": "BR", "nederland": "NL", "holland": "NL",
	"the netherlands": "NL", "schweiz": "CH", "suisse": "CH", "österreich": "AT", "sverige": "SE", "norge": "NO",
	"danmark": "DK", "suomi": "FI", "polska": "PL", "россия": "RU", "russia": "RU", "south korea": "KR", "korea": "KR",
	"czech republic": "CZ", "czechia": "CZ", "uae": "AE", "the bahamas": "BS", "bahamas": "BS", "the gambia": "GM",
	"ivory coast": "CI", "viet nam": "VN", "vietnam": "VN", "türkiye": "TR", "turkey": "TR",
}

// countryByName maps lower-case country names (the tz database's, and
// the part before a bracket: "Britain (UK)" → "britain") to codes.
var countryByName = func() map[string]string {
	m := map[string]string{}
	for code, name := range countryNames {
		n := normCountry(name)
		m[n] = code
		if i := strings.Index(n, " ("); i > 0 {
			if _, taken := m[n[:i]]; !taken {
				m[n[:i]] = code
			}
		}
	}
	for k, v := range countryAliases {
		m[k] = v
	}
	return m
}()

// normCountry lower-cases s, drops dots and folds runs of spaces.
func normCountry(s string) string {
	s = strings.ToLower(strings.ReplaceAll(s, ".", " "))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }), " ")
}

// countryCode returns the ISO 3166 code that s, a country as feeds write
// it ("US", "USA", "United States", "Scotland", "UK", "CA" for Canada),
// names, or "".
func countryCode(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 2 && strings.ToUpper(s) == s {
		if s == "UK" {
			return "GB"
		}
		if _, ok := countryNames[s]; ok {
			return s
		}
	}
	return countryByName[normCountry(s)]
}

// countryByRegionName reads a region that names a country ("Scotland",
// "England", "Ireland") for a record without a country; codes are not
// read ("CA" there is California).
func countryByRegionName(s string) string {
	n := normCountry(s)
	if len(n) <= 3 {
		return ""
	}
	return countryByName[n]
}

// usStateZones lists the zones each US state uses, as tzf names them
// (a trailing "/" is a prefix: America/Indiana/…); a point of a meeting
// in the state must be in one of them or within reach of one (see
// nearZone). Keys are the postal codes; usStateCodes maps names to them.
var usStateZones = func() map[string][]string {
	const (
		ny, chi, den, la, phx = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix"
	)
	m := map[string][]string{
		"FL": {ny, chi}, "MI": {"America/Detroit", "America/Menominee", ny, chi}, "IN": {"America/Indiana/", chi, ny},
		"KY": {"America/Kentucky/", ny, chi}, "TN": {ny, chi}, "AL": {chi, ny},
		"KS": {chi, den}, "NE": {chi, den}, "SD": {chi, den}, "TX": {chi, den}, "ND": {chi, den, "America/North_Dakota/"},
		"AZ": {phx, den}, "ID": {"America/Boise", la}, "OR": {la, "America/Boise"}, "NV": {la, den},
		"AK": {"America/Anchorage", "America/Juneau", "America/Sitka", "America/Metlakatla", "America/Yakutat", "America/Nome", "America/Adak"},
		"HI": {"Pacific/Honolulu"}, "PR": {"America/Puerto_Rico"}, "VI": {"America/St_Thomas", "America/Puerto_Rico"}, "GU": {"Pacific/Guam"},
	}
	for _, s := range strings.Fields("CT DE DC GA ME MD MA NH NJ NY NC OH PA RI SC VT VA WV") {
		m[s] = []string{ny}
	}
	for _, s := range strings.Fields("AR IL IA LA MN MS MO OK WI") {
		m[s] = []string{chi}
	}
	for _, s := range strings.Fields("CO MT NM UT WY") {
		m[s] = []string{den}
	}
	for _, s := range strings.Fields("CA WA") {
		m[s] = []string{la}
	}
	return m
}()

// usStateCodes maps lower-case US state names to their postal codes.
var usStateCodes = map[string]string{
	"alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO", "connecticut": "CT",
	"delaware": "DE", "district of columbia": "DC", "washington dc": "DC", "florida": "FL", "georgia": "GA", "hawaii": "HI",
	"idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
	"maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN", "mississippi": "MS",
	"missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ",
	"new mexico": "NM", "new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
	"oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
	"tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
	"west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR", "guam": "GU",
}

// canadianProvinces are the postal codes of Canada's provinces and
// territories: a record whose country is "CA" and whose region is one of
// them is in Canada; one whose region is a US state is ambiguous (feeds
// write "CA" for California too) and its country is not checked.
var canadianProvinces = map[string]bool{"AB": true, "BC": true, "MB": true, "NB": true, "NL": true, "NS": true, "NT": true,
	"NU": true, "ON": true, "PE": true, "QC": true, "SK": true, "YT": true}

// usState returns the postal code of the US state region names, or "".
func usState(region string) string {
	r := strings.TrimSpace(region)
	if u := strings.ToUpper(r); len(u) == 2 {
		if _, ok := usStateZones[u]; ok {
			return u
		}
	}
	return usStateCodes[normCountry(r)]
}

// stateUses reports whether US state st uses zone z.
func stateUses(st, z string) bool {
	for _, w := range usStateZones[st] {
		if z == w || strings.HasSuffix(w, "/") && strings.HasPrefix(z, w) {
			return true
		}
	}
	return false
}

// reachKM are the distances at which nearZone looks around a point: the
// offline boundaries are simplified, and a meeting by a border may fall
// on the wrong side of it. A point on another continent is far beyond.
var reachKM = []float64{10, 30}

// nearZone reports whether a zone that ok accepts is at p or within
// reachKM of it (in eight directions).
func nearZone(zones ZoneFinder, p orb.Point, ok func(zone string) bool) bool {
	for _, km := range reachKM {
		dLat := km / 111.32
		dLng := dLat / math.Max(math.Cos(p.Lat()*math.Pi/180), 0.05)
		for _, d := range [8][2]float64{{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {0.7071, 0.7071}, {0.7071, -0.7071}, {-0.7071, 0.7071}, {-0.7071, -0.7071}} {
			lng, lat := p.Lon()+d[0]*dLng, math.Max(-90, math.Min(90, p.Lat()+d[1]*dLat))
			if lng > 180 {
				lng -= 360
			} else if lng < -180 {
				lng += 360
			}
			if z := zones.Zone(lng, lat); z != "" && ok(z) {
				return true
			}
		}
	}
	return false
}

// pointContradiction says why m's point cannot be where its address
// says, or "": the point's zone is not used in the stated country (the
// country field, else a region that names a country: "Scotland"), or,
// in the United States, not in the stated state, and no such zone is
// within reach (nearZone). It knows nothing when the point is at sea, the
// country is not one it can read, or "CA" might be California.
func pointContradiction(m *meeting.Meeting, zones ZoneFinder) string {
	loc := &m.Location
	if !loc.HasPoint || zones == nil {
		return ""
	}
	cc, said := countryCode(loc.Country), loc.Country
	if loc.Country == "" {
		cc, said = countryByRegionName(loc.Region), loc.Region
	}
	if cc == "" && loc.Region == "" {
		return "" // nothing to check the point against
	}
	if cc == "CA" && usState(loc.Region) != "" && !canadianProvinces[strings.ToUpper(strings.TrimSpace(loc.Region))] {
		return "" // "CA" with a US state: California, perhaps
	}
	z := zones.Zone(loc.Lng(), loc.Lat())
	if z == "" {
		return ""
	}
	at := zoneCountries[z]
	where := func() string {
		return fmt.Sprintf("the point %.5f,%.5f is in %s (%s)", loc.Lat(), loc.Lng(), z, strings.Join(at, ", "))
	}
	if cc != "" && !slices.Contains(at, cc) {
		if nearZone(zones, loc.Point, func(z string) bool { return slices.Contains(zoneCountries[z], cc) }) {
			return ""
		}
		return fmt.Sprintf("%s, but the address says %s (%s)", where(), said, cc)
	}
	if cc != "US" && (cc != "" || len(at) != 1 || at[0] != "US") {
		return ""
	}
	if st := usState(loc.Region); st != "" && !stateUses(st, z) {
		if nearZone(zones, loc.Point, func(z string) bool { return stateUses(st, z) }) {
			return ""
		}
		return fmt.Sprintf("%s, but the address says %s (%s)", where(), loc.Region, st)
	}
	return ""
}

// checkPoints drops the point of every meeting whose point contradicts
// its address (pointContradiction), keeping the address, and returns a
// Flagged problem for each and how many it dropped.
func checkPoints(ms []meeting.Meeting, zones ZoneFinder) ([]meeting.Problem, int) {
	var probs []meeting.Problem
	for i := range ms {
		m := &ms[i]
		reason := pointContradiction(m, zones)
		if reason == "" {
			continue
		}
		m.Location.Point, m.Location.HasPoint = orb.Point{}, false
		probs = append(probs, meeting.Problem{ExternalID: m.ExternalID, Name: m.Name, Severity: meeting.Flagged, Field: "location",
			Reason: reason + "; the point is dropped and the meeting kept at its address"})
	}
	return probs, len(probs)
}
