package record

import (
	"regexp"
	"strings"
	"unicode"
)

// AddressParts are the pieces SplitAddress finds in a formatted address.
// An empty field is one it could not tell for sure.
type AddressParts struct {
	Street     string
	City       string
	Region     string // state or province
	PostalCode string
	Country    string
}

// SplitAddress splits a one-line address, the Meeting Guide
// formatted_address, into its parts. It knows the shapes geocoders and
// listing tools write:
//
//   - "street, city, ST 12345, country" and "street, city, ST, 12345" (the
//     United States, ST a state code; Canada likewise with its provinces
//     and "A1A 1A1" postal codes; a state or province may also be spelled
//     out);
//   - "street, Sydney NSW 2000, Australia";
//   - "street, London WC2N 5DN, UK" (the United Kingdom and Ireland);
//   - "street, 75004 Paris, France" (the countries that write the postal
//     code before the town: most of continental Europe, Mexico).
//
// It is conservative: a part is filled only when the address's shape
// says what it is. The country is the last part when it names a country;
// the city is the town next to the state or postal code, and only when it
// holds no digit; the street is the first part after any place name that
// begins with a house number (with a following suite or unit), or an
// intersection. Anything else is left empty: an address with no state,
// province or postal code gets no city.
func SplitAddress(formatted string) AddressParts {
	var parts []string
	for _, p := range strings.Split(formatted, ",") {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	var a AddressParts
	if len(parts) < 2 {
		return a
	}
	country := ""
	if c, ok := countryOf(parts[len(parts)-1]); ok {
		a.Country, country = parts[len(parts)-1], c
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 {
		return a
	}
	last := parts[len(parts)-1]
	anchored := false // a region or postal code was found, so the part before it is the town
	switch {
	case country == "" || country == "US" || country == "CA":
		if region, postal, ok := northAmerican(last, country); ok {
			a.Region, a.PostalCode, anchored = region, postal, true
			parts = parts[:len(parts)-1]
		} else if len(parts) >= 2 && postalOnly.MatchString(last) {
			if region, _, ok := northAmerican(parts[len(parts)-2]+" "+last, country); ok {
				a.Region, a.PostalCode, anchored = region, strings.ToUpper(last), true
				parts = parts[:len(parts)-2]
			}
		}
	case country == "AU":
		if m := australian.FindStringSubmatch(last); m != nil && isCity(m[1]) {
			a.City, a.Region, a.PostalCode = m[1], m[2], m[3]
			parts = parts[:len(parts)-1]
		}
	case country == "GB" || country == "IE":
		if m := britishPostcode.FindStringSubmatch(last); m != nil {
			switch town := strings.TrimSpace(m[1]); {
			case town == "":
				a.PostalCode, anchored = m[2], true
				parts = parts[:len(parts)-1]
			case isCity(town):
				a.City, a.PostalCode = town, m[2]
				parts = parts[:len(parts)-1]
			}
		}
	case postalFirst[country] != nil:
		if m := postalFirst[country].FindStringSubmatch(last); m != nil && isCity(m[2]) {
			a.PostalCode, a.City = m[1], m[2]
			parts = parts[:len(parts)-1]
		}
	}
	if anchored && len(parts) > 0 && isCity(parts[len(parts)-1]) {
		a.City = parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	if a.City != "" {
		a.Street = street(parts)
	}
	return a
}

// street picks the street from the parts before the town: the first that
// begins with a house number, with the suite or unit parts that follow
// it, else a last part that is an intersection or a numbered road. Place
// names ("St Paul Lutheran Church") are not streets.
func street(parts []string) string {
	for i, p := range parts {
		if p[0] >= '0' && p[0] <= '9' {
			s := p
			for _, q := range parts[i+1:] {
				if !unitPart.MatchString(q) {
					break
				}
				s += ", " + q
			}
			return s
		}
	}
	if len(parts) == 0 {
		return ""
	}
	p := parts[len(parts)-1]
	if strings.ContainsAny(p, "&@0123456789") || strings.Contains(strings.ToLower(p), " and ") {
		return p
	}
	return ""
}

// isCity reports whether s can be a town's name: letters with spaces,
// dots, apostrophes and hyphens, no digits, not too long.
func isCity(s string) bool {
	if s == "" || len(s) > 60 {
		return false
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r):
		case i > 0 && (r == ' ' || r == '.' || r == '\'' || r == '’' || r == '-' || unicode.Is(unicode.Mn, r)):
		default:
			return false
		}
	}
	return true
}

var (
	// zipOnly is a United States ZIP code standing alone.
	zipOnly = regexp.MustCompile(`^\d{5}(-\d{4})?$`)
	// postalOnly is a ZIP or Canadian postal code standing alone.
	postalOnly = regexp.MustCompile(`^(\d{5}(-\d{4})?|[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d)$`)
	// regionPostal is a state or province (code or name) with an optional
	// ZIP or Canadian postal code.
	regionPostal = regexp.MustCompile(`^(\pL[\pL .]*?)\.?(?:\s+(\d{5}(?:-\d{4})?|[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d))?$`)
	// australian is "town STATE 2000".
	australian = regexp.MustCompile(`^(.+?)\s+(NSW|VIC|QLD|SA|WA|TAS|NT|ACT)\s+(\d{4})$`)
	// britishPostcode is a UK postcode (or an Irish Eircode) at the end of
	// a part, after an optional town.
	britishPostcode = regexp.MustCompile(`^(.*?)\s*\b([A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|[AC-FHKNPRTV-Y]\d{2}\s?[AC-FHKNPRTV-Y\d]{4})$`)
	// unitPart is a suite, unit or floor that follows a street.
	unitPart = regexp.MustCompile(`(?i)^(suite|ste\.?|unit|apt\.?|#|room|rm\.?|floor|fl\.?|bldg\.?|building)(\s|\d|$)`)
)

// northAmerican reads p as a United States state or Canadian province,
// as a code ("PA", "ON") or spelled out, with an optional ZIP or postal
// code; country ("", "US" or "CA") limits which.
func northAmerican(p, country string) (region, postal string, ok bool) {
	m := regionPostal.FindStringSubmatch(p)
	if m == nil {
		return "", "", false
	}
	name := strings.TrimSpace(m[1])
	c, known := regionCountry[strings.ToUpper(name)]
	if !known {
		c, known = regionNames[strings.ToLower(name)]
	}
	if !known || (country != "" && c != country) {
		return "", "", false
	}
	postal = m[2]
	if postal != "" && (c == "US") != zipOnly.MatchString(postal) {
		return "", "", false // a ZIP with a province, or a postal code with a state
	}
	if len(name) == 2 {
		name = strings.ToUpper(name)
	}
	return name, strings.ToUpper(postal), true
}

// regionCountry maps the United States' state and territory codes to "US"
// and Canada's province codes to "CA".
var regionCountry = func() map[string]string {
	m := map[string]string{}
	for _, c := range strings.Fields(`AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT
		NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP`) {
		m[c] = "US"
	}
	for _, c := range strings.Fields(`AB BC MB NB NL NS NT NU ON PE QC SK YT`) {
		m[c] = "CA"
	}
	return m
}()

// regionNames maps the states' and provinces' names, lower case, to their
// country.
var regionNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range strings.Split(`alabama,alaska,arizona,arkansas,california,colorado,connecticut,delaware,`+
		`district of columbia,florida,georgia,hawaii,idaho,illinois,indiana,iowa,kansas,kentucky,louisiana,maine,`+
		`maryland,massachusetts,michigan,minnesota,mississippi,missouri,montana,nebraska,nevada,new hampshire,`+
		`new jersey,new mexico,new york,north carolina,north dakota,ohio,oklahoma,oregon,pennsylvania,rhode island,`+
		`south carolina,south dakota,tennessee,texas,utah,vermont,virginia,washington,west virginia,wisconsin,`+
		`wyoming,puerto rico`, ",") {
		m[n] = "US"
	}
	for _, n := range strings.Split(`alberta,british columbia,manitoba,new brunswick,newfoundland and labrador,`+
		`nova scotia,northwest territories,nunavut,ontario,prince edward island,quebec,québec,saskatchewan,yukon`, ",") {
		m[n] = "CA"
	}
	return m
}()

