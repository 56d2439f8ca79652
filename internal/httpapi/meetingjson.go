package httpapi

import (
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// AppendResultJSON appends the JSON of r as the API shows it (MeetingJSON,
// with distance and next start) to b: byte for byte what encoding/json
// writes for newResultJSON(r), HTML escaping included, without reflection
// or the intermediate struct. The list of GET /v1/meetings is written
// with it, so a page is mostly copying bytes.
func AppendResultJSON(b []byte, r *meeting.Result) []byte {
	m := &r.Meeting
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, m.ID, 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, m.Name)
	b = append(b, `,"program":`...)
	b = appendJSONString(b, string(m.Program))
	b = append(b, `,"day":`...)
	if m.ByAppointment {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(m.Day), 10)
	}
	b = append(b, `,"start_time":`...)
	if !m.ByAppointment && m.Start.Valid() {
		b = appendJSONString(b, m.Start.String())
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"end_time":`...)
	if m.End.Valid() {
		b = appendJSONString(b, m.End.String())
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"by_appointment":`...)
	b = strconv.AppendBool(b, m.ByAppointment)
	b = append(b, `,"timezone":`...)
	if m.TimeZone != "" {
		b = appendJSONString(b, m.TimeZone)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"types":`...)
	b = appendJSONStrings(b, m.Types)
	b = append(b, `,"attendance":`...)
	b = appendJSONString(b, string(m.Attendance))
	b = appendLocationJSON(b, &m.Location)
	if !m.Online.Empty() {
		b = appendOnlineJSON(b, &m.Online)
	}
	b = append(b, `,"notes":`...)
	b = appendJSONString(b, m.Notes)
	b = append(b, `,"group":`...)
	b = appendJSONString(b, m.Group)
	b = append(b, `,"url":`...)
	b = appendJSONString(b, m.URL)
	b = append(b, `,"source":`...)
	b = appendJSONString(b, m.Source)
	b = append(b, `,"updated_at":"`...)
	b = m.UpdatedAt.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	if r.HasDistance {
		b = append(b, `,"distance_m":`...)
		b = appendJSONFloat(b, math.Round(r.DistanceM))
	}
	b = append(b, `,"next_start":`...)
	if r.NextStart.IsZero() {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = r.NextStart.AppendFormat(b, time.RFC3339)
		b = append(b, '"')
	}
	b = append(b, `,"in_progress":`...)
	b = strconv.AppendBool(b, r.InProgress)
	return append(b, '}')
}

// appendLocationJSON appends `,"location":{…}` (LocationJSON).
func appendLocationJSON(b []byte, l *meeting.Location) []byte {
	b = append(b, `,"location":{"name":`...)
	b = appendJSONString(b, l.Name)
	for _, f := range [...]struct{ key, v string }{
		{`,"address":`, l.Address}, {`,"city":`, l.City}, {`,"region":`, l.Region}, {`,"postal_code":`, l.PostalCode},
		{`,"country":`, l.Country}, {`,"formatted_address":`, l.FormattedAddress},
	} {
		b = append(b, f.key...)
		b = appendJSONString(b, f.v)
	}
	b = append(b, `,"regions":`...)
	b = appendJSONStrings(b, l.Regions)
	b = append(b, `,"notes":`...)
	b = appendJSONString(b, l.Notes)
	if l.HasPoint {
		b = append(b, `,"lat":`...)
		b = appendJSONFloat(b, meeting.RoundCoord(l.Lat()))
		b = append(b, `,"lng":`...)
		b = appendJSONFloat(b, meeting.RoundCoord(l.Lng()))
	} else {
		b = append(b, `,"lat":null,"lng":null`...)
	}
	b = append(b, `,"approximate":`...)
	b = strconv.AppendBool(b, l.Approximate)
	return append(b, '}')
}

// appendOnlineJSON appends `,"online":{…}` (OnlineJSON, empty fields left
// out).
func appendOnlineJSON(b []byte, o *meeting.Online) []byte {
	b = append(b, `,"online":{`...)
	first := true
	for _, f := range [...]struct{ key, v string }{
		{`"url":`, o.URL}, {`"url_notes":`, o.URLNotes}, {`"phone":`, o.Phone}, {`"phone_notes":`, o.PhoneNote},
	} {
		if f.v == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, f.key...)
		b = appendJSONString(b, f.v)
	}
	return append(b, '}')
}

// appendStringMaps appends ms as encoding/json (without HTML escaping)
// writes a []map[string]string: each object's keys sorted. Consecutive
// maps with the same keys, as BMLT meetings are, sort them once.
func appendStringMaps(b []byte, ms []map[string]string) []byte {
	b = append(b, '[')
	var keys []string
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		if !sameKeys(keys, m) {
			keys = keys[:0]
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
		}
		b = append(b, '{')
		for j, k := range keys {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONText(b, k, false)
			b = append(b, ':')
			b = appendJSONText(b, m[k], false)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// sameKeys reports whether m has exactly the keys.
func sameKeys(keys []string, m map[string]string) bool {
	if len(keys) != len(m) || keys == nil {
		return false
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

// appendJSONStrings appends a JSON array of strings ([] for none).
func appendJSONStrings(b []byte, l []string) []byte {
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONFloat appends f as encoding/json writes a float64.
func appendJSONFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string the way encoding/json does
// with HTML escaping: <, > and & as \u003c…, control characters escaped,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte { return appendJSONText(b, s, true) }

// appendJSONText is appendJSONString, with HTML escaping only when html
// is set (encoding/json's SetEscapeHTML).
func appendJSONText(b []byte, s string, html bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!html || (c != '<' && c != '>' && c != '&')) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
