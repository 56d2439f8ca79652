package meetingguide

import (
	"strings"
	"unicode/utf8"

	"github.com/meetingfinder/meetingfinder/importers/record"
)

// The fast path of Parse: a strict, single-pass JSON scanner over the
// whole feed that hands each array element's known fields to
// decodeFields as raw JSON text, without building maps or copying
// strings. It accepts only JSON that encoding/json accepts too; whenever
// it meets anything else (a syntax error, unusual nesting, leading
// Unicode spaces) Parse starts over on the slow path, which reports the
// error exactly as before.

// Indexes of the record fields in a fieldSpans.
const (
	fSlug = iota
	fName
	fDay
	fTime
	fEndTime
	fTimezone
	fTypes
	fAttendance
	fProgram
	fLocation
	fLocationNotes
	fAddress
	fCity
	fState
	fPostalCode
	fCountry
	fFormattedAddress
	fRegions
	fRegion
	fSubRegion
	fSubSubRegion
	fLatitude
	fLongitude
	fCoordinates
	fApproximate
	fConferenceURL
	fConferenceURLNotes
	fConferencePhone
	fConferencePhoneNotes
	fNotes
	fGroup
	fURL
	fFeedbackEmails
	fFeedbackURL
	fEntity
	fEntityEmail
	fEntityLocation
	fEntityLogo
	fEntityPhone
	fEntityURL
	nFields
)

// fieldKeys are the feed's names of the fields, by index.
var fieldKeys = [nFields]string{
	fSlug: "slug", fName: "name", fDay: "day", fTime: "time", fEndTime: "end_time", fTimezone: "timezone",
	fTypes: "types", fAttendance: "attendance_option", fProgram: "program", fLocation: "location",
	fLocationNotes: "location_notes", fAddress: "address", fCity: "city", fState: "state",
	fPostalCode: "postal_code", fCountry: "country", fFormattedAddress: "formatted_address",
	fRegions: "regions", fRegion: "region", fSubRegion: "sub_region", fSubSubRegion: "sub_sub_region",
	fLatitude: "latitude", fLongitude: "longitude", fCoordinates: "coordinates", fApproximate: "approximate",
	fConferenceURL: "conference_url", fConferenceURLNotes: "conference_url_notes",
	fConferencePhone: "conference_phone", fConferencePhoneNotes: "conference_phone_notes",
	fNotes: "notes", fGroup: "group", fURL: "url",
	fFeedbackEmails: "feedback_emails", fFeedbackURL: "feedback_url", fEntity: "entity", fEntityEmail: "entity_email",
	fEntityLocation: "entity_location", fEntityLogo: "entity_logo", fEntityPhone: "entity_phone", fEntityURL: "entity_url",
}

// fieldOf returns the index of the field called key, or -1 (the keys of
// fieldKeys, as a switch: faster than a map).
func fieldOf(key string) int {
	switch key {
	case "slug":
		return fSlug
	case "name":
		return fName
	case "day":
		return fDay
	case "time":
		return fTime
	case "end_time":
		return fEndTime
	case "timezone":
		return fTimezone
	case "types":
		return fTypes
	case "attendance_option":
		return fAttendance
	case "program", "fellowship":
		return fProgram
	case "location":
		return fLocation
	case "location_notes":
		return fLocationNotes
	case "address":
		return fAddress
	case "city":
		return fCity
	case "state":
		return fState
	case "postal_code":
		return fPostalCode
	case "country":
		return fCountry
	case "formatted_address":
		return fFormattedAddress
	case "regions":
		return fRegions
	case "region":
		return fRegion
	case "sub_region":
		return fSubRegion
	case "sub_sub_region":
		return fSubSubRegion
	case "latitude":
		return fLatitude
	case "longitude":
		return fLongitude
	case "coordinates":
		return fCoordinates
	case "approximate":
		return fApproximate
	case "conference_url":
		return fConferenceURL
	case "conference_url_notes":
		return fConferenceURLNotes
	case "conference_phone":
		return fConferencePhone
	case "conference_phone_notes":
		return fConferencePhoneNotes
	case "notes":
		return fNotes
	case "group":
		return fGroup
	case "url":
		return fURL
	case "feedback_emails":
		return fFeedbackEmails
	case "feedback_url":
		return fFeedbackURL
	case "entity":
		return fEntity
	case "entity_email":
		return fEntityEmail
	case "entity_location":
		return fEntityLocation
	case "entity_logo":
		return fEntityLogo
	case "entity_phone":
		return fEntityPhone
	case "entity_url", "entity_website_url": // the spec's field table says entity_website_url, its example entity_url
		return fEntityURL
	}
	return -1
}

// fieldSpans holds the raw JSON text of each known field of one record
// (the last one when a key repeats); "" when the key is absent.
type fieldSpans [nFields]string

// maxDepth is the deepest nesting the fast path handles; deeper input
// goes to encoding/json, which has its own limit.
const maxDepth = 256

type scanner struct {
	s     string
	i     int
	depth int
}

// ws skips JSON white space.
func (sc *scanner) ws() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\r', '\n':
			sc.i++
		default:
			return
		}
	}
}

