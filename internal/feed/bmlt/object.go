package bmlt

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/meetingfinder/meetingfinder/internal/jsonw"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// A meeting's BMLT object is written field by field, straight into the
// answer: one writer per key of ObjectKeys appends the key's value as text
// (every BMLT value is a string), and Objects writes each meeting with the
// keys asked for in sorted order, as encoding/json writes a map. The same
// writers answer Fields and the sort keys, so the three never disagree.

// fieldWriter appends the value of one key of m's BMLT object to b,
// unescaped. mb is what the object says of its service body and server.
type fieldWriter func(b []byte, m *meeting.Meeting, mb *meetingBody) []byte

// emptyFields are the keys meetingfinder has no data for, always "".
var emptyFields = map[string]bool{
	"worldid_mixed": true, "shared_group_id_bigint": true, "location_city_subsection": true, "location_neighborhood": true,
	"location_sub_province": true, "train_lines": true, "bus_lines": true,
	"contact_name_1": true, "contact_phone_1": true, "contact_email_1": true,
	"contact_name_2": true, "contact_phone_2": true, "contact_email_2": true,
}

// emptyField is the writer of the keys meetingfinder has no data for.
func emptyField(b []byte, _ *meeting.Meeting, _ *meetingBody) []byte { return b }

// textOf returns the writer of a key whose value is a text of m as it is.
func textOf(text func(m *meeting.Meeting) string) fieldWriter {
	return func(b []byte, m *meeting.Meeting, _ *meetingBody) []byte { return append(b, text(m)...) }
}

// fieldWriters are the writers of every key of ObjectKeys but the
// distances, which only a geographic search fills.
var fieldWriters = map[string]fieldWriter{
	"id_bigint":              func(b []byte, m *meeting.Meeting, _ *meetingBody) []byte { return strconv.AppendInt(b, m.ID, 10) },
	"worldid_mixed":          emptyField,
	"shared_group_id_bigint": emptyField,
	"service_body_bigint":    func(b []byte, _ *meeting.Meeting, mb *meetingBody) []byte { return append(b, mb.id...) },
	"service_body_name":      func(b []byte, _ *meeting.Meeting, mb *meetingBody) []byte { return append(b, mb.name...) },
	"weekday_tinyint": func(b []byte, m *meeting.Meeting, _ *meetingBody) []byte {
		return strconv.AppendInt(b, int64(m.Day)+1, 10)
	},
	"venue_type": func(b []byte, m *meeting.Meeting, _ *meetingBody) []byte {
		return strconv.AppendInt(b, int64(VenueType(m)), 10)
	},
	"start_time": func(b []byte, m *meeting.Meeting, _ *meetingBody) []byte {
		if !m.Start.Valid() {
			return append(b, ":00"...)
		}
		return appendClock(b, int(m.Start))
	},
	"duration_time": func(b []byte, m *meeting.Meeting, _ *meetingBody) []byte {
		return appendClock(b, int(m.Duration().Minutes()))
	},
	"time_zone": textOf(func(m *meeting.Meeting) string { return m.TimeZone }),
	"formats": func(b []byte, m *meeting.Meeting, mb *meetingBody) []byte {
		for i, k := range mb.formatKeys(m) {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, k...)
		}
		return b
	},
	"format_shared_id_list": func(b []byte, m *meeting.Meeting, mb *meetingBody) []byte {
		// The ids in order, as BMLT lists them (formats puts Open and
		// Closed first).
		keys := mb.formatKeys(m)
		var buf [8]int
		ids := buf[:0]
		for _, k := range keys {
			ids = append(ids, formatNumber(k))
		}
		slices.Sort(ids)
		for i, id := range ids {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(id), 10)
		}
		return b
	},
	"lang_enum":       func(b []byte, _ *meeting.Meeting, _ *meetingBody) []byte { return append(b, "en"...) },
	"published":       func(b []byte, _ *meeting.Meeting, _ *meetingBody) []byte { return append(b, '1') },
	"root_server_uri": func(b []byte, _ *meeting.Meeting, mb *meetingBody) []byte { return append(b, mb.root...) },
	"longitude": func(b []byte, m *meeting.Meeting, _ *meetingBody) []byte {
		if !m.Location.HasPoint {
			return b
		}
		return strconv.AppendFloat(b, m.Location.Lng(), 'f', -1, 64)
	},
	"latitude": func(b []byte, m *meeting.Meeting, _ *meetingBody) []byte {
		if !m.Location.HasPoint {
			return b
		}
		return strconv.AppendFloat(b, m.Location.Lat(), 'f', -1, 64)
	},
	"meeting_name":             textOf(func(m *meeting.Meeting) string { return m.Name }),
	"location_text":            textOf(func(m *meeting.Meeting) string { return m.Location.Name }),
	"location_info":            textOf(func(m *meeting.Meeting) string { return m.Location.Notes }),
	"location_street":          textOf(func(m *meeting.Meeting) string { return m.Location.Address }),
	"location_city_subsection": emptyField,
	"location_neighborhood":    emptyField,
	"location_municipality":    textOf(func(m *meeting.Meeting) string { return m.Location.City }),
	"location_sub_province":    emptyField,
	"location_province":        textOf(func(m *meeting.Meeting) string { return m.Location.Region }),
	"location_postal_code_1":   textOf(func(m *meeting.Meeting) string { return m.Location.PostalCode }),
	"location_nation":          textOf(func(m *meeting.Meeting) string { return m.Location.Country }),
	"comments":                 textOf(func(m *meeting.Meeting) string { return m.Notes }),
	"train_lines":              emptyField,
	"bus_lines":                emptyField,
	"phone_meeting_number":     textOf(func(m *meeting.Meeting) string { return m.Online.Phone }),
	"virtual_meeting_link":     textOf(func(m *meeting.Meeting) string { return m.Online.URL }),
	"virtual_meeting_additional_info": func(b []byte, m *meeting.Meeting, _ *meetingBody) []byte {
		a, c := strings.TrimSpace(m.Online.URLNotes), strings.TrimSpace(m.Online.PhoneNote)
		b = append(b, a...)
		if a != "" && c != "" {
			b = append(b, "; "...)
		}
		return append(b, c...)
	},
	"contact_name_1": emptyField, "contact_phone_1": emptyField, "contact_email_1": emptyField,
	"contact_name_2": emptyField, "contact_phone_2": emptyField, "contact_email_2": emptyField,
	"email_contact": emptyField, "admin_notes": emptyField,
}

