// Package csv imports meeting spreadsheets (CSV or TSV files) into
// meeting.Meeting values. It is a pure translator: bytes in, meetings and
// per-row problems out, no network and no database. (It shares its name
// with encoding/csv, which it uses, as miniflux's reader/json does: the
// package is named after the format it reads.)
//
// By default the first line is a header and columns are matched by name,
// case-insensitively after slugifying, against the Meeting Guide fields:
// the layout of the 12 Step Meeting List import template and of TSML UI's
// Google Sheets ("Time", "End Time", "Day", "Name", "Location", "Address",
// "Region", "Sub Region", "Types", "Conference URL", "ID" or "Slug", …).
// A Mapping (see ParseMapping) adapts other exports: renamed or combined
// columns, headerless files, other day and type names.
//
// The bytes may be UTF-8 (with or without a byte-order mark), UTF-16 with
// a byte-order mark (spreadsheets' "Unicode text" exports), or a legacy
// single-byte encoding (Windows-1252 is assumed for input that is not
// valid UTF-8, or Mac Roman when asked), with LF, CRLF or CR-only line
// ends. Text garbled by the wrong encodings on its way (UTF-8 read as
// Windows-1252, or once or twice through Mac Roman: "Coco‰Ûªs") is
// repaired when that is clearly better (repairMojibake). Each row then goes through the Meeting Guide mapping of
// importers/record, shared with importers/meetingguide (same rules for days, times, types, attendance and
// locations), with a literal "NULL" cell read as empty. A row without an id
// column gets a stable id generated from its name, day, time and place.
package csv

