// Package meetingguide imports Meeting Guide JSON feeds (the
// code4recovery/spec format that 12 Step Meeting List, TSML UI and the
// Meeting Guide app speak) into meeting.Meeting values. It is a pure
// translator: bytes in, meetings and per-record problems out, no network
// and no database.
//
// A feed is one JSON array of meeting objects. Parse decodes each object
// into a record.Record (every value reduced to text, whatever JSON type the
// feed used), and a record.Converter maps Records to meetings following the
// rules of the spec and of TSML UI (importers/record, shared with the
// spreadsheet importer importers/csv, which reads the same field model).
package meetingguide

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/meetingfinder/meetingfinder/importers/record"
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
// feed at all (not JSON, trailing garbage, not an array at the top level,
// or an array most of whose records have no day or time and no address,
// point or conference link in the format's fields: another format's JSON,
// see meeting.RecordShape) it returns a KindInvalid *meeting.Error and
// nothing else. Otherwise
// each record is either returned as one meeting per day or reported as a
// Rejected problem with a reason; kept meetings with a caveat (an unknown
// type code, unusable coordinates, a bad time zone) come with Flagged
// problems. Problem.Record is the record's 1-based position in the array.
//
// The returned meetings' text fields may share memory with one copy of
// the input.
func Parse(r io.Reader, opts Options) ([]meeting.Meeting, []meeting.Problem, error) {
	var b strings.Builder
	if _, err := io.Copy(&b, r); err != nil {
		return nil, nil, meeting.Wrap(meeting.KindInvalid, op, fmt.Errorf("reading the feed: %w", err))
	}
	data := strings.TrimPrefix(b.String(), "\xef\xbb\xbf")
	iopts := opts.ImportOptions
	if iopts.Program == "" {
		iopts.Program = meeting.ProgramAA
	}
	conv := newConverter(iopts)
	ms, ps, ok := parseFast(data, conv)
	if !ok {
		conv = newConverter(iopts)
		var err error
		if ms, ps, err = parseSlow([]byte(data), conv); err != nil {
			return nil, nil, err
		}
	}
	if err := conv.ShapeErr(op, "a Meeting Guide feed"); err != nil {
		return nil, nil, err
	}
	return ms, ps, nil
}

// parseFast parses the feed in one pass with the scanner of scan.go. It
// returns ok == false, and nothing else, when the input is anything but a
// plain JSON array; parseSlow then handles it (and reports the error).
func parseFast(s string, conv *record.Converter) (meetings []meeting.Meeting, problems []meeting.Problem, ok bool) {
	sc := scanner{s: s}
	sc.ws()
	if sc.i >= len(s) || s[sc.i] != '[' {
		return nil, nil, false
	}
	sc.i++
	sc.depth = 1
	sc.ws()
	if sc.i < len(s) && s[sc.i] == ']' {
		sc.i++
	} else {
		// Guess the number of records from the size of the first one, so
		// that the slices rarely grow.
		guessed := false
		for pos := 1; ; pos++ {
			start := sc.i
			var f fieldSpans
			isObject := start < len(s) && s[start] == '{'
			if isObject {
				ok = sc.object(&f)
			} else {
				ok = sc.value()
			}
			if !ok {
				return nil, nil, false
			}
			raw := s[start:sc.i]
			if !guessed {
				guessed = true
				if n := len(s) / max(len(raw), 512); isObject && n > 1 {
					meetings = make([]meeting.Meeting, 0, n+n/8)
					conv.Reserve(n + n/8)
				}
			}
			if isObject {
				addRecord(conv, &f, pos, raw, &meetings, &problems)
			} else {
				conv.Shape.Add(false, false)
				problems = append(problems, notAnObject(pos, raw))
			}
			sc.ws()
			if sc.i >= len(s) {
				return nil, nil, false
			}
			if s[sc.i] == ',' {
				sc.i++
				sc.ws()
				continue
			}
			if s[sc.i] != ']' {
				return nil, nil, false
			}
			sc.i++
			break
		}
	}
	sc.ws()
	if sc.i != len(s) {
		return nil, nil, false
	}
	if len(meetings) == 0 {
		meetings = nil
	}
	return meetings, problems, true
}