// formatKeys returns FormatKeys(m), which mb may already hold.
func (mb *meetingBody) formatKeys(m *meeting.Meeting) []string {
	if mb.formats == nil {
		mb.formats = FormatKeys(m)
	}
	return mb.formats
}

// appendClock appends minutes as BMLT's "HH:MM:SS" ("24:00:00" allowed;
// more than 99 hours takes more digits).
func appendClock(b []byte, min int) []byte {
	b = appendPad2(b, min/60)
	b = append(b, ':')
	b = appendPad2(b, min%60)
	return append(b, ":00"...)
}

// appendPad2 appends n with at least two digits.
func appendPad2(b []byte, n int) []byte {
	if n >= 0 && n < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(n), 10)
}

// plainFields are the keys whose values never need escaping in JSON
// (numbers, fixed words, the format codes' ids): they are written
// straight into the answer.
var plainFields = map[string]bool{
	"id_bigint": true, "service_body_bigint": true, "weekday_tinyint": true, "venue_type": true,
	"start_time": true, "duration_time": true, "format_shared_id_list": true, "lang_enum": true,
	"published": true, "longitude": true, "latitude": true,
}

// objectKey is one key of the objects of an answer: its name, the name
// already written as JSON with its colon (with the empty value too, for
// the keys meetingfinder has no data for), its writer (nil for a
// distance, "" unless the search is geographic), and whether its values
// are written without escaping.
type objectKey struct {
	name   string
	quoted string
	write  fieldWriter
	plain  bool
	empty  bool
}

// Objects are the meetings of an answer, in order, as BMLT objects with
// the fields asked for. They are written when the answer is: AppendJSON
// and AppendObject write them straight into bytes, with no map per
// meeting; Maps builds them as maps.
type Objects struct {
	rows []row
	keys []objectKey // sorted by name
	root string
	geo  bool // the distances are filled
}