import (
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/meetingfinder/meetingfinder/importers/record"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Options are the settings of a spreadsheet import. An empty Program means
// meeting.ProgramOther; a "program" column naming a valid program wins.
type Options struct {
	meeting.ImportOptions
	// Mapping adapts the importer to a layout; nil means header-named
	// columns (the 12 Step Meeting List template).
	Mapping *Mapping
	// Encoding is "" (detect: UTF-8 when valid, else Windows-1252),
	// "utf-8", "windows-1252" or "macintosh".
	Encoding string
	// Comma is the field delimiter; 0 means the mapping's delimiter, or
	// else tab when the first line holds a tab and comma otherwise.
	Comma rune
}

const op = "csv.Parse"

// Parse reads a whole spreadsheet from r. When the input cannot be a
// meeting spreadsheet (an unknown encoding, no header, no name column, a
// mapping naming missing columns) it returns a KindInvalid *meeting.Error
// and nothing else. Otherwise every row is returned as one meeting per day
// or reported as a Rejected problem with a reason (including "row has N
// fields, header has M"); kept meetings with a caveat come with Flagged
// problems. Problem.Record is the row's line number in the file (the
// header being line 1). Blank rows are skipped. A file most of whose rows
// have no schedule and no place in the columns read (see
// meeting.RecordShape) is not a meeting spreadsheet either: KindInvalid.
func Parse(r io.Reader, opts Options) ([]meeting.Meeting, []meeting.Problem, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, meeting.Wrap(meeting.KindInvalid, op, fmt.Errorf("reading the file: %w", err))
	}
	text, err := decode(data, opts.Encoding)
	if err != nil {
		return nil, nil, err
	}
	mp := opts.Mapping
	if mp != nil {
		if err := mp.check(); err != nil {
			return nil, nil, err
		}
	}
	comma := opts.Comma
	if comma == 0 && mp != nil && mp.Delimiter != "" {
		comma, _ = utf8.DecodeRuneInString(mp.Delimiter)
	}
	if comma == 0 {
		first, _, _ := strings.Cut(text, "\n")
		comma = ','
		if strings.Contains(first, "\t") {
			comma = '\t'
		}
	}
	cr := stdcsv.NewReader(strings.NewReader(text))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false

	var header []string
	if mp.hasHeader() {
		header, err = cr.Read()
		if errors.Is(err, io.EOF) {
			return nil, nil, meeting.Errorf(meeting.KindInvalid, op, "not a meeting spreadsheet: the file is empty")
		}
		if err != nil {
			return nil, nil, meeting.Errorf(meeting.KindInvalid, op, "not a meeting spreadsheet: the header line cannot be read: %v", err)
		}
	}
	if mp != nil && len(mp.Header) > 0 {
		header = mp.Header
	}
	cols, err := mp.resolve(header)
	if err != nil {
		return nil, nil, err
	}
	if cols["name"] == nil {
		return nil, nil, meeting.Errorf(meeting.KindInvalid, op, "not a meeting spreadsheet: no Name column (header: %s)", excerptHeader(header))
	}

	conv := record.NewConverter(opts.ImportOptions)
	var typeNames map[string]string
	if mp != nil {
		conv.DayNames = map[string]int{}
		for k, v := range mp.DayNames {
			conv.DayNames[strings.ToLower(strings.TrimSpace(k))] = v
		}
		typeNames = map[string]string{}
		for k, v := range mp.TypeNames {
			typeNames[strings.ToLower(record.CleanLine(k))] = v
		}
	}
	var meetings []meeting.Meeting
	var problems []meeting.Problem
	lastOffset := int64(-1)
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		var pe *stdcsv.ParseError
		if errors.As(err, &pe) {
			if cr.InputOffset() == lastOffset {
				break // no progress: give up on the rest
			}
			lastOffset = cr.InputOffset()
			conv.Shape.Add(false, false)
			problems = append(problems, meeting.Problem{Record: pe.StartLine, Severity: meeting.Rejected, Reason: "the row cannot be read: " + pe.Err.Error()})
			continue
		} else if err != nil {
			return nil, nil, meeting.Wrap(meeting.KindInvalid, op, err)
		}
		lastOffset = cr.InputOffset()
		raw := record.Excerpt(strings.Join(row, string(comma)))
		if blank(row) {
			continue
		}
		if len(row) != len(header) {
			conv.Shape.Add(false, false)
			problems = append(problems, meeting.Problem{Record: line, Severity: meeting.Rejected,
				Reason: fmt.Sprintf("row has %d fields, header has %d", len(row), len(header)), Raw: raw})
			continue
		}
		rec := toRecord(row, cols, typeNames)
		ms, ps := conv.Convert(rec, line, raw)
		meetings = append(meetings, ms...)
		problems = append(problems, ps...)
	}
	if err := conv.ShapeErr(op, "a meeting spreadsheet"); err != nil {
		return nil, nil, err
	}
	return meetings, problems, nil
}

// decode turns the file's bytes into text with LF line ends. A UTF-16
// byte-order mark (spreadsheets' "Unicode text" exports) wins over the
// encoding asked for. Without one, and without an encoding asked for, text
// that went through the wrong encodings on its way is repaired when the
// repair is clearly better (see repairMojibake).
func decode(data []byte, encoding string) (string, error) {
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		d, _, err := transform.Bytes(xunicode.BOMOverride(transform.Nop), data)
		if err != nil {
			return "", meeting.Errorf(meeting.KindInvalid, op, "the file starts with a UTF-16 byte-order mark but is not UTF-16: %v", err)
		}
		data, encoding = d, "utf-8"
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if encoding == "" {
		if fixed, ok := repairMojibake(data); ok {
			data = fixed
		}
	}
	switch strings.ToLower(encoding) {
	case "", "utf-8", "utf8":
		if utf8.Valid(data) {
			break
		}
		if encoding != "" {
			return "", meeting.Errorf(meeting.KindInvalid, op, "the file is not valid UTF-8")
		}
		fallthrough
	case "windows-1252", "cp1252":
		d, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return "", meeting.Wrap(meeting.KindInvalid, op, err)
		}
		data = d
	case "macintosh", "mac", "macroman":
		d, err := charmap.Macintosh.NewDecoder().Bytes(data)
		if err != nil {
			return "", meeting.Wrap(meeting.KindInvalid, op, err)
		}
		data = d
	default:
		return "", meeting.Errorf(meeting.KindInvalid, op, "unknown encoding %q (want utf-8, windows-1252 or macintosh)", encoding)
	}
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n"), nil
}

