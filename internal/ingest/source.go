package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Format names the kind of input a source publishes.
type Format string

// The formats an import reads.
const (
	// FormatMeetingGuide is a Meeting Guide JSON feed (importers/meetingguide).
	FormatMeetingGuide Format = "meetingguide"
	// FormatBMLT is a BMLT root server URL, or a saved GetSearchResults
	// JSON file (importers/bmlt).
	FormatBMLT Format = "bmlt"
	// FormatCSV is a spreadsheet, optionally with a mapping file (importers/csv).
	FormatCSV Format = "csv"
	// FormatNAWS is a BMLT NAWS export CSV (bmlt.ParseNAWS).
	FormatNAWS Format = "naws"
)

// Formats lists every format, in the order the command line shows them.
var Formats = []Format{FormatMeetingGuide, FormatBMLT, FormatCSV, FormatNAWS}

// Valid reports whether f is one of Formats.
func (f Format) Valid() bool {
	for _, g := range Formats {
		if f == g {
			return true
		}
	}
	return false
}

// DefaultRefresh is how often serve re-imports a configured source that
// does not say.
const DefaultRefresh = 6 * time.Hour

// MinRefresh is the shortest refresh interval a sources file may ask for.
const MinRefresh = time.Minute

// Source is one feed or file meetings are imported from. Name goes into
// every meeting's Source and keys the meetings with their external ids;
// Location is an http(s) URL or a local path; Program and TimeZone are the
// defaults for records that do not give their own (empty Program = the
// importer's default; empty TimeZone = inferred from the meeting's point);
// Mapping is the path of a CSV mapping file; Refresh is how often serve
// re-imports it (0 = only on demand).
type Source struct {
	Name     string
	Location string
	Format   Format
	Program  meeting.Program
	TimeZone string
	Mapping  string
	Refresh  time.Duration
}

// sourceName is what a source name may look like: it is stored in every
// meeting and shown in the API.
var sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Check returns a KindInvalid *meeting.Error naming every bad field of s, or nil.
func (s Source) Check() error {
	f := meeting.FieldErrors{}
	if !sourceName.MatchString(s.Name) {
		f.Add("name", fmt.Sprintf("%q is not a source name (lower-case letters, digits, '.', '_' and '-', at most 63)", s.Name))
	}
	if strings.TrimSpace(s.Location) == "" {
		f.Add("location", "is required (an http(s) URL or a path)")
	}
	if !s.Format.Valid() {
		f.Add("format", fmt.Sprintf("%q is not a format (want one of %s)", s.Format, formatList()))
	}
	if s.Program != "" && !s.Program.Valid() {
		f.Add("program", fmt.Sprintf("%q is not a program", s.Program))
	}
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "Local" {
			f.Add("timezone", fmt.Sprintf("%q is not an IANA time zone", s.TimeZone))
		}
	}
	if s.Mapping != "" && s.Format != FormatCSV {
		f.Add("mapping", "is only for the csv format")
	}
	return f.Err("ingest.Source", fmt.Sprintf("source %q is not valid", s.Name))
}

func formatList() string {
	s := make([]string, len(Formats))
	for i, f := range Formats {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

// configFile is the JSON layout of a sources file.
type configFile struct {
	Sources []struct {
		Name     string `json:"name"`
		Location string `json:"location"`
		Format   string `json:"format"`
		Program  string `json:"program"`
		TimeZone string `json:"timezone"`
		Mapping  string `json:"mapping"`
		Refresh  string `json:"refresh"`
	} `json:"sources"`
}

// ParseConfig reads a sources file:
//
//	{"sources": [{"name": "sepia", "location": "https://…/meetings.json",
//	  "format": "meetingguide", "program": "aa", "timezone": "America/New_York",
//	  "mapping": "", "refresh": "6h"}]}
//
// refresh is a Go duration ("90m", "6h"), "0" or "off" for on demand only,
// DefaultRefresh when absent. Relative local locations and mapping paths
// are read relative to dir (the file's folder). It returns a KindInvalid
// *meeting.Error for malformed JSON, unknown keys, invalid or repeated
// sources.
func ParseConfig(r io.Reader, dir string) ([]Source, error) {
	const op = "ingest.ParseConfig"
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, meeting.Wrap(meeting.KindInvalid, op, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var cf configFile
	if err := dec.Decode(&cf); err != nil {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "not a sources file: %v", err)
	}
	if dec.More() {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "not a sources file: data after the JSON object")
	}
	if len(cf.Sources) == 0 {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "the sources file lists no sources")
	}
	seen := map[string]bool{}
	var out []Source
	for i, c := range cf.Sources {
		s := Source{Name: c.Name, Location: strings.TrimSpace(c.Location), Format: Format(c.Format),
			Program: meeting.Program(c.Program), TimeZone: c.TimeZone, Mapping: c.Mapping, Refresh: DefaultRefresh}
		switch strings.TrimSpace(c.Refresh) {
		case "":
		case "0", "off", "never":
			s.Refresh = 0
		default:
			d, err := time.ParseDuration(c.Refresh)
			if err != nil {
				return nil, meeting.Errorf(meeting.KindInvalid, op, "source %d (%s): refresh %q is not a duration like \"6h\"", i+1, c.Name, c.Refresh)
			}
			if d < MinRefresh {
				return nil, meeting.Errorf(meeting.KindInvalid, op, "source %d (%s): refresh %s is shorter than %s", i+1, c.Name, d, MinRefresh)
			}
			s.Refresh = d
		}
		if s.Location != "" && !IsURL(s.Location) && !filepath.IsAbs(s.Location) && dir != "" {
			s.Location = filepath.Join(dir, s.Location)
		}
		if s.Mapping != "" && !filepath.IsAbs(s.Mapping) && dir != "" {
			s.Mapping = filepath.Join(dir, s.Mapping)
		}
		if err := s.Check(); err != nil {
			return nil, fmt.Errorf("%s: source %d: %w", op, i+1, err)
		}
		if seen[s.Name] {
			return nil, meeting.Errorf(meeting.KindInvalid, op, "source %d: the name %q is used twice", i+1, s.Name)
		}
		seen[s.Name] = true
		out = append(out, s)
	}
	return out, nil
}

// IsURL reports whether location is an http or https URL rather than a path.
func IsURL(location string) bool {
	l := strings.ToLower(strings.TrimSpace(location))
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}