// countryOf reports which country p names, as an ISO 3166 code, for the
// countries whose address shapes SplitAddress knows, and "XX" for other
// well-known country names (then only the country is kept).
// countryCode returns the code of a country as an address names it
// ("USA", "United States" → "US"), as feeds that give a country field
// write it, so that one country is one value in places and filters; a
// name it does not know comes back as it is.
func countryCode(name string) string {
	if c, ok := countryOf(name); ok {
		return c
	}
	return name
}

func countryOf(p string) (string, bool) {
	c, ok := countries[strings.ToLower(strings.TrimRight(p, "."))]
	return c, ok
}

// countries maps country names as addresses spell them, lower case, to a
// code.
var countries = func() map[string]string {
	m := map[string]string{}
	for code, names := range map[string]string{
		"US": "usa,us,u.s.a,u.s,united states,united states of america",
		"CA": "canada",
		"GB": "uk,u.k,united kingdom,great britain,gb,england,scotland,wales,northern ireland",
		"IE": "ireland,éire",
		"AU": "australia",
		"DE": "germany,deutschland",
		"FR": "france",
		"ES": "spain,españa",
		"IT": "italy,italia",
		"NL": "netherlands,the netherlands,nederland",
		"BE": "belgium,belgië,belgique",
		"CH": "switzerland,schweiz,suisse,svizzera",
		"AT": "austria,österreich",
		"DK": "denmark,danmark",
		"NO": "norway,norge",
		"SE": "sweden,sverige",
		"FI": "finland,suomi",
		"IS": "iceland,ísland",
		"PL": "poland,polska",
		"PT": "portugal",
		"MX": "mexico,méxico",
		"XX": "new zealand,south africa,india,japan,israel,philippines,brazil,brasil,argentina,colombia,greece,hungary",
	} {
		for _, n := range strings.Split(names, ",") {
			m[n] = code
		}
	}
	return m
}()

// postalFirst holds, for the countries that write the postal code before
// the town, the pattern of that part: the code, then the town.
var postalFirst = func() map[string]*regexp.Regexp {
	four := regexp.MustCompile(`^(\d{4})\s+(.+)$`)
	five := regexp.MustCompile(`^(\d{5})\s+(.+)$`)
	return map[string]*regexp.Regexp{
		"DE": five, "FR": five, "ES": five, "IT": five, "FI": five, "MX": five,
		"BE": four, "CH": four, "AT": four, "DK": four, "NO": four,
		"NL": regexp.MustCompile(`^(\d{4}\s?[A-Z]{2})\s+(.+)$`),
		"SE": regexp.MustCompile(`^(\d{3}\s?\d{2})\s+(.+)$`),
		"PL": regexp.MustCompile(`^(\d{2}-\d{3})\s+(.+)$`),
		"PT": regexp.MustCompile(`^(\d{4}-\d{3})\s+(.+)$`),
		"IS": regexp.MustCompile(`^(\d{3})\s+(.+)$`),
	}
}()