// toRecord reads one row into the Meeting Guide field model.
func toRecord(row []string, cols map[string][]int, typeNames map[string]string) record.Record {
	get := func(field, sep string) string {
		var parts []string
		for _, i := range cols[field] {
			if v := cell(row[i]); v != "" {
				parts = append(parts, v)
			}
		}
		return strings.Join(parts, sep)
	}
	one := func(field string) string { return get(field, " ") }
	rec := record.Record{
		Slug: one("slug"), Name: one("name"), Time: one("time"), EndTime: one("end_time"),
		Timezone: one("timezone"), Attendance: one("attendance_option"), Program: one("program"),
		Location: one("location"), LocationNotes: get("location_notes", "\n"), Address: one("address"),
		City: one("city"), State: one("state"), PostalCode: one("postal_code"), Country: one("country"),
		FormattedAddress: one("formatted_address"), Latitude: one("latitude"), Longitude: one("longitude"),
		Coordinates: one("coordinates"), Approximate: one("approximate"),
		ConferenceURL: one("conference_url"), ConferenceURLNotes: get("conference_url_notes", "\n"),
		ConferencePhone: one("conference_phone"), ConferencePhoneNotes: get("conference_phone_notes", "\n"),
		Notes: get("notes", "\n"), Group: one("group"), URL: one("url"),
		FeedbackURL: one("feedback_url"), Entity: one("entity"), EntityEmail: one("entity_email"),
		EntityLocation: one("entity_location"), EntityLogo: one("entity_logo"), EntityPhone: one("entity_phone"),
		EntityURL: one("entity_url"),
	}
	if e := get("feedback_emails", ","); e != "" {
		rec.FeedbackEmails = []string{e} // the Converter splits the list
	}
	if d := get("day", ","); d != "" {
		for _, p := range strings.Split(d, ",") {
			if p = strings.TrimSpace(p); p != "" {
				rec.Days = append(rec.Days, p)
			}
		}
		rec.DayList = len(rec.Days) > 1
	}
	if rs := one("regions"); rs != "" {
		for _, p := range strings.Split(rs, ">") {
			if p = strings.TrimSpace(p); p != "" {
				rec.Regions = append(rec.Regions, p)
			}
		}
	} else {
		for _, f := range []string{"region", "sub_region", "sub_sub_region"} {
			if v := one(f); v != "" {
				rec.Regions = append(rec.Regions, v)
			}
		}
	}
	if t := get("types", "\n"); t != "" {
		t = record.CleanText(t)
		for _, line := range strings.FieldsFunc(t, func(r rune) bool { return r == ';' || r == '|' || r == '\n' }) {
			// The mapping's type_names give codes of the vocabulary, read
			// in no program's own vocabulary; the sheet's own words are.
			if code, ok := typeNames[strings.ToLower(strings.TrimSpace(line))]; ok {
				rec.Types = append(rec.Types, code)
				rec.TypeCodes = append(rec.TypeCodes, code)
				continue
			}
			for _, p := range strings.Split(line, ",") {
				p = strings.TrimSpace(p)
				if code, ok := typeNames[strings.ToLower(p)]; ok {
					p = code
					rec.TypeCodes = append(rec.TypeCodes, code)
				}
				if p != "" {
					rec.Types = append(rec.Types, p)
				}
			}
		}
	}
	return rec
}

// cell trims a value and reads a literal NULL as empty.
func cell(s string) string {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "null") {
		return ""
	}
	return s
}

// blank reports whether every cell of row is empty.
func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// excerptHeader shortens a header for an error message.
func excerptHeader(h []string) string {
	return record.Excerpt(strings.Join(h, ", "))
}