// value skips the JSON value at sc.i and reports whether it is valid.
func (sc *scanner) value() bool {
	if sc.i >= len(sc.s) {
		return false
	}
	switch c := sc.s[sc.i]; {
	case c == '"':
		_, ok := sc.str()
		return ok
	case c == '{':
		return sc.object(nil)
	case c == '[':
		return sc.array()
	case c == 't':
		return sc.lit("true")
	case c == 'f':
		return sc.lit("false")
	case c == 'n':
		return sc.lit("null")
	case c == '-' || c >= '0' && c <= '9':
		return sc.number()
	}
	return false
}

func (sc *scanner) lit(word string) bool {
	if !strings.HasPrefix(sc.s[sc.i:], word) {
		return false
	}
	sc.i += len(word)
	return true
}

// number skips -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (sc *scanner) number() bool {
	s, i := sc.s, sc.i
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	sc.i = i
	return true
}

// str skips the string at sc.i (its opening quote). escaped tells
// whether it holds a backslash escape.
func (sc *scanner) str() (escaped, ok bool) {
	s, i := sc.s, sc.i+1
	for i < len(s) {
		if !strSpecial[s[i]] {
			i++
			continue
		}
		c := s[i]
		switch {
		case c == '"':
			sc.i = i + 1
			return escaped, true
		case c == '\\':
			escaped = true
			if i+1 >= len(s) {
				return false, false
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) || !isHex(s[i+5]) {
					return false, false
				}
				i += 6
			default:
				return false, false
			}
		case c < 0x20:
			return false, false
		default:
			i++
		}
	}
	return false, false
}

// strSpecial marks the bytes str must look at: the quote, the backslash
// and control characters.
var strSpecial = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// array skips the array at sc.i.
func (sc *scanner) array() bool {
	if sc.depth++; sc.depth > maxDepth {
		return false
	}
	sc.i++ // [
	sc.ws()
	if sc.i < len(sc.s) && sc.s[sc.i] == ']' {
		sc.i++
		sc.depth--
		return true
	}
	for {
		if !sc.value() {
			return false
		}
		sc.ws()
		if sc.i >= len(sc.s) {
			return false
		}
		switch sc.s[sc.i] {
		case ',':
			sc.i++
			sc.ws()
		case ']':
			sc.i++
			sc.depth--
			return true
		default:
			return false
		}
	}
}

// object skips the object at sc.i, storing the raw text of the values of
// known keys in f when f is not nil.
func (sc *scanner) object(f *fieldSpans) bool {
	if sc.depth++; sc.depth > maxDepth {
		return false
	}
	sc.i++ // {
	sc.ws()
	if sc.i < len(sc.s) && sc.s[sc.i] == '}' {
		sc.i++
		sc.depth--
		return true
	}
	for {
		if sc.i >= len(sc.s) || sc.s[sc.i] != '"' {
			return false
		}
		ks := sc.i
		escaped, ok := sc.str()
		if !ok {
			return false
		}
		key := sc.s[ks+1 : sc.i-1]
		sc.ws()
		if sc.i >= len(sc.s) || sc.s[sc.i] != ':' {
			return false
		}
		sc.i++
		sc.ws()
		vs := sc.i
		if !sc.value() {
			return false
		}
		if f != nil {
			if escaped {
				key = unquote(sc.s[ks : ks+len(key)+2])
			}
			if idx := fieldOf(key); idx >= 0 {
				f[idx] = sc.s[vs:sc.i]
			}
		}
		sc.ws()
		if sc.i >= len(sc.s) {
			return false
		}
		switch sc.s[sc.i] {
		case ',':
			sc.i++
			sc.ws()
		case '}':
			sc.i++
			sc.depth--
			return true
		default:
			return false
		}
	}
}

// arrayItems returns the raw text of the items of v, a valid JSON array.
func arrayItems(v string) ([]string, bool) {
	sc := scanner{s: v, i: 1}
	sc.ws()
	if sc.i < len(v) && v[sc.i] == ']' {
		return nil, true
	}
	var items []string
	for {
		start := sc.i
		if !sc.value() {
			return nil, false
		}
		items = append(items, v[start:sc.i])
		sc.ws()
		if sc.i >= len(v) {
			return nil, false
		}
		switch v[sc.i] {
		case ',':
			sc.i++
			sc.ws()
		case ']':
			return items, true
		default:
			return nil, false
		}
	}
}

// compactExcerpt is Excerpt(compact(raw)) for a valid JSON value raw:
// raw without insignificant white space, cut to at most record.MaxExcerpt bytes.
func compactExcerpt(raw string) string {
	var buf [record.MaxExcerpt + 1]byte
	n := 0
	inStr, esc := false, false
	for i := 0; i < len(raw) && n < len(buf); i++ {
		c := raw[i]
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			continue
		}
		buf[n] = c
		n++
	}
	if n <= record.MaxExcerpt {
		return record.Excerpt(string(buf[:n]))
	}
	// Longer than record.MaxExcerpt: what Excerpt does to the whole compact text
	// (which has no white space at either end to trim).
	cut := record.MaxExcerpt
	for cut > 0 && !utf8.RuneStart(buf[cut]) {
		cut--
	}
	return string(buf[:cut])
}

// plainString returns the contents of the JSON string literal v when it
// needs no decoding: no escapes and valid UTF-8.
func plainString(v string) (string, bool) {
	inner := v[1 : len(v)-1]
	for i := 0; i < len(inner); i++ {
		if c := inner[i]; c == '\\' || c >= utf8.RuneSelf {
			if strings.IndexByte(inner[i:], '\\') >= 0 || !utf8.ValidString(inner[i:]) {
				return "", false
			}
			break
		}
	}
	return inner, true
}
