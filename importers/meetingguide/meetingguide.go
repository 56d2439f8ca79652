// Package meetingguide imports Meeting Guide JSON feeds (the
// code4recovery/spec format that 12 Step Meeting List, TSML UI and the
// Meeting Guide app speak) into meeting.Meeting values. It is a pure
// translator: bytes in, meetings and per-record problems out, no network
// and no database.
//
// A feed is one JSON array of meeting objects. Parse decodes each object
// into a Record (every value reduced to text, whatever JSON type the feed
// used), and a Converter maps Records to meetings following the rules of
// the spec and of TSML UI: day arrays become one meeting per day, times
// may be 12-hour, types may be codes, names or a bracketed string, and
// attendance is derived from the join details and the address when the
// feed does not say. The Record and Converter types are exported because
// the spreadsheet importer (importers/csv) reads the same field model.
package meetingguide

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Options are the settings of a Meeting Guide import. An empty Program
// means meeting.ProgramAA: Meeting Guide is the AA format. A record's own
// "program" field, when it names a valid program, wins.
type Options struct {
	meeting.ImportOptions
}

const op = "meetingguide.Parse"

// Parse reads a whole Meeting Guide feed from r. When the input is not a
// feed at all (not JSON, trailing garbage, or not an array at the top
// level) it returns a KindInvalid *meeting.Error and nothing else. Otherwise
// each record is either returned as one meeting per day or reported as a
// Rejected problem with a reason; kept meetings with a caveat (an unknown
// type code, unusable coordinates, a bad time zone) come with Flagged
// problems. Problem.Record is the record's 1-based position in the array.
func Parse(r io.Reader, opts Options) ([]meeting.Meeting, []meeting.Problem, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, meeting.Wrap(meeting.KindInvalid, op, fmt.Errorf("reading the feed: %w", err))
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	raws, err := splitFeed(data)
	if err != nil {
		return nil, nil, err
	}
	iopts := opts.ImportOptions
	if iopts.Program == "" {
		iopts.Program = meeting.ProgramAA
	}
	conv := NewConverter(iopts)
	var meetings []meeting.Meeting
	var problems []meeting.Problem
	for i, raw := range raws {
		pos := i + 1
		rec, field, err := decodeRecord(raw)
		if err != nil {
			problems = append(problems, meeting.Problem{Record: pos, ExternalID: rec.Slug, Name: CleanLine(rec.Name), Severity: meeting.Rejected,
				Field: field, Reason: err.Error(), Raw: Excerpt(compact(raw))})
			continue
		}
		ms, ps := conv.Convert(rec, pos, compact(raw))
		meetings = append(meetings, ms...)
		problems = append(problems, ps...)
	}
	return meetings, problems, nil
}

// splitFeed checks that data is one JSON array and returns its elements.
func splitFeed(data []byte) ([]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "not a Meeting Guide feed: the input is empty")
	}
	var raws []json.RawMessage
	err := json.Unmarshal(trimmed, &raws)
	if err == nil {
		if raws == nil { // JSON null
			return nil, meeting.Errorf(meeting.KindInvalid, op, "not a Meeting Guide feed: the top level is null, want an array of meetings")
		}
		return raws, nil
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		offset := syn.Offset + int64(len(data)-len(bytes.TrimLeft(data, " \t\r\n")))
		return nil, meeting.Errorf(meeting.KindInvalid, op, "invalid JSON at byte %d: %s", offset, syn.Error())
	}
	var kind string
	switch trimmed[0] {
	case '{':
		kind = "an object"
	case '"':
		kind = "a string"
	case 't', 'f':
		kind = "a boolean"
	default:
		kind = "a number"
	}
	return nil, meeting.Errorf(meeting.KindInvalid, op, "not a Meeting Guide feed: the top level is %s, want an array of meetings", kind)
}

// compact returns raw on one line for a problem excerpt.
func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// decodeRecord turns one array element into a Record. On failure it
// returns the offending field (or "") and the reason.
func decodeRecord(raw json.RawMessage) (Record, string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return Record{}, "", fmt.Errorf("the record is %s, want an object", jsonKind(raw))
	}
	var rec Record
	var field string
	var ferr error
	text := func(key string, dst *string) {
		if ferr != nil {
			return
		}
		v, ok := obj[key]
		if !ok {
			return
		}
		s, err := scalar(v)
		if err != nil {
			field, ferr = key, fmt.Errorf("%s: %w", key, err)
			return
		}
		*dst = s
	}
	list := func(key string, dst *[]string) (isList bool) {
		if ferr != nil {
			return false
		}
		v, ok := obj[key]
		if !ok {
			return false
		}
		l, isList, err := scalarList(v)
		if err != nil {
			field, ferr = key, fmt.Errorf("%s: %w", key, err)
			return false
		}
		*dst = l
		return isList
	}
	text("slug", &rec.Slug)
	text("name", &rec.Name)
	rec.DayList = list("day", &rec.Days)
	text("time", &rec.Time)
	text("end_time", &rec.EndTime)
	text("timezone", &rec.Timezone)
	list("types", &rec.Types)
	text("attendance_option", &rec.Attendance)
	text("program", &rec.Program)
	text("location", &rec.Location)
	text("location_notes", &rec.LocationNotes)
	text("address", &rec.Address)
	text("city", &rec.City)
	text("state", &rec.State)
	text("postal_code", &rec.PostalCode)
	text("country", &rec.Country)
	text("formatted_address", &rec.FormattedAddress)
	if _, ok := obj["regions"]; ok {
		list("regions", &rec.Regions)
	}
	if len(rec.Regions) == 0 {
		var region, sub, subsub string
		text("region", &region)
		text("sub_region", &sub)
		text("sub_sub_region", &subsub)
		for _, s := range []string{region, sub, subsub} {
			if strings.TrimSpace(s) != "" {
				rec.Regions = append(rec.Regions, s)
			}
		}
	}
	text("latitude", &rec.Latitude)
	text("longitude", &rec.Longitude)
	text("coordinates", &rec.Coordinates)
	text("approximate", &rec.Approximate)
	text("conference_url", &rec.ConferenceURL)
	text("conference_url_notes", &rec.ConferenceURLNotes)
	text("conference_phone", &rec.ConferencePhone)
	text("conference_phone_notes", &rec.ConferencePhoneNotes)
	text("notes", &rec.Notes)
	text("group", &rec.Group)
	text("url", &rec.URL)
	return rec, field, ferr
}

// scalar renders a JSON string, number, boolean or null as text (numbers
// as written, null as "").
func scalar(v json.RawMessage) (string, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "", nil
	}
	switch v[0] {
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", err
		}
		return s, nil
	case 'n':
		return "", nil
	case '[', '{':
		return "", fmt.Errorf("is %s, want a string or a number", jsonKind(v))
	}
	return string(v), nil // number or boolean, as written
}

// scalarList renders a JSON array of scalars, or one scalar, as text
// values; isList tells which it was.
func scalarList(v json.RawMessage) (vals []string, isList bool, err error) {
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(v, &items); err != nil {
			return nil, true, err
		}
		for i, it := range items {
			s, err := scalar(it)
			if err != nil {
				return nil, true, fmt.Errorf("item %d %w", i+1, err)
			}
			vals = append(vals, s)
		}
		return vals, true, nil
	}
	s, err := scalar(v)
	if err != nil || s == "" {
		return nil, false, err
	}
	return []string{s}, false, nil
}

// jsonKind names the JSON type of v for messages.
func jsonKind(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "empty"
	}
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	}
	if _, err := strconv.ParseFloat(string(v), 64); err == nil {
		return "a number"
	}
	return "not JSON"
}
