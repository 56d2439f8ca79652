package csv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/meetingfinder/meetingfinder/importers/record"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Fields lists the targets a column can feed, named as in the Meeting Guide
// spec. "regions" takes a ">"-separated list (general to specific);
// "feedback_emails" a comma-separated list;
// "coordinates" takes "lat,lng"; "day" may hold several days separated by
// commas; "types" several codes or names separated by commas, semicolons,
// pipes or line breaks.
var Fields = []string{
	"slug", "name", "day", "time", "end_time", "timezone", "types", "attendance_option", "program",
	"location", "location_notes", "address", "city", "state", "postal_code", "country", "formatted_address",
	"regions", "region", "sub_region", "sub_sub_region", "latitude", "longitude", "coordinates", "approximate",
	"conference_url", "conference_url_notes", "conference_phone", "conference_phone_notes",
	"notes", "group", "url",
	"feedback_emails", "feedback_url", "entity", "entity_email", "entity_location", "entity_logo", "entity_phone", "entity_url",
}

// headerAliases maps slugified header names that are not field names to
// the field they mean (12 Step Meeting List and TSML UI spreadsheets).
var headerAliases = map[string]string{
	"id":            "slug",
	"full_address":  "formatted_address",
	"start_time":    "time",
	"start":         "time",
	"end":           "end_time",
	"weekday":       "day",
	"meeting_name":  "name",
	"location_name": "location",
	"zip":           "postal_code",
	"zip_code":      "postal_code",
	"postcode":      "postal_code",
	"province":      "state",
	"lat":           "latitude",
	"lng":           "longitude",
	"lon":           "longitude",
	"long":          "longitude",
	"time_zone":     "timezone",
	"attendance":    "attendance_option",
	"group_name":    "group",
	"meeting_url":   "url",
	"fellowship":    "program",
	// The Meeting Guide spec's field table names the entity's site so.
	"entity_website_url": "entity_url",
	"feedback_email":     "feedback_emails",
}

// Columns names the header(s) that feed one field. In JSON it is a string
// or an array of strings; the values of several columns are joined (with
// ", " for types, a new line for notes, a space otherwise).
type Columns []string

// UnmarshalJSON accepts a string or an array of strings.
func (c *Columns) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*c = Columns{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a header name or an array of header names")
	}
	*c = many
	return nil
}

// Mapping tells the importer how to read a spreadsheet that is not laid
// out like the 12 Step Meeting List template. Every part is optional.
//
//	{
//	  "columns":    {"name": "mName", "types": ["mOpen", "mType"], "coordinates": "mSpecial"},
//	  "day_names":  {"lunes": 1, "thurs": 4},
//	  "type_names": {"Beg. Step": "BE", "OD = Open Discussion meeting": "O,D"},
//	  "delimiter":  "\t",
//	  "has_header": false,
//	  "header":     ["slug", "day", "time", "name", "location", "address"]
//	}
//
// Columns maps a field (one of Fields) to the header(s) that feed it;
// header names are matched case-insensitively after slugifying, as are
// the default matches of headers named like fields ("Conference URL" →
// conference_url, "ID" → slug, "Full Address" → formatted_address). A
// mapped field replaces the default match for that field only. DayNames
// adds day names (lower-cased) to the English ones; TypeNames maps a
// spreadsheet's type labels (case-insensitive) to one or more
// comma-separated codes. Delimiter is one character (default: tab when the
// first line has one, else comma). With HasHeader false the first line is
// data, and Header names the columns in order (required then); Header with
// HasHeader true replaces the file's own header line.
type Mapping struct {
	Columns   map[string]Columns `json:"columns,omitempty"`
	DayNames  map[string]int     `json:"day_names,omitempty"`
	TypeNames map[string]string  `json:"type_names,omitempty"`
	Delimiter string             `json:"delimiter,omitempty"`
	HasHeader *bool              `json:"has_header,omitempty"`
	Header    []string           `json:"header,omitempty"`
}

// ParseMapping reads a JSON mapping file and checks it. It returns a
// KindInvalid *meeting.Error for malformed JSON, unknown fields or targets,
// a delimiter that is not one character, a day number outside 0–6, or a
// headerless mapping without Header.
func ParseMapping(r io.Reader) (*Mapping, error) {
	const op = "csv.ParseMapping"
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, meeting.Wrap(meeting.KindInvalid, op, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "not a mapping file: %v", err)
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return &m, nil
}

// check validates a mapping.
func (m *Mapping) check() error {
	const op = "csv.Mapping"
	for field := range m.Columns {
		if !slices.Contains(Fields, field) {
			return meeting.Errorf(meeting.KindInvalid, op, "mapping: %q is not a field (want one of %s)", field, strings.Join(Fields, ", "))
		}
	}
	for name, d := range m.DayNames {
		if d < 0 || d > 6 {
			return meeting.Errorf(meeting.KindInvalid, op, "mapping: day name %q maps to %d, want 0 (Sunday) to 6", name, d)
		}
	}
	if m.Delimiter != "" && utf8.RuneCountInString(m.Delimiter) != 1 {
		return meeting.Errorf(meeting.KindInvalid, op, "mapping: delimiter %q is not one character", m.Delimiter)
	}
	if m.Delimiter == "\"" || m.Delimiter == "\n" || m.Delimiter == "\r" {
		return meeting.Errorf(meeting.KindInvalid, op, "mapping: delimiter %q cannot be used", m.Delimiter)
	}
	if m.HasHeader != nil && !*m.HasHeader && len(m.Header) == 0 {
		return meeting.Errorf(meeting.KindInvalid, op, "mapping: has_header is false, so header must name the columns")
	}
	return nil
}

// hasHeader reports whether the first line is a header.
func (m *Mapping) hasHeader() bool { return m == nil || m.HasHeader == nil || *m.HasHeader }

// headerKey turns a header into the key used for matching ("Conference URL" → "conference_url").
func headerKey(h string) string {
	return strings.ReplaceAll(record.Slugify(h), "-", "_")
}

// resolve maps each field to the indexes of the columns that feed it.
func (m *Mapping) resolve(header []string) (map[string][]int, error) {
	idx := map[string][]int{}
	byKey := map[string]int{}
	for i, h := range header {
		k := headerKey(h)
		if _, dup := byKey[k]; !dup {
			byKey[k] = i
		}
		field := k
		if a, ok := headerAliases[k]; ok {
			field = a
		}
		if slices.Contains(Fields, field) && idx[field] == nil {
			idx[field] = []int{i}
		}
	}
	if m != nil {
		for field, cols := range m.Columns {
			var is []int
			for _, c := range cols {
				i, ok := byKey[headerKey(c)]
				if !ok {
					return nil, meeting.Errorf(meeting.KindInvalid, "csv.Parse", "mapping: column %q for %s is not in the header (%s)", c, field, strings.Join(header, ", "))
				}
				is = append(is, i)
			}
			idx[field] = is
		}
	}
	return idx, nil
}