// newObjects returns the objects of rows with the keys asked for
// (dataFields; every key of ObjectKeys when empty), the distances filled
// on a geographic search.
func newObjects(rows []row, dataFields []string, geo bool, root string) Objects {
	names := dataFields
	if len(names) == 0 {
		names = ObjectKeys
	}
	o := Objects{rows: rows, root: root, geo: geo}
	for _, name := range names {
		w, ok := fieldWriters[name]
		if !ok && name != "distance_in_km" && name != "distance_in_miles" {
			continue
		}
		if slices.ContainsFunc(o.keys, func(k objectKey) bool { return k.name == name }) {
			continue
		}
		k := objectKey{name: name, quoted: string(jsonw.AppendText(nil, name, false)) + ":", write: w, plain: w == nil || plainFields[name]}
		if emptyFields[name] {
			k.quoted, k.empty = k.quoted+`""`, true
		}
		o.keys = append(o.keys, k)
	}
	slices.SortFunc(o.keys, func(a, b objectKey) int { return cmp.Compare(a.name, b.name) })
	return o
}

// Len returns the number of meetings.
func (o Objects) Len() int { return len(o.rows) }

// AppendObject appends meeting i's object as JSON: every value a string,
// the keys in sorted order, nothing HTML-escaped (BMLT clients show the
// text as is). scratch is a buffer for the values, returned for reuse.
func (o Objects) AppendObject(b, scratch []byte, i int) (out, scratchOut []byte) {
	rw := &o.rows[i]
	mb := meetingBody{id: rw.body, name: rw.bodyName, root: o.root, formats: rw.formats}
	b = append(b, '{')
	for j := range o.keys {
		k := &o.keys[j]
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, k.quoted...)
		switch {
		case k.empty:
		case k.plain:
			b = append(b, '"')
			if k.write != nil {
				b = k.write(b, rw.m, &mb)
			} else if o.geo {
				b = appendDistance(b, k.name, rw.dist)
			}
			b = append(b, '"')
		default:
			scratch = k.write(scratch[:0], rw.m, &mb)
			b = jsonw.AppendText(b, unsafe.String(unsafe.SliceData(scratch), len(scratch)), false)
		}
	}
	return append(b, '}'), scratch
}

// AppendJSON appends the JSON array of every object.
func (o Objects) AppendJSON(b []byte) []byte {
	b = append(b, '[')
	var scratch []byte
	for i := range o.rows {
		if i > 0 {
			b = append(b, ',')
		}
		b, scratch = o.AppendObject(b, scratch, i)
	}
	return append(b, ']')
}

// MarshalJSON is AppendJSON, for encoding/json.
func (o Objects) MarshalJSON() ([]byte, error) {
	return o.AppendJSON(make([]byte, 0, 1024*len(o.rows)+2)), nil
}

// Maps returns the objects as maps of key to value.
func (o Objects) Maps() []map[string]string {
	out := make([]map[string]string, len(o.rows))
	var scratch []byte
	for i := range o.rows {
		rw := &o.rows[i]
		mb := meetingBody{id: rw.body, name: rw.bodyName, root: o.root, formats: rw.formats}
		out[i] = make(map[string]string, len(o.keys))
		for _, k := range o.keys {
			scratch = scratch[:0]
			if k.write != nil {
				scratch = k.write(scratch, rw.m, &mb)
			} else if o.geo {
				scratch = appendDistance(scratch, k.name, rw.dist)
			}
			out[i][k.name] = string(scratch)
		}
	}
	return out
}

// appendDistance appends a distance of dist degrees as the field key,
// distance_in_km or distance_in_miles.
func appendDistance(b []byte, key string, dist float64) []byte {
	if key == "distance_in_km" {
		return strconv.AppendFloat(b, dist*kmPerDegree, 'f', -1, 64)
	}
	return strconv.AppendFloat(b, dist*milesPerDegree, 'f', -1, 64)
}

var _ json.Marshaler = Objects{}