// parseSlow parses the feed with encoding/json, for input the fast path
// does not take: it reports why data is not a feed, or else reads it as
// parseFast would.
func parseSlow(data []byte, conv *record.Converter) ([]meeting.Meeting, []meeting.Problem, error) {
	raws, err := splitFeed(data)
	if err != nil {
		return nil, nil, err
	}
	var meetings []meeting.Meeting
	var problems []meeting.Problem
	for i, raw := range raws {
		pos := i + 1
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
			conv.Shape.Add(false, false)
			problems = append(problems, notAnObject(pos, string(raw)))
			continue
		}
		var f fieldSpans
		for k, v := range obj {
			if idx := fieldOf(k); idx >= 0 {
				f[idx] = string(v)
			}
		}
		addRecord(conv, &f, pos, string(raw), &meetings, &problems)
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
		if key, n := wrappedArray(trimmed); key != "" {
			kind = fmt.Sprintf("an object (its %q holds %d records: an API response around another format's records?)", key, n)
		}
	case '"':
		kind = "a string"
	case 't', 'f':
		kind = "a boolean"
	default:
		kind = "a number"
	}
	return nil, meeting.Errorf(meeting.KindInvalid, op, "not a Meeting Guide feed: the top level is %s, want an array of meetings", kind)
}

// wrappedArray returns the key of obj (a JSON object) that holds the
// longest array, and its length, or "" when none does: API responses wrap
// their records ({"records": […]}, {"data": […]}).
func wrappedArray(obj []byte) (string, int) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(obj, &fields) != nil {
		return "", 0
	}
	best, n := "", 0
	for k, v := range fields {
		var arr []json.RawMessage
		if json.Unmarshal(v, &arr) == nil && (len(arr) > n || len(arr) == n && n > 0 && k < best) {
			best, n = k, len(arr)
		}
	}
	return best, n
}

// notAnObject is the problem for an array element that is not an object;
// raw is the element, valid JSON.
func notAnObject(pos int, raw string) meeting.Problem {
	return meeting.Problem{Record: pos, Severity: meeting.Rejected,
		Reason: "the record is " + jsonKind(raw) + ", want an object", Raw: compactExcerpt(raw)}
}

// addRecord decodes the record at position pos, an object with the fields
// f (raw is the whole object, valid JSON), and converts it, appending to
// ms and ps.
func addRecord(c *record.Converter, f *fieldSpans, pos int, raw string, ms *[]meeting.Meeting, ps *[]meeting.Problem) {
	var rec record.Record
	field, err := decodeFields(f, &rec)
	if err != nil {
		c.Shape.Add(false, false)
		*ps = append(*ps, meeting.Problem{Record: pos, ExternalID: rec.Slug, Name: record.CleanLine(rec.Name), Severity: meeting.Rejected,
			Field: field, Reason: err.Error(), Raw: compactExcerpt(raw)})
		return
	}
	c.ConvertInto(&rec, pos, raw, ms, ps)
}

// newConverter returns the record converter of a feed: problems quote the
// record as compacted JSON.
func newConverter(iopts meeting.ImportOptions) *record.Converter {
	c := record.NewConverter(iopts)
	c.RawExcerpt = compactExcerpt
	return c
}

// decodeFields sets *rec, a zero Record, from the fields of one record. On
// failure it returns the offending field (or "") and the reason.
func decodeFields(f *fieldSpans, rec *record.Record) (string, error) {
	var field string
	var ferr error
	text := func(i int, dst *string) {
		if ferr != nil || f[i] == "" {
			return
		}
		s, err := scalar(f[i])
		if err != nil {
			field, ferr = fieldKeys[i], fmt.Errorf("%s: %w", fieldKeys[i], err)
			return
		}
		*dst = s
	}
	list := func(i int, dst *[]string) (isList bool) {
		if ferr != nil || f[i] == "" {
			return false
		}
		l, isList, err := scalarList(f[i])
		if err != nil {
			field, ferr = fieldKeys[i], fmt.Errorf("%s: %w", fieldKeys[i], err)
			return false
		}
		*dst = l
		return isList
	}
	text(fSlug, &rec.Slug)
	text(fName, &rec.Name)
	rec.DayList = list(fDay, &rec.Days)
	text(fTime, &rec.Time)
	text(fEndTime, &rec.EndTime)
	text(fTimezone, &rec.Timezone)
	list(fTypes, &rec.Types)
	text(fAttendance, &rec.Attendance)
	text(fProgram, &rec.Program)
	text(fLocation, &rec.Location)
	text(fLocationNotes, &rec.LocationNotes)
	text(fAddress, &rec.Address)
	text(fCity, &rec.City)
	text(fState, &rec.State)
	text(fPostalCode, &rec.PostalCode)
	text(fCountry, &rec.Country)
	text(fFormattedAddress, &rec.FormattedAddress)
	if f[fRegions] != "" {
		list(fRegions, &rec.Regions)
	}
	if len(rec.Regions) == 0 {
		var region, sub, subsub string
		text(fRegion, &region)
		text(fSubRegion, &sub)
		text(fSubSubRegion, &subsub)
		for _, s := range [...]string{region, sub, subsub} {
			if strings.TrimSpace(s) != "" {
				rec.Regions = append(rec.Regions, s)
			}
		}
	}
	text(fLatitude, &rec.Latitude)
	text(fLongitude, &rec.Longitude)
	text(fCoordinates, &rec.Coordinates)
	text(fApproximate, &rec.Approximate)
	text(fConferenceURL, &rec.ConferenceURL)
	text(fConferenceURLNotes, &rec.ConferenceURLNotes)
	text(fConferencePhone, &rec.ConferencePhone)
	text(fConferencePhoneNotes, &rec.ConferencePhoneNotes)
	text(fNotes, &rec.Notes)
	text(fGroup, &rec.Group)
	text(fURL, &rec.URL)
	// Who maintains the listing: a value of the wrong shape is left out
	// (and flagged) rather than losing the meeting.
	soft := func(i int, dst *string) {
		if f[i] == "" {
			return
		}
		if s, err := scalar(f[i]); err != nil {
			unreadable(rec, i, err)
		} else {
			*dst = s
		}
	}
	if f[fFeedbackEmails] != "" {
		if l, _, err := scalarList(f[fFeedbackEmails]); err != nil {
			unreadable(rec, fFeedbackEmails, err)
		} else {
			rec.FeedbackEmails = l
		}
	}
	soft(fFeedbackURL, &rec.FeedbackURL)
	soft(fEntity, &rec.Entity)
	soft(fEntityEmail, &rec.EntityEmail)
	soft(fEntityLocation, &rec.EntityLocation)
	soft(fEntityLogo, &rec.EntityLogo)
	soft(fEntityPhone, &rec.EntityPhone)
	soft(fEntityURL, &rec.EntityURL)
	return field, ferr
}

// unreadable notes on rec that field i could not be read (err, which
// never quotes the value).
func unreadable(rec *record.Record, i int, err error) {
	if rec.Unreadable == nil {
		rec.Unreadable = map[string]string{}
	}
	rec.Unreadable["maintainer."+strings.TrimPrefix(fieldKeys[i], "maintainer.")] = fieldKeys[i] + " " + err.Error()
}

// scalar renders the JSON text of a string, number, boolean or null as
// text (numbers as written, null as "").
func scalar(v string) (string, error) {
	v = strings.TrimSpace(v)
	if len(v) == 0 {
		return "", nil
	}
	switch v[0] {
	case '"':
		if s, ok := plainString(v); ok {
			return s, nil
		}
		var s string
		if err := json.Unmarshal([]byte(v), &s); err != nil {
			return "", err
		}
		return s, nil
	case 'n':
		return "", nil
	case '[', '{':
		return "", fmt.Errorf("is %s, want a string or a number", jsonKind(v))
	}
	return v, nil // number or boolean, as written
}

// unquote decodes the JSON string literal v, valid JSON.
func unquote(v string) string {
	s, _ := scalar(v)
	return s
}

// scalarList renders the JSON text of an array of scalars, or of one
// scalar, as text values; isList tells which it was.
func scalarList(v string) (vals []string, isList bool, err error) {
	v = strings.TrimSpace(v)
	if len(v) > 0 && v[0] == '[' {
		sc := scanner{s: v, i: 1}
		sc.ws()
		if sc.i < len(v) && v[sc.i] == ']' {
			return nil, true, nil
		}
		for n := 1; ; n++ {
			start := sc.i
			if !sc.value() {
				return nil, true, errors.New("invalid JSON array")
			}
			s, err := scalar(v[start:sc.i])
			if err != nil {
				return nil, true, fmt.Errorf("item %d %w", n, err)
			}
			if vals == nil {
				vals = make([]string, 0, 4)
			}
			vals = append(vals, s)
			sc.ws()
			if sc.i < len(v) && v[sc.i] == ',' {
				sc.i++
				sc.ws()
				continue
			}
			return vals, true, nil
		}
	}
	s, err := scalar(v)
	if err != nil || s == "" {
		return nil, false, err
	}
	return []string{s}, false, nil
}

// jsonKind names the JSON type of v for messages.
func jsonKind(v string) string {
	v = strings.TrimSpace(v)
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
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return "a number"
	}
	return "not JSON"
}
